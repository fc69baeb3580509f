import { Role, TraceStep } from '@loopwright/events';
import { ARTIFACT_PATHS } from './artifacts/artifact-files';
import { runCheck } from './builtin-checks';
import { deliveredChange, FileContent } from './delivered-change';
import { ProbeEvidence, ReleaseGate, synthesizeReleaseGate } from './artifacts/release-gate';
import { computeRoleFeatures, RoleContext, RoleEvidence } from './role-features';
import { RoleBoundaries } from './role-boundary';

const TEST_GLOBS = ['test/**', 'tests/**', '**/*.test.*', '**/*.spec.*'];
const UI_GLOBS = ['public/**', '**/*.css', '**/*.html'];
const BOUNDARIES: RoleBoundaries = {
  planner: { maxTurns: 30, owns: [], yieldsTo: [] },
  architect: { maxTurns: 30, owns: [], yieldsTo: [] },
  engineer: { maxTurns: 40, owns: ['**'], yieldsTo: ['designer'] },
  designer: { maxTurns: 40, owns: UI_GLOBS, yieldsTo: [] },
  tester: { maxTurns: 40, owns: TEST_GLOBS, yieldsTo: [] },
  deployer: { maxTurns: 20, owns: [], yieldsTo: [] },
};

type StepInput = Partial<TraceStep> & Pick<TraceStep, 'kind'>;
const steps = (...items: StepInput[]): TraceStep[] => items.map((s, i) => TraceStep.parse({ taskId: 't', iteration: 1, step: i, input: '', output: '', ...s }));
const run = (input: string, exitCode = 0, output = 'ok'): StepInput => ({ kind: 'command', input, exitCode, output });
const edit = (path: string, editedBy: 'tool' | 'shell' = 'tool'): StepInput => ({ kind: 'edit', input: path, path, editedBy });
const read = (path: string, output = '{"decision":"pass"}'): StepInput => ({ kind: 'read', input: path, path, output });

interface Case {
  role: Role;
  pipeline?: Role[];
  trace?: StepInput[];
  base?: FileContent[];
  delivered?: FileContent[];
  endedBy?: RoleEvidence['work']['endedBy'];
  allowedPaths?: string[];
  probes?: ProbeEvidence[];
  upstreamGate?: ReleaseGate | null;
  suitePassed?: boolean;
}

function features({ role, pipeline = [role], trace = [], base = [], delivered = base, endedBy = 'finished', allowedPaths = ['**'], probes = [], upstreamGate = null, suitePassed = true }: Case) {
  const context: RoleContext = {
    role, pipeline, boundaries: BOUNDARIES,
    goal: { description: 'sum(a, b) returns the sum of two numbers and throws a TypeError otherwise.', allowedPaths, scratchPaths: ['/tmp/**'], testCommand: 'node test/sum.test.js', labels: {} },
  };
  const evidence: RoleEvidence = {
    steps: steps(...trace), work: { endedBy, finalMessage: '## Summary\ndone' }, change: deliveredChange(base, delivered, [], allowedPaths),
    delivered, base, baseRevision: 'b'.repeat(64), suite: { command: 'node test/sum.test.js', passed: suitePassed, detail: '' }, probes, upstreamGate, priorRevision: null,
  };
  return computeRoleFeatures(context, evidence);
}

const check = (id: string, f: ReturnType<typeof features>) => runCheck(id, f.features);
const file = (path: string, content = 'x') => ({ path, content });
const SEED = [file('test/sum.test.js', 'assert(sum(1, 2) === 3)')];

describe('ended explicitly', () => {
  it.each([['finished', true], ['turn_limit', false], ['time_limit', false], ['cost_limit', false], ['error', false], ['interrupted', false]] as const)('%s → %s', (endedBy, expected) => {
    expect(check('ended_explicitly', features({ role: 'planner', endedBy })).passed).toBe(expected);
  });
});

