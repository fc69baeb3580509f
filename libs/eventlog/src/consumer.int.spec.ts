import { InfrastructureError, ValidationError } from '@loopwright/core';
import { createEvent, LoopEvent } from '@loopwright/events';
import { dropTestStream, startNatsServer, testLogConfig } from '@loopwright/testing';
import { EventLog, LogConfig } from './index';

function step(runId: string, n: number): LoopEvent {
  return createEvent({
    type: 'trace.step',
    aggregateId: runId,
    producer: 'executor',
    data: { taskId: `${runId}-engineer`, iteration: 1, step: n, kind: 'search', tool: 'list_files', input: '.' },
  });
}

/** Resolves when `predicate` holds, polling; the test's own timeout bounds it. */
async function until(predicate: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await predicate())) await new Promise((r) => setTimeout(r, 20));
}

function configFor(name: string, natsUrl?: string): LogConfig {
  const base = testLogConfig(name);
  return {
    ...base,
    natsUrl: natsUrl ?? base.natsUrl,
    producer: 'executor',
    duplicateWindowMs: 120_000,
    artifactBucket: `${base.streamName}_artifacts`,
  };
}

describe('consumers', () => {
  let config: LogConfig;
  let log: EventLog;

  beforeEach(async () => {
    config = configFor('consumer');
    log = await EventLog.open(config);
  });

  afterEach(async () => {
    await log.close();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  it('with a concurrency, handles several runs at once but one run\'s events one at a time, in order', async () => {
    const handled: string[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const runningOf = new Map<string, number>();
    let twoOfOneRun = false;
    const releases: (() => void)[] = [];
    await log.appendMany(['a', 'b', 'c', 'd'].flatMap((runId) => [0, 1, 2].map((n) => step(runId, n))));
    const consumer = await log.consume({ durable: 'c-concurrent', filterSubject: `${config.subjectRoot}.run.>`, concurrency: 3 }, async (e) => {
      if (e.type !== 'trace.step') return;
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      runningOf.set(e.aggregateId, (runningOf.get(e.aggregateId) ?? 0) + 1);
      if (runningOf.get(e.aggregateId)! > 1) twoOfOneRun = true;
      // each handler waits until the test lets it go, so overlaps are decided by the consumer, not by timing
      await new Promise<void>((release) => releases.push(release));
      handled.push(`${e.aggregateId}:${e.data.step}`);
      runningOf.set(e.aggregateId, runningOf.get(e.aggregateId)! - 1);
      running--;
    });
    // all twelve are waiting: the first three runs' first steps start together
    await until(() => releases.length === 3);
    while (handled.length < 12) {
      releases.splice(0).forEach((release) => release());
      await until(() => releases.length > 0 || handled.length === 12);
    }
    await consumer.stop();

    expect(mostAtOnce).toBe(3);
    expect(twoOfOneRun).toBe(false);
    for (const runId of ['a', 'b', 'c', 'd']) expect(handled.filter((h) => h.startsWith(`${runId}:`))).toEqual([0, 1, 2].map((n) => `${runId}:${n}`));
  });

  it('with orderedPerAggregate false, hands out several events of one run at once', async () => {
    const releases: (() => void)[] = [];
    let handled = 0;
    await log.appendMany([0, 1, 2, 3].map((n) => step('solo', n)));
    const consumer = await log.consume(
      { durable: 'c-unordered', filterSubject: `${config.subjectRoot}.run.>`, concurrency: 3, orderedPerAggregate: false },
      async (e) => {
        if (e.type !== 'trace.step') return;
        await new Promise<void>((release) => releases.push(release));
        handled++;
      },
    );
    // three of the one run's four events are in the handler together: the concurrency, not the run, bounds them
    await until(() => releases.length === 3);
    while (handled < 4) {
      releases.splice(0).forEach((release) => release());
      await until(() => releases.length > 0 || handled === 4);
    }
    await consumer.stop();
    expect(handled).toBe(4);
  });

  it('quarantines a malformed message published raw, keeps it in the log, and moves on', async () => {
    const seen: number[] = [];
    const consumer = await log.consume({ durable: 'c-malformed', filterSubject: `${config.subjectRoot}.run.>` }, async (e) => {
      if (e.type === 'trace.step') seen.push(e.data.step);
    });
    await log.append(step('r1', 0));
    const raw = await log.js.publish(`${config.subjectRoot}.run.r1.executor.trace.step`, new TextEncoder().encode('{not json'));
    const forged = await log.js.publish(
      `${config.subjectRoot}.run.r1.grader.trace.step`,
      new TextEncoder().encode(JSON.stringify(step('r1', 99))),
    );
    await log.append(step('r1', 1));
    await until(() => seen.length === 2);
    await consumer.stop();

    expect(seen).toEqual([0, 1]);
    const notices = [];
    for await (const s of log.replay({ filter: `${config.subjectRoot}.system.>` })) notices.push(s.event);
    expect(notices.map((n) => n?.type === 'system.event.quarantined' && n.data.originalSeq)).toEqual([raw.seq, forged.seq]);
    const [first, second] = notices;
    if (first?.type !== 'system.event.quarantined' || second?.type !== 'system.event.quarantined') throw new Error('no notice');
    expect(first.data.reason).toMatch(/not JSON/);
    expect(second.data.reason).toMatch(/names producer grader, the envelope executor \(trace.step\)/);
    expect((await log.jsm.streams.getMessage(config.streamName, { seq: raw.seq }))?.string()).toBe('{not json');
  });

  it('redelivers after a retryable failure and acks once the handler succeeds', async () => {
    const deliveries: number[] = [];
    const consumer = await log.consume(
      { durable: 'c-retry', filterSubject: `${config.subjectRoot}.run.>`, retryDelayMs: 50 },
      async (_e, ctx) => {
        deliveries.push(ctx.deliveries);
        if (ctx.deliveries < 3) throw new InfrastructureError('database briefly away');
      },
    );
    await log.append(step('r2', 0));
    await until(() => deliveries.length === 3);
    await until(async () => (await log.jsm.consumers.info(config.streamName, 'c-retry')).num_ack_pending === 0);
    await consumer.stop();
    expect(deliveries).toEqual([1, 2, 3]);
  });

  it('quarantines an event whose handler fails for good, and after max deliveries', async () => {
    let attempts = 0;
    const consumer = await log.consume(
      { durable: 'c-poison', filterSubject: `${config.subjectRoot}.run.>`, retryDelayMs: 20, maxDeliver: 3 },
      async (e) => {
        if (e.type !== 'trace.step') return;
        if (e.data.step === 0) throw new ValidationError('step 0 can never be handled');
        attempts++;
        throw new Error('always fails');
      },
    );
    await log.append(step('r3', 0));
    await log.append(step('r3', 1));
    const reasons: string[] = [];
    await until(async () => {
      reasons.length = 0;
      for await (const s of log.replay({ filter: `${config.subjectRoot}.system.>` })) {
        if (s.event?.type === 'system.event.quarantined') reasons.push(s.event.data.reason);
      }
      return reasons.length === 2;
    });
    await consumer.stop();
    expect(reasons[0]).toMatch(/ValidationError: step 0 can never be handled/);
    expect(reasons[1]).toMatch(/gave up after 3 deliveries/);
    expect(attempts).toBe(3);
  });

  it('keeps a long handler, and the messages queued behind it, from being redelivered by heartbeating', async () => {
    const deliveries: number[] = [];
    const consumer = await log.consume(
      { durable: 'c-slow', filterSubject: `${config.subjectRoot}.run.>`, ackWaitMs: 1_500 },
      async (_e, ctx) => {
        deliveries.push(ctx.deliveries);
        await new Promise((r) => setTimeout(r, 4_000));
      },
    );
    // The second event waits behind the slow first one for longer than ack_wait, too.
    await log.append(step('r4', 0));
    await log.append(step('r4', 1));
    await until(async () => (await log.jsm.consumers.info(config.streamName, 'c-slow')).num_ack_pending === 0 && deliveries.length > 1);
    await consumer.stop();
    expect(deliveries).toEqual([1, 1]);
  });
});

describe('a consumer when nats-server restarts under it', () => {
  it('reconnects and resumes with nothing lost', async () => {
    const server = await startNatsServer();
    const config = configFor('restart', server.url);
    const log = await EventLog.open(config);
    try {
      const seen = new Set<number>();
      const consumer = await log.consume({ durable: 'c-restart', filterSubject: `${config.subjectRoot}.run.>` }, async (e) => {
        if (e.type === 'trace.step') seen.add(e.data.step);
      });
      for (let i = 0; i < 50; i++) await log.append(step('r5', i));
      await until(() => seen.size === 50);
      await server.restart();
      for (let i = 50; i < 100; i++) await log.append(step('r5', i));
      await until(() => seen.size === 100);
      await consumer.stop();
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect((await log.jsm.streams.info(config.streamName)).state.messages).toBe(100);
    } finally {
      await log.close();
      await server.stop();
    }
  }, 90_000);
});
