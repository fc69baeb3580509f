import { createEvent, LoopEvent } from '@loopwright/events';
import { openTestLog } from '@loopwright/testing';
import { EventLog, LogConfig, StoredEvent } from './index';

/** Resolves when `predicate` holds, polling; the test's own timeout bounds it. */
async function until(predicate: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await predicate())) await new Promise((r) => setTimeout(r, 20));
}

function completed(runId: string, decisionId: string): LoopEvent {
  return createEvent({
    type: 'decision.completed',
    aggregateId: runId,
    producer: 'executor',
    data: {
      decisionId, key: 'executor:engineer:draft', tier: 'frontier', verdict: 'done', confidence: 1, costUsd: 0,
      tokens: { input: 1, output: 1 }, latencyMs: 1,
    },
  });
}

/** A passing grade, as only the grader may record it. */
function passingGrade(runId: string, gradeId: string): LoopEvent {
  return createEvent({
    type: 'grade.recorded',
    aggregateId: runId,
    producer: 'grader',
    data: {
      gradeId, workId: `${runId}-w1`, taskId: `${runId}-engineer`, role: 'engineer', iteration: 1, passed: true, overall: 1,
      rubrics: [{
        rubricId: 'engineer-output', rubricVersion: 1, surface: 'output', gates: [], dimensions: [], notScored: [], toReachNext: [],
        weightedAvg: null, overall: 1, capsApplied: [], passed: true,
      }],
      rerun: { command: 'npm test', exitCode: 0, output: '' }, costUsd: 0,
    },
  });
}

function step(runId: string, n: number): LoopEvent {
  return createEvent({
    type: 'trace.step',
    aggregateId: runId,
    producer: 'executor',
    data: { taskId: `${runId}-engineer`, iteration: 1, step: n, kind: 'read', tool: 'list_files', input: '.' },
  });
}

/**
 * Events forged by publishing raw JSON (createEvent's producer check bypassed): a consumer and every
 * reader of the log refuse an event whose producer the catalog does not allow for its type, or whose
 * subject names another producer than its envelope.
 */
