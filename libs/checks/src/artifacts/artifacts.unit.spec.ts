import { TraceStep } from '@loopwright/events';
import { readArtifact } from './artifact-files';
import { synthesizeDeploymentReport } from './deployment-report';
import { ProbePlanSchema } from './probe-plan';
import { probesByTier, synthesizeReleaseGate, tierOrderProblems } from './release-gate';
import { ReviewReportSchema, verdictProblems } from './review-report';
import { dependencyProblems, TaskPlanSchema } from './task-plan';

const task = (id: string, dependsOn: string[] = []) => ({ id, owner: 'engineer', deliverable: `deliver ${id}`, acceptance: ['checkable'], dependsOn });

describe('the task plan', () => {
  it('names unknown dependencies and every cycle', () => {
    const plan = TaskPlanSchema.parse({ scope: 's', tasks: [task('T1'), task('T2', ['T3']), task('T3', ['T2']), task('T4', ['T9'])] });
    expect(dependencyProblems(plan)).toEqual(['T4 depends on unknown task T9', 'dependency cycle T2 → T3 → T2']);
    expect(dependencyProblems(TaskPlanSchema.parse({ scope: 's', tasks: [task('T1'), task('T2', ['T1'])] }))).toEqual([]);
  });

  it('is read without throwing: missing, not JSON, or incomplete, each named', () => {
    expect(readArtifact([], 'p.json', TaskPlanSchema)).toMatchObject({ present: false, issues: [{ message: 'p.json is missing' }] });
    expect(readArtifact([{ path: 'p.json', content: '{' }], 'p.json', TaskPlanSchema).issues[0].message).toMatch(/is not JSON/);
    const incomplete = readArtifact([{ path: 'p.json', content: JSON.stringify({ scope: 's', tasks: [{ id: 'T1', owner: '', deliverable: ' ', acceptance: [] }] }) }], 'p.json', TaskPlanSchema);
    expect(incomplete.issues.map((i) => i.path).sort()).toEqual(['tasks.0.acceptance', 'tasks.0.deliverable', 'tasks.0.owner']);
  });
});

describe('the review report verdict', () => {
  const finding = (severity: string) => ({ severity, area: 'trust', location: 'src/a.js:3', evidence: 'e', why: 'w', remediation: 'r' });
  const report = (verdict: string, ...severities: string[]) => ReviewReportSchema.parse({ subject: 'plan', verdict, findings: severities.map(finding), nextStep: 'n' });
  it.each([
    [report('approved', 'high'), 1],
    [report('approved-with-conditions', 'high', 'low'), 1],
    [report('blocked', 'low'), 1],
    [report('blocked', 'high'), 0],
    [report('approved', 'medium', 'low'), 0],
  ])('%#: %s problem(s)', (r, n) => {
    expect(verdictProblems(r)).toHaveLength(n);
  });
});

