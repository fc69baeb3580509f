import { createEvent, EventDataInput, LoopEvent, NewEvent, Role, RubricGrade, ToReachNext } from '@loopwright/events';
import type { RoleBoundaries } from '@loopwright/checks';
import { decideExecutor, ExecutorIntent } from './decide';
import { foldRun } from './run-state';

const runId = 'run-p';
const boundaries: RoleBoundaries = {
  planner: { maxTurns: 30, owns: [], yieldsTo: [] },
  architect: { maxTurns: 30, owns: [], yieldsTo: [] },
  engineer: { maxTurns: 40, owns: ['**'], yieldsTo: ['designer'] },
  designer: { maxTurns: 40, owns: ['ui/**'], yieldsTo: [] },
  tester: { maxTurns: 40, owns: ['test/**'], yieldsTo: [] },
  deployer: { maxTurns: 20, owns: [], yieldsTo: [] },
};
const policy = { draftEstimateUsd: 0.25, editEstimateUsd: 0.05, boundaries };
const task = (role: Role) => `${runId}-${role}`;

const goal = (roles: Role[], overrides: Partial<EventDataInput<'goal.submitted'>> = {}) =>
  createEvent({
    type: 'goal.submitted', aggregateId: runId, producer: 'submitter',
    data: { goalId: 'g', title: 't', description: 'd', roles, allowedPaths: ['src/**', 'ui/**'], testCommand: 'node t.js', budgetUsd: 1, maxIterations: 5, maxTurns: 35, ...overrides },
  });

const emitted = (intents: ExecutorIntent[]) => intents.flatMap((i) => (i.kind === 'emit' ? [i.event] : []));
const asEvents = (intents: ExecutorIntent[]) => emitted(intents).map((e) => createEvent(e as NewEvent<typeof e.type>) as LoopEvent);
const when = (history: LoopEvent[], event: Parameters<typeof decideExecutor>[1]) => decideExecutor(foldRun(runId, history), event, policy);

function routed(role: Role, iteration: number) {
  return createEvent({ type: 'decision.routed', aggregateId: runId, producer: 'router', data: { decisionId: `${task(role)}-draft-${iteration}`, key: `executor:${role}:${iteration === 1 ? 'draft' : 'revise'}`, tier: 'frontier', reason: 'r', reservedUsd: 0.25 } });
}

function work(role: Role, iteration: number, endedBy: 'finished' | 'error' = 'finished') {
  return createEvent({
    type: 'work.produced', aggregateId: runId, producer: 'executor',
    data: { workId: `${task(role)}-w${iteration}`, taskId: task(role), role, iteration, artifactDigest: `${role.length}${iteration}`.padEnd(64, '0'), files: [], claims: { testsPass: true, testsRun: true, summary: '' }, finalMessage: '', testCommand: 'node t.js', allowedPaths: ['src/**'], endedBy, turnsUsed: 3, maxTurns: 10 },
  });
}

const item = (id: string, fixType: ToReachNext['fixType'], stage?: Role): ToReachNext => ({ id, current: 2, target: 5, delta: `raise ${id}`, owner: fixType === 'tier-ceiling' ? 'human' : 'executor', fixType, stage, honestyNote: '' });

function rubric(rubricId: string, passed: boolean, items: ToReachNext[], scores: Record<string, number> = {}, gates: Record<string, boolean> = {}): RubricGrade {
  return {
    rubricId, rubricVersion: 1, surface: 'output', passed, overall: passed ? 0.9 : 0.3, weightedAvg: null, notScored: [], capsApplied: [], toReachNext: items,
    gates: Object.entries(gates).map(([id, ok]) => ({ id, passed: ok, evidence: '', tier: 'deterministic', severity: 'critical' })),
    dimensions: Object.entries(scores).map(([id, score]) => ({ id, score, evidence: '', reasoning: '', tier: 'frontier' })),
  };
}

