import { createEvent, LoopEvent, uuidv7 } from '@loopwright/events';
import { durableName } from '@loopwright/eventlog';
import { InnerLoopHarness, NO_DEFECTS, ofType, SeqEvent, until, within, writeWorkload } from './harness';

/**
 * Schema-valid events a consumer did not expect, against the real executor and router: each must
 * leave every event in the log, end the affected run once and loudly, and leave the service
 * handling other runs.
 */
describe('the executor against events it did not expect', () => {
  let harness: InnerLoopHarness;
  const root = () => harness.config.subjectRoot;

  /** Waits until the service's durable for `type` has acked everything up to `seq`: the handler is done with it. */
  const handled = (service: 'executor' | 'router', type: LoopEvent['type'], seq: number) =>
    until(async () => {
      const info = await harness.log.jsm.consumers.info(harness.config.streamName, durableName(service, type)).catch(() => undefined);
      return info && info.ack_floor.stream_seq >= seq && info.num_ack_pending === 0 ? true : undefined;
    });

  /** A message on the run's grade subject that is not JSON: the executor quarantines it, which ends the run. */
  const quarantineRun = async (runId: string) => {
    const garbage = await harness.log.js.publish(`${root()}.run.${runId}.grader.grade.recorded`, new TextEncoder().encode('{not json'));
    return until(async () => {
      const ended = ofType(await harness.log.readRun(runId), 'run.ended').find((e) => e.seq > garbage.seq);
      return ended;
    });
  };

  const quarantineNotices = async () => {
    const notices: LoopEvent[] = [];
    for await (const stored of harness.log.replay({ filter: `${root()}.system.>` })) {
      if (stored.event?.type === 'system.event.quarantined') notices.push(stored.event);
    }
    return notices.filter((e): e is Extract<LoopEvent, { type: 'system.event.quarantined' }> => e.type === 'system.event.quarantined');
  };

  /** A passing grade of `workId` for the task and iteration of a work the executor produced, as the grader records one. */
  const passingGrade = (work: Extract<LoopEvent, { type: 'work.produced' }>, gradeId: string, workId: string) =>
    createEvent({
      type: 'grade.recorded', aggregateId: work.aggregateId, producer: 'grader',
      data: {
        gradeId, workId, taskId: work.data.taskId, role: work.data.role, iteration: work.data.iteration, passed: true, overall: 1,
        rubrics: [{ rubricId: 'implementation', rubricVersion: 1, surface: 'output', gates: [], dimensions: [], notScored: [], toReachNext: [], weightedAvg: null, overall: 1, capsApplied: [], passed: true }],
        rerun: { command: work.data.testCommand, exitCode: 0, output: '' }, costUsd: 0,
      },
    });

  const afterEnd = (events: SeqEvent[], endSeq: number) => events.filter((e) => e.seq > endSeq && e.producer === 'executor');

  beforeAll(async () => {
    harness = await InnerLoopHarness.open('unexpected', { LOOP_SIM_WORKLOAD: writeWorkload({ defects: NO_DEFECTS }) });
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('runs no agent session for a routing that arrives after its run ended, and keeps handling other runs', async () => {
    // The router is down: the draft waits for its routing while an event of the run is quarantined.
    await harness.start('executor');
    await harness.submit('late-route', 'greet');
    await until(async () => ofType(await harness.log.readRun('late-route'), 'decision.requested')[0]);
    const ended = await quarantineRun('late-route');
    expect(ended.data.status).toBe('stuck');

    // The router comes back and routes the waiting draft: the run has ended, so no session may run.
    await harness.start('router');
    const routed = await until(async () => ofType(await harness.log.readRun('late-route'), 'decision.routed')[0]);
    await handled('executor', 'decision.routed', routed.seq);
    await harness.submit('after-late-route', 'greet');
    await until(async () => ofType(await harness.log.readRun('after-late-route'), 'work.produced')[0]);

    const events = await harness.log.readRun('late-route');
    expect(afterEnd(events, ended.seq).map((e) => e.type)).toEqual([]);
    // Its draft never completes: the run's end gave back whatever the routing held.
    expect(routed.data.reservedUsd).toBeGreaterThan(0);
    await handled('router', 'run.ended', ended.seq);
    const ledger = await harness.log.budgets();
    expect((await ledger.goal('late-route'))?.open).toEqual({});
  }, 120_000);

  it('acts on the first resolution of a review only: a second, different one is quarantined and ends nothing again', async () => {
    await harness.submit('twice-resolved', 'greet');
    // No grader runs: the work waits for its grade while the run is quarantined.
    await until(async () => ofType(await harness.log.readRun('twice-resolved'), 'work.produced')[0]);
    const ended = await quarantineRun('twice-resolved');
    const reviewId = ended.data.reviewId!;
    expect(reviewId).toBeDefined();

    const resolve = (resolution: 'accept' | 'reject', by: string) =>
      harness.log.append(createEvent({ type: 'review.resolved', aggregateId: reviewId, producer: 'submitter', data: { reviewId, resolution, by } }));
    await resolve('accept', 'alice');
    const second = await resolve('reject', 'bob');
    await handled('executor', 'review.resolved', second.seq);

    const events = await harness.log.readRun('twice-resolved');
    const ends = ofType(events, 'run.ended').filter((e) => e.seq > ended.seq);
    expect(ends.map((e) => e.data.status)).toEqual(['done']);
    expect(ofType(events, 'task.completed')).toHaveLength(1);
    const notice = (await quarantineNotices()).find((n) => n.data.originalSeq === second.seq);
    expect(notice?.data.reason).toMatch(new RegExp(`review ${reviewId} was resolved already \\(accept by alice`));
  }, 120_000);

  it('keeps a run on its first goal: a second goal.submitted for a started run is quarantined and ends the run, naming both', async () => {
    await harness.stop('router');
    await harness.submit('goal-reused', 'greet');
    await until(async () => ofType(await harness.log.readRun('goal-reused'), 'decision.requested')[0]);
    await harness.submit('goal-reused', 'greet', { testCommand: 'true', allowedPaths: ['**'] });
    // Before the fix the executor adopted the second goal and ran its session toward it once routed.
    const ended = await within(until(async () => ofType(await harness.log.readRun('goal-reused'), 'run.ended')[0]), 20_000);
    await harness.start('router');
    const routed = await until(async () => ofType(await harness.log.readRun('goal-reused'), 'decision.routed')[0]);
    await handled('executor', 'decision.routed', routed.seq);

    const events = await harness.log.readRun('goal-reused');
    const goals = ofType(events, 'goal.submitted');
    expect(goals).toHaveLength(2);
    expect(ofType(events, 'work.produced').map((w) => w.data.testCommand)).toEqual([]);
    expect(ended?.data.status).toBe('stuck');
    expect(ended!.data.reason).toContain(`a second goal.submitted ${goals[1].id} is refused`);
    expect(ended!.data.reason).toContain(goals[0].id);
    expect(afterEnd(events, ended!.seq)).toEqual([]);
  }, 120_000);

  it('never starts the next role from work the submitter published into a run the executor drives', async () => {
    await harness.submit('forged-work', 'greet', { roles: ['engineer', 'tester'] });
    const real = await until(async () => ofType(await harness.log.readRun('forged-work'), 'work.produced')[0]);
    // The submitter's user may publish work.produced (for `loopwright import`): raw JSON passes the NATS permissions.
    const planted = { ...real, id: uuidv7(), producer: 'submitter', data: { ...real.data, workId: 'forged-work-engineer-planted', artifactDigest: 'f'.repeat(64) } };
    const forged = await harness.log.js.publish(`${root()}.run.forged-work.submitter.work.produced`, new TextEncoder().encode(JSON.stringify(planted)));
    await harness.log.append(passingGrade(real, 'g-real', real.data.workId));
    const next = await until(async () => ofType(await harness.log.readRun('forged-work'), 'task.started').find((t) => t.data.role === 'tester'));
    expect(next.data.startedFrom).toEqual({ workId: real.data.workId, role: 'engineer' });
    const refused: string[] = [];
    await harness.log.readRun('forged-work', (stored) => refused.push(`${stored.seq}: ${stored.error}`));
    expect(refused).toEqual([`${forged.seq}: submitter may publish work.produced only in a run it imported, not in run forged-work (an imported run's id starts imp-)`]);
  }, 120_000);

  it('ends the run, naming both, on a grade of work the iteration never produced: it neither completes nor revises the task', async () => {
    await harness.submit('ghost-graded', 'greet');
    const real = await until(async () => ofType(await harness.log.readRun('ghost-graded'), 'work.produced')[0]);
    const ghost = await harness.log.append(passingGrade(real, 'g-ghost', 'ghost-graded-engineer-never'));
    const ended = await until(async () => ofType(await harness.log.readRun('ghost-graded'), 'run.ended')[0]);
    const events = await harness.log.readRun('ghost-graded');
    expect(ofType(events, 'task.completed')).toEqual([]);
    expect(ended.data.status).toBe('stuck');
    expect(ended.data.reason).toContain(`event seq ${ghost.seq}`);
    expect(ended.data.reason).toContain(`grades work ghost-graded-engineer-never, but iteration 1 of the engineer produced ${real.data.workId}`);
  }, 120_000);

  it('kept the executor and the router running and answering', async () => {
    await harness.submit('still-running', 'greet');
    await until(async () => ofType(await harness.log.readRun('still-running'), 'work.produced')[0]);
    for (const [name, service] of harness.services) {
      expect([name, service.child.exitCode, service.child.signalCode]).toEqual([name, null, null]);
      expect([name, (await fetch(`${await service.url}/health`)).status]).toEqual([name, 200]);
    }
  }, 120_000);

});
