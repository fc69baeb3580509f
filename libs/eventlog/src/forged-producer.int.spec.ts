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

  /** The reason of each quarantine notice in the log, by the sequence of the message it quarantined. */
  const quarantineReasons = async () => {
    const found = new Map<number, string>();
    for await (const s of log.replay({ filter: `${config.subjectRoot}.system.>` })) {
      if (s.event?.type === 'system.event.quarantined') found.set(s.event.data.originalSeq, s.event.data.reason);
    }
    return found;
  };

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

  it('refuses a quarantine notice from the submitter: no one outside the services can end a run by forging one', async () => {
    const notices: string[] = [];
    const consumer = await log.consume(
      { durable: 'executor-event-quarantined', filterSubject: `${config.subjectRoot}.system.*.*.system.event.quarantined` },
      async (e) => {
        if (e.type === 'system.event.quarantined') notices.push(`${e.producer}:${e.data.reason}`);
      },
    );
    const notice = (reason: string, producer: 'grader' | 'executor') => createEvent({
      type: 'system.event.quarantined', aggregateId: 'quarantine', producer,
      data: { originalSeq: 1, originalSubject: `${config.subjectRoot}.run.r9.executor.trace.step`, consumer: 'grader-trace-step', deliveries: 1, reason },
    });
    const forged = await forge(notice('forged', 'executor'), 'submitter');
    await log.append(notice('real', 'grader'));
    await until(() => notices.includes('grader:real'));
    await until(async () => (await quarantineReasons()).has(forged.seq));
    await consumer.stop();
    // the consumer's own notice about the forged one reaches it too, under the grader's name here
    expect(notices.filter((n) => !n.includes('may not publish'))).toEqual(['grader:real']);
    expect((await quarantineReasons()).get(forged.seq)).toMatch(/submitter may not publish system\.event\.quarantined/);
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

  it('quarantines the task, steps and work the submitter records in a run it did not import, and handles them in one it imported', async () => {
    const handled: string[] = [];
    const consumer = await log.consume({ durable: 'executor-all', filterSubject: `${config.subjectRoot}.run.*.*.>` }, async (e) => {
      handled.push(`${e.aggregateId}:${e.producer}:${e.type}`);
    });
    const task = (runId: string) => `${runId}-engineer`;
    const started = (runId: string) => createEvent({
      type: 'task.started', aggregateId: runId, producer: 'executor',
      data: { taskId: task(runId), role: 'engineer', iteration: 1, allowedPaths: ['src/**'], maxTurns: 10 },
    });
    const work = (runId: string) => createEvent({
      type: 'work.produced', aggregateId: runId, producer: 'executor',
      data: {
        workId: `${task(runId)}-w1`, taskId: task(runId), role: 'engineer', iteration: 1, artifactDigest: 'a'.repeat(64), files: [], claims: { testsPass: true, testsRun: true },
        finalMessage: 'done', testCommand: 'npm test', allowedPaths: ['src/**'], scratchPaths: [], endedBy: 'finished', turnsUsed: 1, maxTurns: 10,
      },
    });
    const ofRun = (runId: string) => [started(runId), { ...step(runId, 0), data: { ...step(runId, 0).data, taskId: task(runId) } } as LoopEvent, work(runId)];
    // Published as the submitter, whose user may publish these types (an import's): the raw JSON passes the NATS permissions.
    const forged = [];
    for (const event of ofRun('r5')) forged.push(await forge(event, 'submitter'));
    for (const event of ofRun('imp-r6')) await forge(event, 'submitter');
    await until(() => handled.length === 3);
    await until(async () => (await quarantineReasons()).size === 3);
    await consumer.stop();

    expect(handled).toEqual(['imp-r6:submitter:task.started', 'imp-r6:submitter:trace.step', 'imp-r6:submitter:work.produced']);
    const reasons = await quarantineReasons();
    expect(forged.map((f) => reasons.get(f.seq))).toEqual([
      expect.stringMatching(/submitter may publish task\.started only in a run it imported, not in run r5/),
      expect.stringMatching(/submitter may publish trace\.step only in a run it imported, not in run r5/),
      expect.stringMatching(/submitter may publish work\.produced only in a run it imported, not in run r5/),
    ]);
    expect((await log.readRun('r5')).map((e) => e.type)).toEqual([]);
  });

  it('quarantines a goal whose backend says otherwise than its run id about an import', async () => {
    const goals: string[] = [];
    const consumer = await log.consume({ durable: 'executor-goal-submitted', filterSubject: `${config.subjectRoot}.run.*.*.goal.submitted` }, async (e) => {
      goals.push(e.aggregateId);
    });
    const goal = (runId: string, backend: 'sim' | 'import') => createEvent({
      type: 'goal.submitted', aggregateId: 'r-any', producer: 'submitter',
      data: { goalId: runId, title: 't', description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 't', budgetUsd: 1, backend },
    });
    const asRun = (event: LoopEvent, runId: string) => ({ ...event, aggregateId: runId, correlationId: runId }) as LoopEvent;
    const importInRun = await forge(asRun(goal('r7', 'import'), 'r7'), 'submitter');
    const simInImport = await forge(asRun(goal('imp-r8', 'sim'), 'imp-r8'), 'submitter');
    await log.append(asRun(goal('r9', 'sim'), 'r9'));
    await log.append(asRun(goal('imp-r10', 'import'), 'imp-r10'));
    await until(() => goals.length === 2);
    await until(async () => (await quarantineReasons()).size === 2);
    await consumer.stop();
    const reasons = await quarantineReasons();
    expect(goals).toEqual(['r9', 'imp-r10']);
    expect(reasons.get(importInRun.seq)).toMatch(/goal\.submitted .* of run r7 names backend import, but only a run id starting imp- is an import/);
    expect(reasons.get(simInImport.seq)).toMatch(/goal\.submitted .* of run imp-r8 names backend sim, but a run id starting imp- is an import's/);
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
    await until(async () => (await quarantineReasons()).size === 2);
    await consumer.stop();

    expect(handled).toEqual([`decision.completed:${judged.id}`]);
    const reasons = await quarantineReasons();
    expect(reasons.get(verdictByExecutor.seq)).toMatch(/decision r4-w1-correctness \(key grader:engineer:dimension:correctness\) comes from executor: only its requester grader may/);
    expect(reasons.get(otherReview.seq)).toMatch(/review\.resolved .* names reviewId rv-b in its data but belongs to review rv-a/);
    expect((await log.readRun('r4')).map((e) => e.id)).toEqual([judged.id]);
    expect(legit.duplicate).toBe(false);
  });
});
