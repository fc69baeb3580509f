import { resolve } from 'node:path';
import { HandoffSchema, ProbePlanSchema, probePlanProblems, ReviewReportSchema, TaskPlanSchema, verdictProblems } from '@loopwright/checks';
import { loadRubrics } from '@loopwright/rubrics';
import { hiddenDraft, HiddenWork } from './hidden-work';
import { HANDOFF_TRUTH, hasTruth, JUDGE_TRUTH } from './judge-truth';
import { seededRandom } from './prng';
import { roleSteps } from './role-plans';
import type { SimAgentContext } from './sim-context';
import { loadWorkload } from './workload';

const spec = loadWorkload(resolve(__dirname, '../../../../workloads/six-roles.yaml'));
const goal = spec.goals[0];
const ROLES_AFTER: Record<string, string[]> = { planner: ['architect'], architect: ['engineer'], designer: ['tester'], tester: ['deployer'], deployer: [] };

const ctxOf = (role: string, taskId: string): SimAgentContext => ({
  seed: 's', taskId, iteration: 1, feedback: [], role, handsOnTo: ROLES_AFTER[role],
  goal: { id: goal.id, testCommand: goal.testCommand, allowedPaths: goal.allowedPaths, maxTurns: 20, description: goal.description, deployCommand: goal.deployCommand, verifyCommand: goal.verifyCommand },
});

function draws(role: string, n: number): { work: HiddenWork; ctx: SimAgentContext }[] {
  return Array.from({ length: n }, (_, i) => {
    const ctx = ctxOf(role, `run-${i}-${role}`);
    return { work: hiddenDraft(spec, { seed: 's', goalId: goal.id, taskId: ctx.taskId, iteration: 1 }, 'frontier', 'draft'), ctx };
  });
}

const flawless = (w: HiddenWork) => w.defects.length === 0 && Object.values(w.latent).every(Boolean);
const written = (steps: ReturnType<typeof roleSteps>['steps'], path: string) => {
  const step = steps.find((s) => s.kind === 'tool' && s.name === 'write_file' && s.input.path === path);
  return step && step.kind === 'tool' && step.name === 'write_file' ? JSON.parse(step.input.content) : undefined;
};

describe('the simulated roles', () => {
  it('has a truth for every item a judge decides in each role\'s rubrics: none is judged favorably by default', () => {
    // The engineer-only workloads' own items, tuned with them, are left as they are.
    const engineerOwn = ['implementation_order', 'no_silent_degradation', 'no_fire_and_forget', 'error_response_quality'];
    const missing = loadRubrics().flatMap((rubric) =>
      rubric.roles.flatMap((role) =>
        [...rubric.gates, ...rubric.dimensions]
          .filter((item) => !item.check && !('scoredBy' in item && item.scoredBy))
          .filter((item) => !hasTruth(role, item.id) && !(role === 'engineer' && engineerOwn.includes(item.id)))
          .map((item) => `${role}/${rubric.id}/${item.id}`),
      ),
    );
    expect(missing).toEqual([]);
  });

  it('judges each role\'s items from the hidden state: over many works every role gets good and bad verdicts on every item', () => {
    for (const role of ['planner', 'architect', 'engineer', 'designer', 'tester', 'deployer']) {
      const works = draws(role, 200).map((d) => d.work);
      for (const [item, truth] of Object.entries({ ...JUDGE_TRUTH[role]!, ...HANDOFF_TRUTH })) {
        const verdicts = new Set(works.map((w) => truth.judge(w, seededRandom(role, item, w.styleSeed)).verdict));
        expect({ role, item, both: verdicts.has(truth.verdicts[1]) || verdicts.size > 1 }).toEqual({ role, item, both: true });
      }
    }
  });

  it('writes artifacts and handoffs the grader\'s schemas accept when the work is sound', () => {
    for (const role of ['planner', 'architect', 'designer', 'tester']) {
      const found = draws(role, 300).find((d) => flawless(d.work));
      expect(found).toBeDefined();
      const { steps, endless } = roleSteps(found!.work, found!.ctx);
      expect(endless).toBe(false);
      expect(HandoffSchema.safeParse(written(steps, `.loopwright/handoffs/${role}.json`)).success).toBe(true);
      if (role === 'planner') expect(TaskPlanSchema.safeParse(written(steps, '.loopwright/task-plan.json')).success).toBe(true);
      if (role === 'architect') expect(verdictProblems(ReviewReportSchema.parse(written(steps, '.loopwright/review-report.json')))).toEqual([]);
      if (role === 'tester') {
        const plan = ProbePlanSchema.parse(written(steps, '.loopwright/probe-plan.json'));
        expect(probePlanProblems(plan, (source) => (source === 'goal' ? goal.description : undefined))).toEqual([]);
      }
    }
  });

  it('runs what the role runs: the tester its harness, the deployer the gate read, the deploy and the check after it', () => {
    const tester = draws('tester', 300).find((d) => flawless(d.work))!;
    expect(roleSteps(tester.work, tester.ctx).steps).toContainEqual({ kind: 'tool', name: 'run_command', input: { command: goal.testCommand } });
    const deployer = draws('deployer', 300).find((d) => flawless(d.work))!;
    const commands = roleSteps(deployer.work, deployer.ctx).steps.flatMap((s) => (s.kind === 'tool' && s.name === 'run_command' ? [s.input.command] : []));
    expect(commands).toEqual(['cat .loopwright/release-gate.json', goal.deployCommand, goal.verifyCommand]);
  });

  it('shows its defects: a missing part breaks the handoff, no end keeps the role going', () => {
    const missing = draws('planner', 400).find((d) => d.work.defects.includes('missing_sections'))!;
    expect(HandoffSchema.safeParse(written(roleSteps(missing.work, missing.ctx).steps, '.loopwright/handoffs/planner.json')).success).toBe(false);
    const endless = draws('architect', 400).find((d) => d.work.defects.includes('stops_at_turn_limit'))!;
    expect(roleSteps(endless.work, endless.ctx).endless).toBe(true);
  });
});
