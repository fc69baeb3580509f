import type { Subscription } from '@nats-io/nats-core';
import { createEvent, LoopEvent } from '@loopwright/events';
import type { EventLog } from '@loopwright/eventlog';
import { startProjections } from './start-projections';
import { useProjectionSuite } from '../testing/use-projection-suite';

function step(n: number): LoopEvent {
  return createEvent({
    type: 'trace.step', aggregateId: 'r1', producer: 'executor',
    data: { taskId: 'r1-engineer', iteration: 1, step: n, kind: 'search', tool: 'list_files', input: '.' },
  });
}

/** Longer than any wait below: a runner that catches up did so by itself, not because its stall watch recreated its reader. */
const NO_STALL_WATCH = { stallMs: 600_000, onError: (error: unknown) => console.error(error) };

/** Counts the JetStream API requests naming `streamName` while it is open, by API subject. */
function countApiRequests(log: EventLog, streamName: string): { counts: Map<string, number>; total(): number; stop(): void } {
  const counts = new Map<string, number>();
  const sub: Subscription = log.nc.subscribe('$JS.API.>', {
    callback: (_error, message) => {
      const tokens = message.subject.split('.');
      const at = tokens.indexOf(streamName);
      if (at < 0) return;
      const api = tokens.slice(2, at).join('.');
      counts.set(api, (counts.get(api) ?? 0) + 1);
    },
  });
  return { counts, total: () => [...counts.values()].reduce((a, b) => a + b, 0), stop: () => sub.unsubscribe() };
}

/**
 * The live runner restarted from its checkpoints at points through the log (mid-log, exactly at its
 * end, with events appended while it opens) must catch up by itself; one stopped right after it
 * started (its reader opened, not yet read) must stop; and once caught up it must see what is appended
 * after, asking JetStream nothing per event.
 */
describe('the miner’s projections restarted from their checkpoints', () => {
  const suite = useProjectionSuite('miner_restart');
  let n = 0;

  const append = (count: number) => suite.log.appendMany(Array.from({ length: count }, () => step(n++)));
  const lastSeq = async () => (await suite.log.jsm.streams.info(suite.config.streamName)).state.last_seq;

  it('stops when stopped right after it starts, with nothing read yet', async () => {
    await append(8);
    for (let round = 0; round < 6; round++) {
      const runner = await startProjections(suite.log, suite.db, NO_STALL_WATCH);
      await runner.stop();
      await runner.done;
    }
    expect(await suite.log.jsm.streams.info(suite.config.streamName)).toMatchObject({ state: { consumer_count: 0 } });
  }, 60_000);

  it('catches up by itself after every restart, mid-log or at its end', async () => {
    const restart = async (appendBefore: number, appendDuring: number): Promise<void> => {
      await suite.running?.stop();
      if (appendBefore > 0) await append(appendBefore);
      suite.running = await startProjections(suite.log, suite.db, NO_STALL_WATCH);
      if (appendDuring > 0) await append(appendDuring);
      await suite.running.waitFor(await lastSeq(), 60_000);
    };
    await restart(16, 0);
    for (let round = 0; round < 12; round++) await restart(round % 3 === 0 ? 0 : 1 + (round % 5), round % 2 === 0 ? 0 : 1 + (round % 4));
    expect(suite.running?.position()).toBe(await lastSeq());
  }, 120_000);

  it('once caught up, sees every event appended after, asking JetStream nothing per event', async () => {
    suite.running ??= await startProjections(suite.log, suite.db, NO_STALL_WATCH);
    await suite.running.waitFor(await lastSeq(), 60_000);
    const events = 100;
    const requests = countApiRequests(suite.log, suite.config.streamName);
    try {
      for (let i = 0; i < events; i++) {
        const [appended] = await append(1);
        await suite.running.waitFor(appended.seq, 60_000);
      }
      // the counter's own check: a request it must see
      await suite.log.jsm.streams.info(suite.config.streamName);
    } finally {
      requests.stop();
    }
    expect(requests.counts.get('STREAM.INFO')).toBeGreaterThanOrEqual(1);
    const byTheRunner = requests.total() - 1;
    console.log(`JetStream API requests on the stream while ${events} events were appended and applied one by one: ${byTheRunner}`, Object.fromEntries(requests.counts));
    // the reader's pulls, and its stall watch's look at the stream every few seconds, are not per event
    expect(byTheRunner).toBeLessThan(events / 10);
  }, 120_000);
});

/**
 * A log whose last message was deleted (a stream that allows deletes, a purge, an age limit): its last
 * sequence names a message no reader gets. A runner that has applied the last message held is caught up,
 * not stalled behind that sequence.
 */
describe('the miner’s projections at a deleted tail', () => {
  const suite = useProjectionSuite('miner_deleted_tail', { allowDeletes: true });

  it('catch up to the last message held, and its stall watch finds nothing behind', async () => {
    const appended = await suite.log.appendMany(Array.from({ length: 6 }, (_, i) => step(i)));
    await suite.log.jsm.streams.deleteMessage(suite.config.streamName, appended[5].seq);
    const stallMs = 200;
    const requests = countApiRequests(suite.log, suite.config.streamName);
    try {
      suite.running = await startProjections(suite.log, suite.db, { stallMs, onError: (error) => console.error(error) });
      await suite.running.waitFor(appended[4].seq, 60_000);
      // the stall watch looks at the stream every stallMs / 4 at the most often: 12 looks span more than stallMs
      const looks = (requests.counts.get('STREAM.INFO') ?? 0) + 12;
      while ((requests.counts.get('STREAM.INFO') ?? 0) < looks) await new Promise((resolve) => setTimeout(resolve, stallMs / 4));
    } finally {
      requests.stop();
    }
    expect(suite.running?.problem()).toBeUndefined();
    // its reader was opened once, never recreated as a stalled one is
    const creates = [...requests.counts].filter(([api]) => api.startsWith('CONSUMER.') && api.includes('CREATE'));
    expect(creates.map(([, count]) => count)).toEqual([1]);
  }, 60_000);
});

