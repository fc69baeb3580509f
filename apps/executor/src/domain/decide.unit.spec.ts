import { createEvent, EventDataInput, EventOf, LoopEvent, NewEvent } from '@loopwright/events';
import { decideExecutor, ExecutorIntent } from './decide';
import { foldRun } from './run-state';

const policy = { draftEstimateUsd: 0.25, editEstimateUsd: 0.05 };
const runId = 'run-1';
const taskId = 'run-1-engineer';

const goal = (overrides: Partial<EventDataInput<'goal.submitted'>> = {}) =>
  createEvent({
    type: 'goal.submitted', aggregateId: runId, producer: 'submitter',
    data: { goalId: 'g', title: 't', description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 'node t.js', budgetUsd: 1, maxIterations: 2, ...overrides },
  });

const emitted = (intents: ExecutorIntent[]) => intents.flatMap((i) => (i.kind === 'emit' ? [i.event] : []));

/** given the events so far, when one arrives, then the executor's intents. */
function when(history: LoopEvent[], event: Parameters<typeof decideExecutor>[1]): ExecutorIntent[] {
  return decideExecutor(foldRun(runId, history), event, policy);
}

function started(iteration: number, feedback: { id: string; delta: string; fixType: string }[] = []) {
  return createEvent({ type: 'task.started', aggregateId: runId, producer: 'executor', data: { taskId, role: 'engineer', iteration, allowedPaths: ['src/**'], maxTurns: 10, feedback } });
}

function routed(iteration: number, tier: 'frontier' | 'human' = 'frontier') {
  return createEvent({ type: 'decision.routed', aggregateId: runId, producer: 'router', data: { decisionId: `${taskId}-draft-${iteration}`, key: `executor:engineer:${iteration === 1 ? 'draft' : 'revise'}`, tier, reason: 'r', reservedUsd: 0.25 } });
}

function work(iteration: number) {
  return createEvent({
    type: 'work.produced', aggregateId: runId, producer: 'executor',
    data: { workId: `${taskId}-w${iteration}`, taskId, role: 'engineer', iteration, artifactDigest: String(iteration).repeat(64), files: [], claims: { testsPass: true, testsRun: true, summary: '' }, finalMessage: '', testCommand: 'node t.js', allowedPaths: ['src/**'], endedBy: 'finished', turnsUsed: 3, maxTurns: 10 },
  });
}

function grade(iteration: number, passed: boolean, fixType: 'local' | 'tier-ceiling' = 'local') {
  return createEvent({
    type: 'grade.recorded', aggregateId: runId, producer: 'grader',
    data: {
      gradeId: `g${iteration}`, workId: `${taskId}-w${iteration}`, taskId, role: 'engineer', iteration, passed, overall: passed ? 0.9 : 0.2,
      rubrics: [{ rubricId: 'engineer.behavior', rubricVersion: 1, surface: 'trace', gates: [], dimensions: [], notScored: [], weightedAvg: null, overall: passed ? 0.9 : 0.2, capsApplied: [], passed,
        toReachNext: passed ? [] : [{ id: 'ran_tests_before_claim', current: false, target: true, delta: 'run the tests', owner: 'executor', fixType, honestyNote: '' }] }],
      rerun: { command: 'node t.js', exitCode: 0, output: '' }, costUsd: 0,
    },
  });
}

