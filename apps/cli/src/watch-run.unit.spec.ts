import { createEvent, EventDataInput, EventType, LoopEvent, Producer } from '@loopwright/events';
import { runEnded } from './watch-run';

const runId = 'run-watch';
const event = <T extends EventType>(type: T, producer: Producer, data: EventDataInput<T>): LoopEvent =>
  createEvent({ type, aggregateId: runId, producer, data } as Parameters<typeof createEvent>[0]) as LoopEvent;
const goal = (backend: 'sim' | 'import') =>
  event('goal.submitted', 'submitter', {
    goalId: 'sum', title: 'Sum', description: 'sum(a, b)', roles: ['engineer', 'tester'], allowedPaths: ['src/**'], testCommand: 'node t.js', budgetUsd: 1, backend,
  });
const failed = event('task.failed', 'executor', { taskId: 't-engineer', role: 'engineer', iterations: 2, reason: 'stuck' });
const ended = event('run.ended', 'executor', { runId, status: 'stuck', reason: 'stuck', tasks: [{ role: 'engineer', status: 'failed' }, { role: 'tester', status: 'blocked' }] });

describe('runEnded (goal submit --watch)', () => {
  it('waits for the executor to say how the run ended, so the last line printed is run.ended', () => {
    expect(runEnded([goal('sim'), failed])).toBe(false);
    expect(runEnded([goal('sim'), failed, ended])).toBe(true);
  });

  it('ends an imported run, which has no executor, at a failed task or its last role completed', () => {
    expect(runEnded([goal('import')])).toBe(false);
    expect(runEnded([goal('import'), failed])).toBe(true);
  });

  it('has not ended before its goal is seen', () => {
    expect(runEnded([ended])).toBe(false);
  });
});