describe('events from the wrong producer', () => {
  let config: LogConfig;
  let log: EventLog;
  let drop: () => Promise<void>;
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  /** Publishes an event as JSON with its envelope producer replaced, on the subject of `subjectProducer`. */
  const forge = (event: LoopEvent, envelopeProducer: string, subjectProducer = envelopeProducer) =>
    log.js.publish(
      `${config.subjectRoot}.${event.aggregate}.${event.aggregateId}.${subjectProducer}.${event.type}`,
      encode({ ...event, producer: envelopeProducer }),
    );

  beforeEach(async () => {
    ({ log, config, drop } = await openTestLog('forged', 'grader'));
  });

  afterEach(() => drop());

  it('quarantines, naming producer and type, what the catalog does not give that producer, and handles the rest', async () => {
    const handled: string[] = [];
    const consumer = await log.consume(
      { durable: 'grader-decision-completed', filterSubject: `${config.subjectRoot}.run.*.*.decision.completed` },
      async (e) => {
        if (e.type === 'decision.completed') handled.push(`${e.producer}:${e.data.decisionId}`);
      },
    );
    await log.append(completed('r1', 'legit-before'));
    const byRouter = await forge(completed('r1', 'forged-router'), 'router');
    const bySubmitter = await forge(completed('r1', 'forged-submitter'), 'submitter');
    const onOtherSubject = await forge(completed('r1', 'forged-subject'), 'executor', 'grader');
    await log.append(completed('r1', 'legit-after'));
    await until(() => handled.length === 2);
    const notices = async () => {
      const found: StoredEvent[] = [];
      for await (const s of log.replay({ filter: `${config.subjectRoot}.system.>` })) found.push(s);
      return found;
    };
    await until(async () => (await notices()).length === 3);
    await consumer.stop();

    expect(handled).toEqual(['executor:legit-before', 'executor:legit-after']);
    const reasons = new Map((await notices()).map(({ event }) => {
      if (event?.type !== 'system.event.quarantined') throw new Error('not a quarantine notice');
      return [event.data.originalSeq, event.data.reason];
    }));
    expect(reasons.get(byRouter.seq)).toMatch(/router may not publish decision\.completed/);
    expect(reasons.get(bySubmitter.seq)).toMatch(/submitter may not publish decision\.completed/);
    expect(reasons.get(onOtherSubject.seq)).toMatch(/subject .*\.grader\.decision\.completed names producer grader, the envelope executor/);
    // nothing is lost: the forged messages stay in the log
    expect((await log.jsm.streams.getMessage(config.streamName, { seq: byRouter.seq }))?.json<{ producer: string }>().producer)
      .toBe('router');
  });

  it('never lets the executor pass its own work: a grade under its name is quarantined, the grader\'s is handled', async () => {
    const grades: string[] = [];
    const consumer = await log.consume(
      { durable: 'executor-grade-recorded', filterSubject: `${config.subjectRoot}.run.*.*.grade.recorded` },
      async (e) => {
        if (e.type === 'grade.recorded') grades.push(`${e.producer}:${e.data.gradeId}`);
      },
    );
    const forged = await forge(passingGrade('r3', 'self-graded'), 'executor');
    await log.append(passingGrade('r3', 'graded'));
    await until(() => grades.length === 1);
    await consumer.stop();
    expect(grades).toEqual(['grader:graded']);
    const rejected: StoredEvent[] = [];
    expect((await log.readRun('r3', (stored) => rejected.push(stored))).map((e) => e.type === 'grade.recorded' && e.data.gradeId))
      .toEqual(['graded']);
    expect(rejected.map((r) => [r.seq, r.error])).toEqual([[forged.seq, 'executor may not publish grade.recorded; owners: grader']]);
  });

  it('drops forged events from readRun and replay, and reports each one', async () => {
    await log.append(step('r2', 0));
    const forgedStep = await forge(step('r2', 1), 'grader');
    const wrongSubject = await forge(step('r2', 2), 'executor', 'grader');
    await log.append(step('r2', 3));

    const rejected: StoredEvent[] = [];
    const events = await log.readRun('r2', (stored) => rejected.push(stored));
    expect(events.map((e) => e.type === 'trace.step' && e.data.step)).toEqual([0, 3]);
    expect(rejected.map((r) => r.seq)).toEqual([forgedStep.seq, wrongSubject.seq]);
    expect(rejected[0].error).toMatch(/grader may not publish trace\.step; owners: executor/);

    const replayed: StoredEvent[] = [];
    for await (const stored of log.replay({ filter: `${config.subjectRoot}.run.r2.>` })) replayed.push(stored);
    expect(replayed.map((s) => s.event === null)).toEqual([false, true, true, false]);
  });

  it('quarantines an event that speaks for another aggregate or another requester\'s decision, and handles the rest', async () => {
    const handled: string[] = [];
    const consumer = await log.consume({ durable: 'executor-all', filterSubject: `${config.subjectRoot}.*.*.*.>` }, async (e) => {
      if (e.type !== 'system.event.quarantined') handled.push(`${e.type}:${e.id}`);
    });
    const judged = createEvent({
      type: 'decision.completed', aggregateId: 'r4', producer: 'grader',
      data: { decisionId: 'r4-w1-correctness', key: 'grader:engineer:dimension:correctness', tier: 'frontier', verdict: '5', confidence: 1, costUsd: 0, tokens: { input: 1, output: 1 }, latencyMs: 1 },
    });
    // The executor may publish decision.completed, but not the grader's verdicts: the raw JSON passes every producer check.
    const verdictByExecutor = await forge({ ...judged, data: { ...judged.data, verdict: '1' } } as LoopEvent, 'executor');
    const resolved = createEvent({ type: 'review.resolved', aggregateId: 'rv-a', producer: 'submitter', data: { reviewId: 'rv-a', resolution: 'accept', by: 'ada' } });
    // Published under review rv-a, whose readers see nothing of it, yet it answers review rv-b.
    const otherReview = await forge({ ...resolved, data: { ...resolved.data, reviewId: 'rv-b' } } as LoopEvent, 'submitter');
    const legit = await log.append(judged);
    await until(() => handled.length === 1);
    const notices = async () => {
      const found = new Map<number, string>();
      for await (const s of log.replay({ filter: `${config.subjectRoot}.system.>` })) {
        if (s.event?.type === 'system.event.quarantined') found.set(s.event.data.originalSeq, s.event.data.reason);
      }
      return found;
    };
    await until(async () => (await notices()).size === 2);
    await consumer.stop();

    expect(handled).toEqual([`decision.completed:${judged.id}`]);
    const reasons = await notices();
    expect(reasons.get(verdictByExecutor.seq)).toMatch(/decision r4-w1-correctness \(key grader:engineer:dimension:correctness\) comes from executor: only its requester grader may/);
    expect(reasons.get(otherReview.seq)).toMatch(/review\.resolved .* names reviewId rv-b in its data but belongs to review rv-a/);
    expect((await log.readRun('r4')).map((e) => e.id)).toEqual([judged.id]);
    expect(legit.duplicate).toBe(false);
  });
});