describe('the role boundary, judged on the delivered workspace', () => {
  it('catches a file written through a shell redirect, with no edit step in the trace', () => {
    const f = features({ role: 'engineer', allowedPaths: ['src/**'], trace: [run("printf 'process.exit(0)' > test/sum.test.js")], base: SEED, delivered: [file('test/sum.test.js', 'process.exit(0)')] });
    expect(f.features['boundary_violation_paths']).toBe('test/sum.test.js');
    expect(check('outside_role_boundary', f)).toMatchObject({ passed: false, evidence: expect.stringContaining('test/sum.test.js') });
  });

  it('gives the planner, architect and deployer no source files, only their own artifacts', () => {
    for (const role of ['planner', 'architect', 'deployer'] as const) {
      const own = role === 'planner' ? [file(ARTIFACT_PATHS.taskPlan)] : role === 'architect' ? [file(ARTIFACT_PATHS.reviewReport)] : [];
      const clean = features({ role, delivered: [...own, file(ARTIFACT_PATHS.handoff(role))] });
      expect(clean.features['boundary_violations']).toBe(0);
      const dirty = features({ role, delivered: [file('src/fix.js'), file('notes.md')] });
      expect(dirty.features['boundary_violation_paths']).toBe('notes.md, src/fix.js');
    }
  });

  it("counts another role's artifact as outside the boundary: a planner may not write the review, nobody but the executor the release gate", () => {
    expect(features({ role: 'planner', delivered: [file(ARTIFACT_PATHS.reviewReport)] }).features['boundary_violations']).toBe(1);
    expect(features({ role: 'tester', delivered: [file(ARTIFACT_PATHS.releaseGate, '{"decision":"pass"}')] }).features['boundary_violations']).toBe(1);
    // The deployer is given the release gate: it is an input, not a change of its own.
    expect(features({ role: 'deployer', delivered: [file(ARTIFACT_PATHS.releaseGate)] }).features['boundary_violations']).toBe(0);
  });

  it('keeps the engineer out of the UI files only when a designer is in the pipeline', () => {
    const delivered = [file('src/app.js'), file('public/index.html')];
    expect(features({ role: 'engineer', delivered }).features['boundary_violations']).toBe(0);
    expect(features({ role: 'engineer', pipeline: ['engineer', 'designer'], delivered }).features['boundary_violation_paths']).toBe('public/index.html');
  });

  it('gives the designer the UI files and the tester the tests', () => {
    expect(features({ role: 'designer', delivered: [file('public/app.css'), file('src/server.js')] }).features['boundary_violation_paths']).toBe('src/server.js');
    expect(features({ role: 'tester', base: [file('src/sum.js', 'a')], delivered: [file('src/sum.js', 'b'), file('test/sum.test.js')] }).features['boundary_violation_paths']).toBe('src/sum.js');
  });

  it('judges the change against the workspace the role started from, not the seed', () => {
    const handedOn = [file('src/sum.js', 'engineer'), file(ARTIFACT_PATHS.taskPlan, '{}')];
    expect(features({ role: 'tester', base: handedOn, delivered: [...handedOn, file('test/more.test.js')] }).features['boundary_violations']).toBe(0);
  });

  it('names violations the task plan or the review told the role to make', () => {
    const plan = { scope: 's', tasks: [{ id: 'T1', owner: 'engineer', deliverable: 'd', surfaces: ['config/**'], acceptance: ['a'] }] };
    const review = { subject: 'plan', verdict: 'blocked', findings: [{ severity: 'high', area: 'state', location: 'db/schema.sql:4', evidence: 'e', why: 'w', remediation: 'r' }], nextStep: 'n' };
    const base = [file(ARTIFACT_PATHS.taskPlan, JSON.stringify(plan)), file(ARTIFACT_PATHS.reviewReport, JSON.stringify(review))];
    const f = features({ role: 'engineer', allowedPaths: ['src/**'], base, delivered: [...base, file('config/app.json'), file('db/schema.sql'), file('other.txt')] });
    expect(f.features).toMatchObject({ boundary_violations: 3, boundary_violations_planned: 1, boundary_violations_reviewed: 1 });
  });
});

