import { foldEvents } from '@loopwright/core';
import { createEvent, LoopEvent, nextAttempt } from '@loopwright/events';
import { checkSnapshot, sealKeyOf, sealSnapshot } from '@loopwright/eventlog';
import { executorFold, executorFoldCodec, nextAttemptOf } from './run-fold';
import { foldRun } from './run-state';

const runId = 'run-1';
const taskId = `${runId}-engineer`;
const goal = createEvent({
  type: 'goal.submitted', aggregateId: runId, producer: 'submitter',
  data: { goalId: 'g', title: 't', description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 'node t.js', budgetUsd: 1 },
});
const started = createEvent({ type: 'task.started', aggregateId: runId, producer: 'executor', data: { taskId, role: 'engineer', iteration: 1, allowedPaths: ['src/**'], maxTurns: 10, feedback: [] } });
const step = (n: number, attempt?: number) =>
  createEvent({ type: 'trace.step', aggregateId: runId, producer: 'executor', data: { taskId, iteration: 1, step: n, kind: 'command', input: 'ls', ...(attempt ? { attempt } : {}) } });
const abandoned = (attempt: number, next: number) =>
  createEvent({ type: 'trace.abandoned', aggregateId: runId, producer: 'executor', data: { taskId, iteration: 1, attempt, nextAttempt: next, decisionId: 'd', reason: 'interrupted' } });

const fold = (events: LoopEvent[]) => foldEvents({ initialState: () => executorFold.initial(runId), evolve: executorFold.evolve }, events);

describe("the executor's fold of a run", () => {
  const histories: LoopEvent[][] = [
    [goal, started],
    [goal, started, step(0), step(1)],
    [goal, started, step(0), step(1), abandoned(1, 2), step(0, 2)],
    [goal, started, step(0), abandoned(1, 2), step(0, 2), step(1, 2), abandoned(2, 3)],
  ];

  it.each(histories.map((h, i) => [i, h] as const))('gives the attempt nextAttempt gives from the whole run (history %i)', (_, history) => {
    expect(nextAttemptOf(fold(history), taskId, 1)).toEqual(nextAttempt(history, taskId, 1));
    expect(fold(history).run).toEqual(foldRun(runId, history));
  });

  it('comes back from its snapshot as it was', () => {
    const state = fold(histories[2]);
    const decoded = executorFoldCodec.decode(JSON.parse(JSON.stringify(executorFoldCodec.encode(state))), runId)!;
    expect(decoded).toEqual(state);
    expect(nextAttemptOf(decoded, taskId, 1)).toEqual({ attempt: 3, abandon: [2] });
  });

  it('refuses a snapshot that is not one of its own, of this run and version, sealed with its key', () => {
    const state = executorFoldCodec.encode(fold(histories[1]));
    const key = sealKeyOf('the executor password');
    const record = { version: executorFoldCodec.version, runId, anchor: { seq: 9, id: 'e9' }, state };
    expect(checkSnapshot(sealSnapshot(record, key), runId, executorFoldCodec, key)).toMatchObject({ ok: true, anchor: { seq: 9 } });
    const refusals = [
      checkSnapshot('garbage', runId, executorFoldCodec, key),
      checkSnapshot(sealSnapshot(record, key), 'run-2', executorFoldCodec, key),
      checkSnapshot(sealSnapshot({ ...record, version: 0 }, key), runId, executorFoldCodec, key),
      checkSnapshot(sealSnapshot({ ...record, anchor: { seq: -1, id: 'x' } }, key), runId, executorFoldCodec, key),
      checkSnapshot(sealSnapshot({ ...record, state: { tasks: 'none' } }, key), runId, executorFoldCodec, key),
      // a writer without the key changes the state: the seal no longer matches
      checkSnapshot({ ...sealSnapshot(record, key), state: executorFoldCodec.encode(fold(histories[3])) }, runId, executorFoldCodec, key),
      checkSnapshot(sealSnapshot(record, sealKeyOf('another password')), runId, executorFoldCodec, key),
      checkSnapshot(record, runId, executorFoldCodec, key),
    ];
    expect(refusals.map((r) => (r.ok ? 'accepted' : r.reason))).toEqual([
      'not an object', 'snapshot of run run-1, not run-2', 'version 0, not 1', 'no valid anchor', 'state does not decode',
      'seal does not match', 'seal does not match', 'seal does not match',
    ]);
  });
});
