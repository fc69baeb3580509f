import { InnerLoopHarness, NO_DEFECTS, ofType, SeqEvent, writeWorkload } from './harness';

/**
 * Two executors and two graders on the same durable consumers, each handling several runs at once:
 * the decisions of one piece of work are answered on either grader, and whichever answers last must
 * see the other's answers (its fold catches up with the log) for the work to be graded, once.
 */

const RUNS = Array.from({ length: 8 }, (_, i) => `run-replicas-${i + 1}`);
/** A bound against hanging, not a speed check: on an idle machine the runs end in well under a minute. */
const WAIT_MS = 150_000;

const countBy = <T>(items: readonly T[], key: (item: T) => string) =>
  items.reduce((counts, item) => counts.set(key(item), (counts.get(key(item)) ?? 0) + 1), new Map<string, number>());

describe('replicas of the executor and the grader, end to end (sim models)', () => {
  let harness: InnerLoopHarness;

  beforeAll(async () => {
    harness = await InnerLoopHarness.open('replicas', {
      LOOP_SIM_WORKLOAD: writeWorkload({ defects: { ...NO_DEFECTS, claims_without_running_tests: 1 }, fixOnFeedback: 1 }),
      LOOP_EXECUTOR_CONCURRENCY: '4',
      LOOP_GRADER_CONCURRENCY: '4',
    });
    await Promise.all([harness.start('router'), harness.startReplicas('executor', 2), harness.startReplicas('grader', 2)]);
  }, 120_000);

  afterAll(async () => {
    if (process.env['LOOP_E2E_KEEP_OUTPUT']) for (const [name, service] of harness.services) console.log(`--- ${name}\n${service.output()}`);
    await harness.close();
  });

  it('carries 8 runs through: every decision requested, routed and completed once, every work graded once', async () => {
    await Promise.all(RUNS.map((runId) => harness.submit(runId, 'greet')));
    const graded = (events: readonly SeqEvent[]) =>
      events.some((e) => e.type === 'task.completed' || e.type === 'task.failed') && ofType(events, 'grade.recorded').length >= ofType(events, 'work.produced').length;
    // bounded: a run that never gets there fails the test naming where it stopped, instead of hanging it
    const deadline = Date.now() + WAIT_MS;
    let runs: SeqEvent[][] = [];
    for (;;) {
      runs = (await Promise.all(RUNS.map((runId) => harness.log.readRun(runId)))) as SeqEvent[][];
      if (runs.every(graded) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const whereStopped = (events: readonly SeqEvent[]) => {
      const last = events.at(-1);
      return `stopped after ${last?.type}${last?.type === 'decision.routed' ? ` ${last.data.key} ${last.data.decisionId}` : ''}`;
    };
    expect(runs.map((events, i) => `${RUNS[i]}: ${graded(events) ? 'graded' : whereStopped(events)}`)).toEqual(RUNS.map((runId) => `${runId}: graded`));

    for (const events of runs) {
      const works = ofType(events, 'work.produced');
      // a draft that claims tests it never ran fails its gate and the revision passes: every piece of work graded exactly once
      expect(works.length).toBeGreaterThan(0);
      expect([...countBy(ofType(events, 'grade.recorded'), (g) => g.data.workId)]).toEqual(works.map((w) => [w.data.workId, 1]));
      expect(ofType(events, 'task.completed')).toHaveLength(1);

      const requested = ofType(events, 'decision.requested');
      expect(requested.length).toBeGreaterThan(0);
      for (const count of countBy(requested, (d) => d.data.decisionId).values()) expect(count).toBe(1);
      const routed = countBy(ofType(events, 'decision.routed'), (d) => d.data.decisionId);
      expect([...routed.keys()].sort()).toEqual(requested.map((d) => d.data.decisionId).sort());
      for (const count of routed.values()) expect(count).toBe(1);
      const completed = countBy(ofType(events, 'decision.completed'), (d) => `${d.data.decisionId}/${d.data.shadow ? 'shadow' : 'primary'}`);
      for (const count of completed.values()) expect(count).toBe(1);
      // every decision the grader requested was answered (the executor's own drafts are completed by its work)
      for (const decision of requested.filter((d) => d.data.key.startsWith('grader:'))) expect(completed.get(`${decision.data.decisionId}/primary`)).toBe(1);
    }
  }, 200_000);
});