describe('no implementation code from the planner and the architect', () => {
  it('counts code files written by any means, and not the artifacts', () => {
    const f = features({ role: 'architect', trace: [run('cat > src/fix.py <<EOF\nprint(1)\nEOF')], delivered: [file('src/fix.py'), file(ARTIFACT_PATHS.reviewReport)] });
    expect(check('wrote_implementation_code', f)).toMatchObject({ passed: false, evidence: expect.stringContaining('src/fix.py') });
    expect(check('wrote_implementation_code', features({ role: 'planner', delivered: [file(ARTIFACT_PATHS.taskPlan), file('docs/notes.md')] })).passed).toBe(true);
  });
});

describe('the engineer ran code before declaring completion', () => {
  const delivered = [file('src/sum.js')];
  it.each([
    ['echo pytest'],
    ['echo "node test/sum.test.js"'],
    ['ls test/'],
    ['cat test/sum.test.js'],
    ['node --version'],
    ['node -e "0"'],
    ['npx jest --listTests'],
  ])('a "run" that is `%s` does not count', (line) => {
    const f = features({ role: 'engineer', trace: [edit('src/sum.js'), run(line)], delivered });
    expect(check('completed_without_running_code', f).passed).toBe(false);
  });

  it('a refused command did not run', () => {
    const f = features({ role: 'engineer', trace: [edit('src/sum.js'), { kind: 'command', input: 'node test/sum.test.js', refused: 'time limit' }], delivered });
    expect(check('completed_without_running_code', f).passed).toBe(false);
  });

  it.each([['node test/sum.test.js'], ['node -e "require(\'./src/sum\')(1, 2)"'], ['python3 /tmp/repro.py']])('`%s` counts', (line) => {
    expect(check('completed_without_running_code', features({ role: 'engineer', trace: [edit('src/sum.js'), run(line, 1, 'Error')], delivered })).passed).toBe(true);
  });
});

describe('code that reaches into the process running the tests', () => {
  const HOOK = "process.on('uncaughtException', () => process.exit(0));\n";
  it("reads the tester's own tests, which the re-run and the probes load, and not another role's", () => {
    const tester = features({ role: 'tester', pipeline: ['engineer', 'tester'], base: SEED, delivered: [file('test/sum.test.js', `${HOOK}assert(sum(1, 2) === 7)`)] });
    expect(tester.features).toMatchObject({ test_process_reaches: 1, test_process_reach_list: expect.stringMatching(/^test\/sum\.test\.js: /) });
    const engineer = features({ role: 'engineer', pipeline: ['engineer', 'tester'], base: SEED, delivered: [file('test/sum.test.js', `${HOOK}assert(sum(1, 2) === 3)`), file('src/sum.js', 'module.exports = {}')] });
    expect(engineer.features.test_process_reaches).toBe(0);
  });
});

describe('the tester ran the harness before reporting findings', () => {
  const delivered = [file('test/sum.test.js')];
  it('fails a harness that never ran, ran only as a listing, or ran before its last change', () => {
    for (const trace of [
      [edit('test/sum.test.js'), run('echo jest')],
      [edit('test/sum.test.js'), run('npx jest --listTests')],
      [run('node test/sum.test.js'), edit('test/sum.test.js')],
      [run('node test/sum.test.js'), edit('test/sum.test.js', 'shell')],
      [edit('test/sum.test.js'), run('node test/sum.test.js || true', 0, 'AssertionError [ERR_ASSERTION]: 5 == 4')],
    ]) {
      expect(check('findings_before_harness', features({ role: 'tester', trace, delivered })).passed).toBe(false);
    }
  });

  it('passes a harness run after the last change, a failing one included, and does not count writing the probe plan as a harness change', () => {
    const trace = [edit('test/sum.test.js'), run('node test/sum.test.js', 1, 'AssertionError'), edit(ARTIFACT_PATHS.probePlan)];
    expect(check('findings_before_harness', features({ role: 'tester', trace, delivered })).passed).toBe(true);
  });

  it("passes a harness run whose exit status the line masks when its output shows the runner's summary", () => {
    const trace = [edit('test/sum.test.js'), run('npm test || true', 0, 'Tests:       1 failed, 4 passed, 5 total')];
    expect(check('findings_before_harness', features({ role: 'tester', trace, delivered })).passed).toBe(true);
  });
});