describe('the executor decider', () => {
  it('starts the first role of the pipeline with a routed draft decision', () => {
    const submitted = goal();
    const intents = emitted(when([submitted], submitted));
    expect(intents.map((e) => e.type)).toEqual(['task.started', 'decision.requested']);
    expect(intents[1].data).toMatchObject({ key: 'executor:engineer:draft', estimatedUsd: 0.25, decisionId: `${taskId}-draft-1` });
  });

  it('does not start twice when the goal is redelivered', () => {
    const submitted = goal();
    expect(when([submitted, started(1)], submitted)).toEqual([{ kind: 'ignore', reason: 'the run has already started' }]);
  });

  it('keeps the run on its first goal and refuses a second one, naming both', () => {
    const [first, second] = [goal(), goal({ testCommand: 'true' })];
    expect(when([first, started(1), second], second)).toEqual([{ kind: 'refuse', reason: expect.stringContaining(`already has its goal (goal.submitted ${first.id}); a second goal.submitted ${second.id} is refused`) }]);
    const assigned = when([first, started(1), second, routed(1)], routed(1))[0];
    expect(assigned).toMatchObject({ kind: 'runAgent' });
    expect(foldRun(runId, [first, second]).goal).toMatchObject({ eventId: first.id, testCommand: 'node t.js' });
  });

  it('runs no session for a routing that arrives after its task stopped or a later iteration took over', () => {
    const failed = createEvent({ type: 'task.failed', aggregateId: runId, producer: 'executor', data: { taskId, role: 'engineer', iterations: 1, reason: 'quarantined' } });
    expect(when([goal(), started(1), failed], routed(1))).toEqual([{ kind: 'ignore', reason: `${taskId}-draft-1 was routed after the engineer's task stopped (failed)` }]);
    expect(when([goal(), started(1), started(2)], routed(1))).toEqual([{ kind: 'ignore', reason: `${taskId}-draft-1 is for iteration 1; the engineer is at iteration 2` }]);
  });

  it('does not start a run that ended before its goal was handled', () => {
    const submitted = goal();
    const ended = createEvent({
      type: 'run.ended', aggregateId: runId, producer: 'executor',
      data: { runId, status: 'stuck', reason: 'quarantined', tasks: [{ role: 'engineer', status: 'failed' }] },
    });
    expect(when([submitted, ended], submitted)).toEqual([{ kind: 'ignore', reason: `the run ended (stuck, ${ended.id}) before its goal was handled` }]);
  });

  it('runs the agent when the draft is routed to a model, and fails the task when a person must decide', () => {
    const history = [goal(), started(1), routed(1)];
    expect(when(history, routed(1))).toEqual([expect.objectContaining({ kind: 'runAgent', assignment: expect.objectContaining({ iteration: 1, tier: 'frontier' }) })]);
    expect(emitted(when([goal(), started(1)], routed(1, 'human')))[0]).toMatchObject({ type: 'task.failed' });
  });

  it('revises with the grader\'s feedback after a failed grade, starting from the previous workspace', () => {
    const history = [goal(), started(1), routed(1), work(1), grade(1, false)];
    const intents = emitted(when(history, grade(1, false)));
    expect(intents.map((e) => e.type)).toEqual(['task.started', 'decision.requested']);
    expect(intents[0].data).toMatchObject({ iteration: 2, feedback: [expect.objectContaining({ id: 'ran_tests_before_claim' })] });
    const revise = when([...history, started(2, [{ id: 'ran_tests_before_claim', delta: 'run the tests', fixType: 'local' }]), routed(2)], routed(2));
    expect(revise[0]).toMatchObject({ kind: 'runAgent', assignment: { previousArtifact: '1'.repeat(64), feedback: [expect.objectContaining({ id: 'ran_tests_before_claim' })] } });
  });

  it('completes the task when the grade passes, and with its last role the run ends done', () => {
    const history = [goal(), started(1), routed(1), work(1), grade(1, true)];
    expect(emitted(when(history, grade(1, true)))).toEqual([
      expect.objectContaining({ type: 'task.completed', data: expect.objectContaining({ iterations: 1, gradeId: 'g1' }) }),
      expect.objectContaining({ type: 'run.ended', data: expect.objectContaining({ status: 'done', tasks: [{ role: 'engineer', status: 'completed' }] }) }),
    ]);
  });

  it('parks the task as stuck when the goal\'s iterations run out, and a tier-ceiling item is a scope call at once', () => {
    const exhausted = [goal(), started(1), routed(1), work(1), grade(1, false), started(2), routed(2), work(2), grade(2, false)];
    expect(emitted(when(exhausted, grade(2, false))).map((e) => [e.type, (e.data as { reason?: string }).reason ?? ''])).toEqual([
      ['task.failed', 'stuck after 2 iteration(s) (1 failed bounce(s)): ran_tests_before_claim'],
      ['run.ended', 'stuck after 2 iteration(s) (1 failed bounce(s)): ran_tests_before_claim'],
    ]);
    const ceiling = [goal(), started(1), routed(1), work(1), grade(1, false, 'tier-ceiling')];
    expect(emitted(when(ceiling, grade(1, false, 'tier-ceiling'))).map((e) => e.type)).toEqual(['review.requested', 'task.failed', 'run.ended']);
    expect(emitted(when(ceiling, grade(1, false, 'tier-ceiling')))[0]).toMatchObject({ type: 'review.requested', data: { reason: 'tier-ceiling' } });
    expect(emitted(when(ceiling, grade(1, false, 'tier-ceiling')))[2]).toMatchObject({ data: { status: 'blocked-on-questions' } });
  });

  it('gives the task another iteration when a person resolves its review with retry', () => {
    const history = [goal(), started(1), routed(1), work(1), grade(1, false, 'tier-ceiling')];
    const [review, failed] = emitted(when(history, grade(1, false, 'tier-ceiling')));
    const requested = createEvent(review as NewEvent<'review.requested'>);
    const failedEvent = createEvent(failed as NewEvent<'task.failed'>);
    const resolved = createEvent({ type: 'review.resolved', aggregateId: requested.aggregateId, producer: 'submitter', data: { reviewId: requested.data.reviewId, resolution: 'retry', by: 'ada' } });
    const intents = emitted(when([...history, failedEvent], { type: 'review.resolved', resolved, requested }));
    expect(intents[0]).toMatchObject({ type: 'task.started', data: { iteration: 2, cause: 'revision' } });
  });
});

