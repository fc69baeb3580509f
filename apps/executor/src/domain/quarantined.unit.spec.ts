import { createEvent, EventDataInput, EventOf, LoopEvent } from '@loopwright/events';
import { decideOnQuarantine, runIdOfSubject } from './quarantined';
import { foldRun } from './run-state';

const runId = 'run-1';

const goal = createEvent({
  type: 'goal.submitted', aggregateId: runId, producer: 'submitter',
  data: { goalId: 'g', title: 't', description: 'd', roles: ['engineer', 'tester'], allowedPaths: ['src/**'], testCommand: 'node t.js', budgetUsd: 1 },
});

const started = (role: 'engineer' | 'tester') =>
  createEvent({ type: 'task.started', aggregateId: runId, producer: 'executor', data: { taskId: `${runId}-${role}`, role, iteration: 1, allowedPaths: ['src/**'], maxTurns: 10, feedback: [] } });

function notice(originalSubject: string, originalSeq = 7): EventOf<'system.event.quarantined'> {
  return createEvent({
    type: 'system.event.quarantined', aggregateId: 'grader-work-produced', producer: 'grader',
    data: { originalSeq, originalSubject, consumer: 'grader-work-produced', deliveries: 6, reason: 'the handler did not return' },
  }) as EventOf<'system.event.quarantined'>;
}

const decide = (history: LoopEvent[], subject = `loop.run.${runId}.executor.work.produced`) => decideOnQuarantine(foldRun(runId, history), notice(subject));

describe('a quarantined event of a run', () => {
  it('names the run from the subject, and nothing for an event outside a run', () => {
    expect(runIdOfSubject('loop.run.run-1.executor.work.produced')).toBe('run-1');
    expect(runIdOfSubject('loop.rule.r1.miner.rule.proposed')).toBeUndefined();
    expect(runIdOfSubject('garbage')).toBeUndefined();
  });

  it('fails the running task with the reason and asks a person to review it', () => {
    const events = decide([goal, started('engineer')]);
    expect(events.map((e) => e.type)).toEqual(['review.requested', 'task.failed', 'run.ended']);
    expect(events[2].data).toMatchObject({ runId, status: 'stuck', tasks: [{ role: 'engineer', status: 'failed' }, { role: 'tester', status: 'blocked' }] });
    const review = events[0].data as EventDataInput<'review.requested'>;
    const failed = events[1].data as EventDataInput<'task.failed'>;
    expect(review).toMatchObject({ runId, taskId: `${runId}-engineer`, reason: 'quarantined' });
    expect(review.summary).toMatch(/seq 7 .* grader-work-produced after 6 deliveries: the handler did not return/);
    expect(failed).toMatchObject({ taskId: `${runId}-engineer`, role: 'engineer', iterations: 1, reviewId: review.reviewId });
    expect(failed.reason).toBe(review.summary);
  });

  it('fails the first role when no task started yet (the goal itself was quarantined)', () => {
    const [, failed] = decide([goal], `loop.run.${runId}.submitter.goal.submitted`);
    expect(failed).toMatchObject({ type: 'task.failed', data: { taskId: `${runId}-engineer`, iterations: 0 } });
  });

  it("goes on when the quarantined event was one its producer may not publish in this run: a forgery, not the run's own event gone bad", () => {
    // Any identity that may publish on its own subjects (the submitter's, the console's) could otherwise end any run.
    for (const forged of ['submitter.task.started', 'submitter.work.produced', 'submitter.trace.step', 'console.work.produced', 'submitter.no.such.type']) {
      expect({ forged, events: decide([goal, started('engineer')], `loop.run.${runId}.${forged}`) }).toEqual({ forged, events: [] });
    }
    // The same types from the submitter in a run it imported are its own events.
    const imported = 'imp-0123';
    const importedGoal = createEvent({ type: 'goal.submitted', aggregateId: imported, producer: 'submitter', data: { ...(goal.data as EventDataInput<'goal.submitted'>), backend: 'import' } });
    const ended = decideOnQuarantine(foldRun(imported, [importedGoal]), notice(`loop.run.${imported}.submitter.task.started`));
    expect(ended.map((e) => e.type)).toContain('run.ended');
  });

  it('leaves ended tasks alone but still asks for a review', () => {
    const completed = createEvent({ type: 'task.completed', aggregateId: runId, producer: 'executor', data: { taskId: `${runId}-engineer`, role: 'engineer', iterations: 1, gradeId: 'g', overall: 1 } });
    expect(decide([goal, started('engineer'), completed]).map((e) => e.type)).toEqual(['review.requested']);
  });

  it('asks only for a review when the run has no goal it can read', () => {
    expect(decide([]).map((e) => e.type)).toEqual(['review.requested']);
  });

  it('gives the same ids for the same notice, so a redelivered notice is recorded once', () => {
    const once = notice(`loop.run.${runId}.executor.work.produced`);
    const ids = () => decideOnQuarantine(foldRun(runId, [goal, started('engineer')]), once).map((e) => e.id);
    expect(ids()).toEqual(ids());
  });
});