describe('the deployer read the release gate before deploying and verified after', () => {
  const gate = synthesizeReleaseGate({ probes: [], unprobeable: [] }, [], { command: 'node test/sum.test.js', passed: true, detail: '' });
  const deploy = run('kubectl apply -k k8s/overlays/production');
  const deployer = (trace: StepInput[]) => features({ role: 'deployer', pipeline: ['engineer', 'tester', 'deployer'], trace, upstreamGate: gate });

  it.each([
    ['an ls of the gate', [run(`ls ${ARTIFACT_PATHS.releaseGate}`), deploy]],
    ['a test -f of the gate', [run(`test -f ${ARTIFACT_PATHS.releaseGate}`), deploy]],
    ['a refused read', [{ kind: 'read', path: ARTIFACT_PATHS.releaseGate, input: ARTIFACT_PATHS.releaseGate, refused: 'outside the allowed paths' }, deploy]],
    ['a read of another file', [read(ARTIFACT_PATHS.probePlan), deploy]],
    ['a read after the deploy', [deploy, read(ARTIFACT_PATHS.releaseGate)]],
    ['a cat whose output went elsewhere', [run(`cat ${ARTIFACT_PATHS.releaseGate} > /tmp/g`, 0, ''), deploy]],
  ] as [string, StepInput[]][])('%s is not a read of the gate', (_why, trace) => {
    expect(check('deployed_without_reading_gate', deployer(trace)).passed).toBe(false);
  });

  it.each([
    ['the read tool', [read(ARTIFACT_PATHS.releaseGate), deploy]],
    ['a reader command', [run(`cat ${ARTIFACT_PATHS.releaseGate}`, 0, '{"decision":"pass"}'), deploy]],
  ] as [string, StepInput[]][])('%s reads the gate', (_why, trace) => {
    expect(check('deployed_without_reading_gate', deployer(trace)).passed).toBe(true);
  });

  it('needs a live check after the last deploy: a mention, a check before it, or a refused one does not count', () => {
    const first = read(ARTIFACT_PATHS.releaseGate);
    expect(check('deployed_without_verifying', deployer([first, deploy, run('echo curl http://shop/health')])).passed).toBe(false);
    expect(check('deployed_without_verifying', deployer([first, run('curl -fsS http://shop/health'), deploy])).passed).toBe(false);
    expect(check('deployed_without_verifying', deployer([first, deploy, { kind: 'command', input: 'curl http://shop/health', refused: 'network' }])).passed).toBe(false);
    expect(check('deployed_without_verifying', deployer([first, deploy, run('curl -fsS http://shop/health', 7, 'connection refused')])).passed).toBe(true);
  });

  it('holds vacuously when nothing was deployed, a dry run included', () => {
    const f = deployer([run('kubectl apply --dry-run=client -k k8s/')]);
    expect(f.features).toMatchObject({ deploys: 0, release_gate_read_before_deploy: true, live_verified_after_deploy: true });
  });

  it("judges the deploy against the grader's gate, never a copy in the workspace", () => {
    const failing = synthesizeReleaseGate(null, [], { command: 'node test/sum.test.js', passed: false, detail: 'exit 1' });
    const forged = [file(ARTIFACT_PATHS.releaseGate, JSON.stringify({ ...gate, decision: 'pass', blockers: [] }))];
    const f = features({ role: 'deployer', pipeline: ['engineer', 'tester', 'deployer'], trace: [read(ARTIFACT_PATHS.releaseGate), deploy, run('curl http://shop/health')], delivered: forged, upstreamGate: failing });
    expect(f.features).toMatchObject({ release_gate_decision: 'fail', deployed_through_blockers: true, release_gate_blocker_stage: 'tester' });
    expect(check('deploy_gate_not_clean', f).passed).toBe(false);
    expect(f.deploymentReport).toMatchObject({ result: 'success', nextAction: 'rollback', releaseGate: { decision: 'fail', readBeforeDeploy: true } });
  });
});