describe('a grade recorded twice', () => {
  /** The same grade under a new event id: a replay beyond the duplicate window, or a copy the grader's identity sent. */
  const copyOf = (event: LoopEvent) => createEvent({ ...event, id: undefined, occurredAt: new Date(event.occurredAt) } as never) as EventOf<'grade.recorded'>;

  it('completes the task and ends the run once: the copy finds the task completed', () => {
    const passed = grade(1, true);
    const history = [goal(), started(1), routed(1), work(1), passed];
    const first = emitted(when(history, passed));
    expect(first.map((e) => e.type)).toEqual(['task.completed', 'run.ended']);
    expect(when([...history, ...first.map((e) => createEvent(e as never) as LoopEvent)], copyOf(passed))).toEqual([{ kind: 'ignore', reason: 'task is completed' }]);
  });

  it('revises once: the copy of a failing grade is of an older iteration by then', () => {
    const failed = grade(1, false);
    const history = [goal(), started(1), routed(1), work(1), failed];
    const first = emitted(when(history, failed));
    expect(first.map((e) => e.type)).toEqual(['task.started', 'decision.requested']);
    expect(when([...history, ...first.map((e) => createEvent(e as never) as LoopEvent)], copyOf(failed))).toEqual([{ kind: 'ignore', reason: 'grade of an older iteration' }]);
  });
});

describe('imported runs', () => {
  it('leaves a goal with the import backend alone: its work comes from a transcript', () => {
    const intents = when([], goal({ backend: 'import' }));
    expect(intents).toEqual([{ kind: 'ignore', reason: 'an imported run: its work comes from a transcript' }]);
  });
});

describe('draft–lint–edit in the executor decider', () => {
  const edit = (tier: 'frontier' | 'resident' | 'human', extra: Partial<EventDataInput<'decision.routed'>> = {}) =>
    createEvent({ type: 'decision.routed', aggregateId: runId, producer: 'router', data: { decisionId: `${taskId}-edit-1`, key: 'executor:engineer:edit', tier, reason: 'r', reservedUsd: 0.05, ...extra } });
  const editRequested = createEvent({
    type: 'decision.requested', aggregateId: runId, producer: 'executor',
    data: {
      decisionId: `${taskId}-edit-1`, key: 'executor:engineer:edit', requester: 'executor', role: 'engineer', kind: 'edit', taskId, estimatedUsd: 0.05,
      features: { lint_passed: true, draft_attempts: 1 }, texts: ['## Summary\nDone.', '// file: src/a.js'], artifactDigest: 'a'.repeat(64),
    },
  });
  const step = (n: number) => createEvent({ type: 'trace.step', aggregateId: runId, producer: 'executor', data: { taskId, iteration: 1, step: n, kind: 'thought', input: '', output: '', durationMs: 0 } });

  it('runs the editorial pass on the draft the request named, after the draft\'s steps, as the router routed it', () => {
    const history = [goal(), started(1), routed(1), step(0), step(1), step(2), editRequested];
    const intents = when(history, edit('resident', { model: 'm-edit-1', ruleId: 'r-edit-1', confidenceThreshold: 0.9, shadow: true }));
    expect(intents).toEqual([
      {
        kind: 'runEdit',
        assignment: expect.objectContaining({
          decisionId: `${taskId}-edit-1`, tier: 'resident', model: 'm-edit-1', ruleId: 'r-edit-1', confidenceThreshold: 0.9, shadow: true, stepOffset: 3,
          draft: { decisionId: `${taskId}-edit-1`, artifactDigest: 'a'.repeat(64), features: { lint_passed: true, draft_attempts: 1 }, texts: ['## Summary\nDone.', '// file: src/a.js'] },
        }),
      },
    ]);
  });

  it('ignores the edit once the iteration has its work, and before its request is in the run', () => {
    expect(when([goal(), started(1), routed(1), editRequested, work(1)], edit('frontier'))).toEqual([{ kind: 'ignore', reason: 'this iteration already produced its work' }]);
    expect(when([goal(), started(1), routed(1)], edit('frontier'))).toEqual([{ kind: 'ignore', reason: `the request of ${taskId}-edit-1 is not in the run` }]);
  });

  it('fails the task, loudly, when no model may edit', () => {
    const [failed, ended] = emitted(when([goal(), started(1), routed(1), editRequested], edit('human', { reason: 'the goal budget cannot cover it' })));
    expect(failed).toMatchObject({ type: 'task.failed', data: { reason: 'no model may edit the draft: the goal budget cannot cover it' } });
    expect(ended).toMatchObject({ type: 'run.ended', data: { status: 'stuck', reason: 'no model may edit the draft: the goal budget cannot cover it' } });
  });

  it('leaves the lint\'s routing alone: the lint decides itself as its draft ends', () => {
    const lint = createEvent({ type: 'decision.routed', aggregateId: runId, producer: 'router', data: { decisionId: `${taskId}-lint-1-1`, key: 'executor:engineer:lint', tier: 'deterministic', reason: 'built-in check draft_lint', reservedUsd: 0 } });
    expect(when([goal(), started(1), routed(1)], lint)).toEqual([{ kind: 'ignore', reason: 'the lint decides itself, as its draft ends' }]);
  });
});
