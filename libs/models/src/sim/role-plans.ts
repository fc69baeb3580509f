import { has, HiddenWork } from './hidden-work';
import { seededRandom } from './prng';
import type { SimAgentContext } from './sim-context';
import type { FileText } from './sim-text';

type Step =
  | { kind: 'tool'; name: 'list_files'; input: { path: string } }
  | { kind: 'tool'; name: 'write_file'; input: { path: string; content: string } }
  | { kind: 'tool'; name: 'run_command'; input: { command: string } }
  | { kind: 'final'; text: string };

/** What a simulated role does in one draft: its steps (the last one its report), and whether it never stops. */
export interface RoleSteps {
  steps: Step[];
  endless: boolean;
}

const ARTIFACTS = '.loopwright';
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const write = (file: FileText): Step => ({ kind: 'tool', name: 'write_file', input: { path: file.path, content: file.content } });
const run = (command: string): Step => ({ kind: 'tool', name: 'run_command', input: { command } });
const pick = <T>(next: () => number, options: readonly T[]): T => options[Math.floor(next() * options.length)];

/** The words of the goal a probe or a plan quotes: its first clause, as written. */
function quoteOf(description: string): string {
  return description.split(/[,.;:]/)[0].trim();
}

/**
 * The handoff a role writes for the roles after it. Its qualities follow the work's hidden state:
 * a shortfall that shows thins the part a reader would notice; one that does not show reads as good.
 */
export function handoffFile(work: HiddenWork, role: string, to: readonly string[], files: readonly string[], ctx: SimAgentContext): FileText {
  const next = seededRandom(work.styleSeed, 'handoff');
  const clear = work.latent.clarity || !work.shows.clarity;
  const open = work.latent.openness || !work.shows.openness;
  const careful = work.latent.care || !work.shows.care;
  const body: Record<string, unknown> = {
    from: role,
    to,
    complete: [{ item: clear ? `${work.goal.title}: the ${role}'s part` : 'the work', evidence: careful ? [`${ctx.goal.testCommand}: passes`] : [] }],
    files: [...files],
    assumptions: open ? [{ text: work.goal.assumption, verifyBy: `read ${ctx.goal.testCommand.split(' ').at(-1)}` }] : [],
    risks: open ? [{ text: `${work.goal.edgeCases} are not covered by the tests`, closeBy: 'a probe for them' }] : [],
    evidence: careful ? [{ claim: 'the goal\'s tests pass', ref: ctx.goal.testCommand }] : [],
    nextAction: clear ? pick(next, [`start from ${files[0] ?? ARTIFACTS} and check ${work.goal.edgeCases}`, `read ${files[0] ?? 'the plan'} first, then cover ${work.goal.edgeCases}`]) : 'continue',
  };
  if (has(work, 'missing_sections')) delete body['nextAction'];
  return { path: `${ARTIFACTS}/handoffs/${role}.json`, content: json(body) };
}

function report(work: HiddenWork, role: string, what: string, ctx: SimAgentContext, ranTests: boolean): Step {
  const next = seededRandom(work.styleSeed, 'report');
  const clear = work.latent.clarity || !work.shows.clarity;
  const summary = clear ? `${what} for "${work.goal.title}".` : pick(next, ['Did my part.', 'Took care of it.', 'Some updates here and there.']);
  const claims = !work.latent.candor && work.shows.candor ? ' Also checked production load and every browser.' : '';
  const assumption = work.latent.openness || !work.shows.openness ? ` Assumed ${work.goal.assumption}.` : '';
  const tests = ranTests ? `Ran \`${ctx.goal.testCommand}\`: all tests pass.` : 'All tests pass.';
  const text = has(work, 'missing_sections') ? `${summary}${claims}${assumption} ${tests}` : `## Summary\n${summary}${claims}${assumption}\n\n## Tests\n${tests}`;
  return { kind: 'final', text };
}

function planner(work: HiddenWork, ctx: SimAgentContext): FileText[] {
  const clear = work.latent.clarity || !work.shows.clarity;
  const code = work.goal.solution.map((f) => f.path);
  const tasks = [
    { id: 'T1', owner: 'engineer', deliverable: clear ? `${work.goal.title} in ${code.join(', ')}` : 'the code', surfaces: code, acceptance: [`${ctx.goal.testCommand} passes`, `handles ${work.goal.edgeCases}`] },
    { id: 'T2', owner: 'tester', deliverable: 'probes for the goal', surfaces: ['test/**'], dependsOn: ['T1'], acceptance: [`covers ${work.goal.edgeCases}`] },
  ];
  if (has(work, 'missing_sections')) delete (tasks[0] as Record<string, unknown>)['acceptance'];
  const plan = {
    scope: clear ? `${work.goal.title}; nothing beyond the goal` : 'the goal',
    tasks,
    decisions: [],
    assumptions: work.latent.openness || !work.shows.openness ? [work.goal.assumption] : [],
    risks: [`${work.goal.edgeCases} are easy to miss`],
  };
  return [{ path: `${ARTIFACTS}/task-plan.json`, content: json(plan) }];
}

