import { createEvent } from '@loopwright/events';
import { InnerLoopHarness, NO_DEFECTS, ofType, until, writeWorkload } from './harness';

describe('reliability, end to end', () => {
  it('survives a goal whose test command kills its parent and every process it can see', async () => {
    const harness = await InnerLoopHarness.open('killparent', { LOOP_SIM_WORKLOAD: writeWorkload({ defects: NO_DEFECTS }) });
    try {
      await harness.start('router', 'executor', 'grader');
      await harness.submit('run-killer', 'greet', { testCommand: 'kill -9 $PPID; kill -9 -1; node test/greet.test.js', maxIterations: 1 });
      const events = await harness.ended('run-killer');
      expect(ofType(events, 'work.produced')).toHaveLength(1);
      for (const name of ['executor', 'grader'] as const) {
        const service = harness.services.get(name)!;
        expect({ name, exitCode: service.child.exitCode, signal: service.child.signalCode }).toEqual({ name, exitCode: null, signal: null });
        expect((await fetch(`${await service.url}/health`)).status).toBe(200);
      }
    } finally {
      await harness.close();
    }
  }, 120_000);

  it('ends a run loudly when one of its events is quarantined: task.failed with the reason, and a review', async () => {
    const harness = await InnerLoopHarness.open('quarantined', { LOOP_SIM_WORKLOAD: writeWorkload({ defects: NO_DEFECTS }), LOOP_SIM_LATENCY_MS: '300' });
    try {
      await harness.start('router', 'executor');
      await harness.submit('run-poisoned', 'greet');
      const started = await until(async () => ofType(await harness.log.readRun('run-poisoned'), 'task.started')[0]);
      // what a grader consumer appends when a handler for this run's event never returns
      await harness.log.append(createEvent({
        type: 'system.event.quarantined', aggregateId: 'grader-work-produced', producer: 'grader',
        data: { originalSeq: started.seq, originalSubject: `${harness.config.subjectRoot}.run.run-poisoned.executor.task.started`, consumer: 'grader-work-produced', deliveries: 6, reason: 'the handler did not return (its process died or hung in it) after 5 runs of 5' },
      }));
      const events = await harness.ended('run-poisoned');
      const [failed] = ofType(events, 'task.failed');
      expect(failed.data.reason).toMatch(/quarantined by grader-work-produced after 6 deliveries: the handler did not return/);
      const reviews = [];
      for await (const stored of harness.log.replay({ filter: `${harness.config.subjectRoot}.review.${failed.data.reviewId}.>` })) reviews.push(stored.event);
      expect(reviews.map((r) => r?.type === 'review.requested' && r.data.reason)).toEqual(['quarantined']);
    } finally {
      await harness.close();
    }
  }, 120_000);
});