function grade(role: Role, iteration: number, rubrics: RubricGrade[], route?: EventDataInput<'grade.recorded'>['route']) {
  const passed = rubrics.every((r) => r.passed);
  return createEvent({
    type: 'grade.recorded', aggregateId: runId, producer: 'grader',
    data: { gradeId: `${task(role)}-g${iteration}`, workId: `${task(role)}-w${iteration}`, taskId: task(role), role, iteration, passed, overall: passed ? 0.9 : 0.3, rubrics, rerun: { command: 'node t.js', exitCode: 0, output: '' }, costUsd: 0, ...(route ? { route } : {}) },
  });
}

const pass = (role: Role, iteration: number) => grade(role, iteration, [rubric('handoff', true, [])]);

/** Plays a run forward: each event the decider answers is followed by what it emitted. */
function play(events: LoopEvent[]): LoopEvent[] {
  const history: LoopEvent[] = [];
  for (const event of events) {
    history.push(event);
    if (event.type === 'goal.submitted' || event.type === 'grade.recorded') history.push(...asEvents(when(history, event)));
  }
  return history;
}

const started = (history: LoopEvent[]) => history.filter((e): e is Extract<LoopEvent, { type: 'task.started' }> => e.type === 'task.started');

describe('the pipeline of a goal', () => {
  it('runs the roles in order, each from the previous role\'s accepted work, inside its own paths and turn budget', () => {
    const history = play([goal(['tester', 'planner', 'engineer']), routed('planner', 1), work('planner', 1), pass('planner', 1), routed('engineer', 1), work('engineer', 1), pass('engineer', 1)]);
    const starts = started(history);
    expect(starts.map((s) => [s.data.role, s.data.iteration, s.data.startedFrom?.workId])).toEqual([
      ['planner', 1, undefined],
      ['engineer', 1, `${task('planner')}-w1`],
      ['tester', 1, `${task('engineer')}-w1`],
    ]);
    // The planner owns no files: it may write only its own artifacts, in its own budget (the goal's 35 caps the engineer's 40).
    expect(starts[0].data).toMatchObject({ allowedPaths: ['.loopwright/task-plan.json', '.loopwright/handoffs/planner.json'], maxTurns: 30 });
    expect(starts[1].data).toMatchObject({ allowedPaths: ['src/**', 'ui/**', '.loopwright/handoffs/engineer.json'], maxTurns: 35 });
    const run = when(history, routed('tester', 1));
    expect(run[0]).toMatchObject({ kind: 'runAgent', assignment: { role: 'tester', startedFrom: { workId: `${task('engineer')}-w1`, role: 'engineer' }, maxTurns: 35 } });
  });

  it('sends an upstream-structural item back to the stage that owns it, then re-runs the stages after it from the new work', () => {
    const engineerFails = grade('engineer', 1, [rubric('implementation', false, [item('file_ownership', 'upstream-structural', 'architect'), item('correctness', 'local', 'engineer')])], {
      fixType: 'upstream-structural', stage: 'architect', items: ['file_ownership'], reason: 'the review told the engineer to change ui files',
    });
    let history = play([goal(['architect', 'engineer', 'designer']), routed('architect', 1), work('architect', 1), pass('architect', 1), routed('engineer', 1), work('engineer', 1), engineerFails]);
    const back = started(history).at(-1)!;
    expect(back.data).toMatchObject({ role: 'architect', iteration: 2, cause: 'revision', feedback: [{ id: 'file_ownership', fixType: 'upstream-structural' }] });
    // The architect revises its own review; then the engineer starts afresh from the architect's new work, keeping its local item.
    expect(when(history, routed('architect', 2))[0]).toMatchObject({ kind: 'runAgent', assignment: { role: 'architect', previousArtifact: work('architect', 1).data.artifactDigest } });
    history = play([...history, routed('architect', 2), work('architect', 2), pass('architect', 2)]);
    const again = started(history).at(-1)!;
    expect(again.data).toMatchObject({ role: 'engineer', iteration: 2, cause: 'upstream', startedFrom: { workId: `${task('architect')}-w2` }, feedback: [{ id: 'correctness' }] });
    const rerun = when(history, routed('engineer', 2))[0];
    expect(rerun).toMatchObject({ kind: 'runAgent', assignment: { previousArtifact: undefined, startedFrom: { workId: `${task('architect')}-w2` } } });
  });

  it('turns a grade with only scope calls left into a review for a person, and the run waits on it', () => {
    const ceiling = grade('tester', 1, [rubric('release-gate', false, [item('gate_decision_pass', 'tier-ceiling')])], { fixType: 'tier-ceiling', items: ['gate_decision_pass'], reason: 'only scope calls are left' });
    const history = play([goal(['tester', 'deployer']), routed('tester', 1), work('tester', 1), ceiling]);
    const types = history.map((e) => e.type);
    expect(types.slice(-3)).toEqual(['review.requested', 'task.failed', 'run.ended']);
    expect(history.at(-3)).toMatchObject({ data: { reason: 'tier-ceiling', items: ['gate_decision_pass'], taskId: task('tester') } });
    expect(history.at(-1)).toMatchObject({ data: { status: 'blocked-on-questions', tasks: [{ role: 'tester', status: 'review' }, { role: 'deployer', status: 'blocked' }] } });
    expect(started(history)).toHaveLength(1);
  });

  it('does not iterate on scope calls while a local item remains: the local item goes back to the role', () => {
    const mixed = grade('engineer', 1, [rubric('implementation', false, [item('correctness', 'local', 'engineer'), item('scope', 'tier-ceiling')])]);
    const history = play([goal(['engineer']), routed('engineer', 1), work('engineer', 1), mixed]);
    expect(started(history).at(-1)!.data.feedback.map((f) => f.id)).toEqual(['correctness']);
  });

  it('parks a task as stuck after two failed bounces and blocks the roles that depend on it', () => {
    const fail = (n: number) => grade('engineer', n, [rubric('implementation', false, [item('correctness', 'local', 'engineer')], { correctness: 2 })]);
    const history = play([
      goal(['planner', 'engineer', 'tester', 'deployer']), routed('planner', 1), work('planner', 1), pass('planner', 1),
      routed('engineer', 1), work('engineer', 1), fail(1), routed('engineer', 2), work('engineer', 2), fail(2), routed('engineer', 3), work('engineer', 3), fail(3),
    ]);
    expect(started(history).filter((s) => s.data.role === 'engineer')).toHaveLength(3);
    expect(history.at(-2)).toMatchObject({ type: 'task.failed', data: { reason: expect.stringMatching(/^stuck after 3 iteration\(s\) \(2 failed bounce/) } });
    expect(history.at(-1)).toMatchObject({
      type: 'run.ended',
      data: { status: 'stuck', tasks: [{ role: 'planner', status: 'completed' }, { role: 'engineer', status: 'stuck' }, { role: 'tester', status: 'blocked' }, { role: 'deployer', status: 'blocked' }] },
    });
  });

  it('ends a run whose release gate keeps failing as gate failed', () => {
    const fail = (n: number) => grade('tester', n, [rubric('release-gate', false, [item('evidence_traceability', 'local', 'tester')])]);
    const history = play([goal(['tester']), routed('tester', 1), work('tester', 1), fail(1), routed('tester', 2), work('tester', 2), fail(2), routed('tester', 3), work('tester', 3), fail(3)]);
    expect(history.at(-1)).toMatchObject({ type: 'run.ended', data: { status: 'gate-failed' } });
  });

  it('gives an infrastructure failure one free retry, and then counts it', () => {
    const broken = (n: number) => grade('engineer', n, [rubric('implementation', false, [item('module_loads', 'local', 'engineer')])]);
    const history = play([
      goal(['engineer']), routed('engineer', 1), work('engineer', 1, 'error'), broken(1),
      routed('engineer', 2), work('engineer', 2, 'error'), broken(2), routed('engineer', 3), work('engineer', 3, 'error'), broken(3), routed('engineer', 4), work('engineer', 4, 'error'), broken(4),
    ]);
    expect(started(history).map((s) => s.data.cause)).toEqual(['draft', 'retry', 'revision', 'revision']);
    expect(history.at(-1)).toMatchObject({ type: 'run.ended', data: { status: 'stuck' } });
  });

  it('escalates a boundary block to a person without spending a retry', () => {
    const outside = grade('designer', 1, [rubric('implementation', false, [item('file_ownership', 'local', 'designer')], {}, { file_ownership: false })]);
    const history = play([goal(['designer']), routed('designer', 1), work('designer', 1), outside]);
    expect(history.map((e) => e.type).slice(-3)).toEqual(['review.requested', 'task.failed', 'run.ended']);
    expect(history.at(-3)).toMatchObject({ data: { reason: 'scope-call', summary: expect.stringMatching(/outside its boundary/) } });
    expect(started(history)).toHaveLength(1);
  });

  it('checks after a revision that the targeted item moved and nothing regressed, and feeds a regression back', () => {
    const first = grade('engineer', 1, [rubric('implementation', false, [item('correctness', 'local', 'engineer')], { correctness: 2, implementation_note_quality: 5 })]);
    const second = grade('engineer', 2, [rubric('implementation', false, [item('implementation_note_quality', 'local', 'engineer')], { correctness: 5, implementation_note_quality: 3 })]);
    const history = play([goal(['engineer']), routed('engineer', 1), work('engineer', 1), first, routed('engineer', 2), work('engineer', 2), second]);
    const third = started(history).at(-1)!;
    expect(third.data).toMatchObject({ iteration: 3, revisionCheck: { moved: ['correctness'], unmoved: [], regressed: ['implementation/implementation_note_quality'] } });
    expect(third.data.feedback).toEqual([expect.objectContaining({ id: 'implementation_note_quality', fixType: 'local' })]);
  });

  it('lays the tester\'s release gate in the deployer\'s workspace', () => {
    const verified = createEvent({
      type: 'work.verified', aggregateId: runId, producer: 'grader',
      data: {
        workId: `${task('tester')}-w1`, taskId: task('tester'), role: 'tester', iteration: 1,
        rerun: { command: 'node t.js', exitCode: 0, output: '', timedOut: false, isolation: 'skipped', durationMs: 0 },
        change: { created: [], modified: [], deleted: [], outOfScope: [], irregular: [] }, features: {},
        releaseGate: { decision: 'pass', blockers: [], tiers: [], criticalAreas: [], cosmeticIssues: [], summary: 'all tiers passed' },
      },
    });
    const history = play([goal(['tester', 'deployer']), routed('tester', 1), work('tester', 1), verified, pass('tester', 1)]);
    const run = when(history, routed('deployer', 1))[0];
    expect(run).toMatchObject({ kind: 'runAgent', assignment: { inputs: [{ path: '.loopwright/release-gate.json', content: expect.stringContaining('"decision": "pass"') }] } });
  });

  it('gives the editorial pass on a resident\'s draft the same starting point and limits as the draft', () => {
    const history = play([goal(['planner', 'engineer']), routed('planner', 1), work('planner', 1), pass('planner', 1), routed('engineer', 1)]);
    const requested = createEvent({
      type: 'decision.requested', aggregateId: runId, producer: 'executor',
      data: {
        decisionId: `${task('engineer')}-edit-1`, key: 'executor:engineer:edit', requester: 'executor', role: 'engineer', kind: 'edit', taskId: task('engineer'), estimatedUsd: 0.05,
        features: { lint_passed: true, draft_attempts: 1 }, artifactDigest: 'e'.repeat(64),
      },
    });
    const edit = createEvent({ type: 'decision.routed', aggregateId: runId, producer: 'router', data: { decisionId: `${task('engineer')}-edit-1`, key: 'executor:engineer:edit', tier: 'frontier', reason: 'r', reservedUsd: 0.05 } });
    expect(when([...history, requested], edit)[0]).toMatchObject({
      kind: 'runEdit',
      assignment: { startedFrom: { workId: `${task('planner')}-w1`, role: 'planner' }, allowedPaths: ['src/**', 'ui/**', '.loopwright/handoffs/engineer.json'], maxTurns: 35 },
    });
  });
});