describe('the release gate, synthesized', () => {
  const plan = ProbePlanSchema.parse({
    probes: [
      { id: 'S1', tier: 'smoke', criticalArea: 'deployment_correctness', command: 'node smoke.js', sourceRef: { quote: 'q', source: 'goal' } },
      { id: 'A1', tier: 'api', criticalArea: 'auth', command: 'node auth.js', sourceRef: { quote: 'q', source: 'goal' } },
      { id: 'E1', tier: 'e2e', criticalArea: 'auth', command: 'node e2e.js', sourceRef: { quote: 'q', source: 'goal' } },
    ],
    unprobeable: [{ area: 'billing', reason: 'no billing surface' }],
  });

  it('runs tier by tier, smoke first', () => {
    expect(probesByTier(plan)).toEqual([{ tier: 'smoke', probeIds: ['S1'] }, { tier: 'api', probeIds: ['A1'] }, { tier: 'e2e', probeIds: ['E1'] }]);
  });

  it('passes only when every probed area is verified and the suite passed', () => {
    const pass = (probeId: string) => ({ probeId, status: 'executed_pass' as const, exitCode: 0, detail: '' });
    const gate = synthesizeReleaseGate(plan, [pass('S1'), pass('A1'), pass('E1')], { command: 'npm test', passed: true, detail: '' });
    expect(gate).toMatchObject({ decision: 'pass', blockers: [], tiers: [{ status: 'passed' }, { status: 'passed' }, { status: 'passed' }] });
    expect(gate.criticalAreas).toContainEqual({ area: 'billing', status: 'not_applicable', evidence: 'no billing surface' });
    expect(tierOrderProblems(gate)).toEqual([]);
  });

  it('fails closed on a failed probe, an unexecuted probe, a failed suite or a missing plan', () => {
    const gate = synthesizeReleaseGate(plan, [{ probeId: 'S1', status: 'executed_fail', exitCode: 1, detail: 'boom' }], { command: 'npm test', passed: false, detail: 'exit 1' });
    expect(gate.decision).toBe('fail');
    expect(gate.tiers.map((t) => t.status)).toEqual(['failed', 'skipped', 'skipped']);
    expect(gate.blockers).toEqual([
      "the goal's tests failed: npm test (exit 1)",
      'critical area "deployment_correctness": probe(s) failed: S1',
      'critical area "auth": probe(s) not executed: A1, E1',
    ]);
    expect(synthesizeReleaseGate(null, [], null)).toMatchObject({ decision: 'fail', blockers: ['no valid probe plan: nothing says what the release must prove'] });
  });

  it('names evidence that ran a tier after an earlier one failed', () => {
    const outOfOrder = synthesizeReleaseGate(plan, [
      { probeId: 'S1', status: 'executed_fail', exitCode: 1, detail: '' },
      { probeId: 'A1', status: 'executed_pass', exitCode: 0, detail: '' },
    ], null);
    expect(tierOrderProblems(outOfOrder)).toEqual(['tier api ran although an earlier tier did not pass']);
  });

  it('is never PASS with a blocker: the decision follows from the blockers', () => {
    for (const suite of [null, { command: 'npm test', passed: false, detail: '' }]) {
      const gate = synthesizeReleaseGate(plan, [], suite);
      expect(gate.decision === 'pass').toBe(gate.blockers.length === 0);
    }
  });
});

describe('the deployment report, synthesized from the deployer trace', () => {
  const steps = (...lines: [string, number][]) => lines.map(([input, exitCode], i) => TraceStep.parse({ taskId: 't', iteration: 1, step: i, kind: 'command', input, exitCode, output: exitCode === 0 ? 'ok' : 'error' }));
  const gate = synthesizeReleaseGate(ProbePlanSchema.parse({ probes: [] }), [], { command: 'npm test', passed: true, detail: '' });
  const base = { releaseGate: gate, gateReadBeforeDeploy: true, revision: 'r'.repeat(64), environment: 'staging', priorRevision: null, goal: {} };

  it('is a success only when the last deploy worked and every live check after it passed', () => {
    const report = synthesizeDeploymentReport({ ...base, steps: steps(['kubectl apply --dry-run=client -k k8s/', 0], ['kubectl apply -k k8s/', 0], ['curl -fsS http://shop/health', 0]) });
    expect(report).toMatchObject({ result: 'success', nextAction: 'proceed', deploys: [{ tool: 'kubectl apply', ok: true }], dryRuns: [{ tool: 'kubectl apply' }], verification: [{ ok: true }] });
    expect(report.rollback.priorRevision).toBeNull();
  });

  it('reports a failed check for rollback, and an unverified deploy as a failure', () => {
    expect(synthesizeDeploymentReport({ ...base, steps: steps(['kubectl apply -k k8s/', 0], ['curl http://shop/health', 22]) })).toMatchObject({ result: 'failure', nextAction: 'rollback' });
    expect(synthesizeDeploymentReport({ ...base, steps: steps(['kubectl apply -k k8s/', 0]) })).toMatchObject({ result: 'failure', issues: [{ description: 'nothing checked the target after the last deploy' }] });
  });

  it('sends a failing gate upstream when nothing was deployed', () => {
    const failing = synthesizeReleaseGate(null, [], null);
    expect(synthesizeDeploymentReport({ ...base, releaseGate: failing, steps: [] })).toMatchObject({ result: 'not-deployed', nextAction: 'fix-upstream' });
  });
});