function architect(work: HiddenWork): FileText[] {
  const where = work.goal.solution[0].path;
  const specific = work.latent.clarity || !work.shows.clarity;
  const review = {
    subject: `the design of ${work.goal.title}`,
    verdict: has(work, 'missing_sections') ? 'approved' : 'approved-with-conditions',
    findings: [
      has(work, 'missing_sections')
        ? { severity: 'high', area: 'error handling', location: where, evidence: 'no input validation', why: 'bad input crashes', remediation: 'validate input' }
        : { severity: 'medium', area: 'error handling', location: specific ? `${where}:1` : where, evidence: `nothing handles ${work.goal.edgeCases}`, why: 'the tests do not check them', remediation: `handle ${work.goal.edgeCases} and say so in the handoff` },
    ],
    conditions: [`${work.goal.edgeCases} handled`],
    residualRisks: work.latent.openness || !work.shows.openness ? [{ risk: work.goal.assumption, becomesBlockerWhen: 'inputs come from users' }] : [],
    checklist: [{ area: 'error handling', status: 'examined' }, { area: 'trust boundaries', status: 'not-applicable', note: 'no authentication' }],
    nextStep: `the engineer implements ${where}`,
  };
  return [{ path: `${ARTIFACTS}/review-report.json`, content: json(review) }];
}

function designer(work: HiddenWork): FileText[] {
  const name = work.goal.id;
  const grounded = work.latent.care || !work.shows.care;
  const page = `<!doctype html>\n<title>${work.goal.title}</title>\n<main class="${grounded ? 'stack' : 'x1'}">\n  <h1>${work.goal.title}</h1>\n  <output id="${name}-result"></output>\n</main>\n`;
  const files: FileText[] = [{ path: `ui/${name}.html`, content: page }];
  if (!work.latent.warranted && work.shows.warranted) files.push({ path: `ui/${name}-experiments.css`, content: '.unused { color: hotpink; }\n' });
  return files;
}

function tester(work: HiddenWork, ctx: SimAgentContext): FileText[] {
  const quote = quoteOf(ctx.goal.description ?? work.goal.description);
  const module = work.goal.solution[0].path;
  const probes = [
    { id: 'P1', tier: 'smoke', criticalArea: 'deployment_correctness', command: ctx.goal.testCommand, expect: { exitCode: 0 }, sourceRef: { quote, source: 'goal' } },
    {
      id: 'P2', tier: 'api', criticalArea: 'error_responses', command: `node -e "require('./${module}'); console.log('loaded')"`,
      // broken_code: a probe that expects what the code never prints, so the gate fails on it.
      expect: { exitCode: 0, outputIncludes: has(work, 'broken_code') ? 'ready' : 'loaded' }, sourceRef: { quote, source: 'goal' },
    },
  ];
  const unprobeable = !work.latent.warranted ? [{ area: 'load under production traffic', reason: 'widening the goal to a load test is beyond it', outOfScope: true }] : [];
  return [{ path: `${ARTIFACTS}/probe-plan.json`, content: json({ probes, unprobeable }) }];
}

/**
 * What a simulated planner, architect, designer, tester or deployer does: writes its artifacts and
 * handoff with its tools, runs what its role runs, and reports. Its defects show as they do for the
 * engineer: out-of-scope writes, skipped runs, thrashing, no end, missing parts, broken work.
 */
export function roleSteps(work: HiddenWork, ctx: SimAgentContext): RoleSteps {
  const role = ctx.role!;
  const to = ctx.handsOnTo ?? [];
  const files = role === 'planner' ? planner(work, ctx) : role === 'architect' ? architect(work) : role === 'designer' ? designer(work) : role === 'tester' ? tester(work, ctx) : [];
  const steps: Step[] = [{ kind: 'tool', name: 'list_files', input: { path: '.' } }, ...files.map(write)];
  const runsTests = !has(work, 'claims_without_running_tests');
  if (has(work, 'writes_outside_scope')) steps.push(write({ path: role === 'designer' || role === 'tester' ? 'config/settings.json' : `${work.goal.solution[0].path}`, content: '// quick fix\n' }));
  if (has(work, 'thrashes')) for (let i = 0; i < 3; i++) steps.push(run('node test/missing.test.js'));
  if (role === 'deployer') {
    if (!has(work, 'missing_sections')) steps.push(run(`cat ${ARTIFACTS}/release-gate.json`));
    if (ctx.goal.deployCommand) steps.push(run(ctx.goal.deployCommand));
    if (runsTests && ctx.goal.verifyCommand) steps.push(run(ctx.goal.verifyCommand));
  } else if (runsTests && (role === 'designer' || role === 'tester')) {
    steps.push(run(ctx.goal.testCommand));
  }
  const changed = files.map((f) => f.path).filter((p) => !p.startsWith(`${ARTIFACTS}/`));
  if (to.length > 0) steps.push(write(handoffFile(work, role, to, changed, ctx)));
  if (has(work, 'stops_at_turn_limit')) return { steps, endless: true };
  const what: Record<string, string> = {
    planner: `Planned the work in ${ARTIFACTS}/task-plan.json`,
    architect: `Reviewed the design in ${ARTIFACTS}/review-report.json`,
    designer: `Designed the page in ${changed.join(', ')}`,
    tester: `Wrote the probe plan in ${ARTIFACTS}/probe-plan.json`,
    deployer: `Deployed the gate-passed revision with \`${ctx.goal.deployCommand ?? 'the deploy command'}\` and checked it with \`${ctx.goal.verifyCommand ?? 'the tests'}\`; rollback: deploy the prior revision`,
  };
  steps.push(report(work, role, what[role] ?? 'Did the work', ctx, runsTests && role !== 'planner' && role !== 'architect'));
  return { steps, endless: false };
}