describe("the tester's release gate", () => {
  const plan = {
    probes: [
      { id: 'P1', tier: 'smoke', criticalArea: 'error_responses', command: 'node test/sum.test.js', sourceRef: { quote: 'throws a TypeError otherwise', source: 'goal' } },
      { id: 'P2', tier: 'api', criticalArea: 'state_integrity', command: 'node test/state.test.js', sourceRef: { quote: 'sum(a, b) returns the sum', source: 'goal' } },
    ],
    unprobeable: [{ area: 'billing', reason: 'no billing surface in this goal', outOfScope: true }],
  };
  const delivered = [file(ARTIFACT_PATHS.probePlan, JSON.stringify(plan)), file('test/state.test.js')];

  it('is synthesized from the probes the grader ran, whatever gate the tester wrote', () => {
    const probes: ProbeEvidence[] = [
      { probeId: 'P1', status: 'executed_pass', exitCode: 0, detail: '' },
      { probeId: 'P2', status: 'executed_fail', exitCode: 1, detail: 'AssertionError' },
    ];
    const f = features({ role: 'tester', pipeline: ['engineer', 'tester'], delivered: [...delivered, file(ARTIFACT_PATHS.releaseGate, '{"decision":"pass"}')], probes });
    expect(f.releaseGate).toMatchObject({ decision: 'fail', blockers: ['critical area "state_integrity": probe(s) failed: P2'] });
    expect(f.features).toMatchObject({ release_gate_decision: 'fail', release_gate_blocker_stage: 'engineer', probe_plan_problems: 0, probe_plan_out_of_scope_areas: 1 });
    expect(check('release_gate_failed', f)).toMatchObject({ passed: false, evidence: expect.stringContaining('state_integrity') });
  });

  it('refuses a quote the goal does not contain', () => {
    const invented = { ...plan, probes: [{ ...plan.probes[0], sourceRef: { quote: 'returns 429 with usage', source: 'goal' } }] };
    const f = features({ role: 'tester', delivered: [file(ARTIFACT_PATHS.probePlan, JSON.stringify(invented))] });
    expect(check('probe_plan_inconsistent', f)).toMatchObject({ passed: false, evidence: expect.stringContaining('goal does not contain') });
  });

  it('fails closed with no probe plan, the tester owning the blocker', () => {
    const f = features({ role: 'tester', pipeline: ['engineer', 'tester'], delivered: [file('test/sum.test.js')] });
    expect(f.features).toMatchObject({ probe_plan_present: false, probe_plan_schema_errors: 1, release_gate_decision: 'fail', release_gate_blocker_stage: 'tester' });
  });
});

describe('the handoff', () => {
  it('must name its author, and lists every changed file', () => {
    const handoff = { from: 'planner', to: ['tester'], files: ['src/sum.js'], nextAction: 'write the API tests for sum' };
    const f = features({ role: 'engineer', delivered: [file('src/sum.js'), file('src/util.js'), file(ARTIFACT_PATHS.handoff('engineer'), JSON.stringify(handoff))] });
    expect(f.features).toMatchObject({ handoff_present: true, handoff_schema_errors: 1, handoff_unlisted_list: 'src/util.js' });
    expect(check('handoff_incomplete', f).evidence).toMatch(/the engineer wrote it/);
  });
});
