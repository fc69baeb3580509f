import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type EventLog, replayEvents, type StoredEvent } from '@loopwright/eventlog';
import { dropTestStream, natsConnectOptions, testLogConfig } from '@loopwright/testing';
import { openStoredMessages, replayStoredMessages } from './stored-messages';

/** Resolves with what `work` gave, or with 'still waiting' after `ms`. */
function within<T>(ms: number, work: Promise<T>): Promise<T | 'still waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still waiting'>((resolve) => (timer = setTimeout(() => resolve('still waiting'), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * Readers of a stream whose last sequence names a message it no longer holds (deleted, as a
 * stream that allows deletes may have): the end a reader waits for must be the last message it can
 * be given, not the stream's `last_seq`, or it waits for a message that never comes.
 */
describe('stored-message readers at a deleted tail', () => {
  const config = testLogConfig('stored_tail');
  let nc: NatsConnection;
  let log: EventLog;

  beforeAll(async () => {
    nc = await connect(natsConnectOptions(config.natsUrl));
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: config.streamName, subjects: [`${config.subjectRoot}.>`] });
    const js = jetstream(nc);
    const on = (run: string) => `${config.subjectRoot}.run.${run}.executor.trace.step`;
    // 1-15 on run r1, 16 and 17 on r2, 17 deleted: the stream's last_seq names a message it no longer holds
    for (let i = 1; i <= 17; i++) await js.publish(on(i <= 15 ? 'r1' : 'r2'), new TextEncoder().encode('{}'));
    await jsm.streams.deleteMessage(config.streamName, 17);
    log = { js, jsm, config: { streamName: config.streamName, subjectRoot: config.subjectRoot } } as unknown as EventLog;
  });

  afterAll(async () => {
    await nc.close();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  it('a replay from mid-log ends at the last message held', async () => {
    const started = performance.now();
    const read = async () => {
      const seqs: number[] = [];
      for await (const stored of replayStoredMessages(log, { fromSeq: 10, decode: new Set() })) seqs.push(stored.seq);
      return seqs;
    };
    expect(await within(3_000, read())).toEqual([10, 11, 12, 13, 14, 15, 16]);
    console.log(`replay from 10 to a deleted tail ended in ${Math.round(performance.now() - started)} ms`);
  });

  it('a filtered replay whose filter the tail is not on ends at the filter’s last message', async () => {
    const read = async () => {
      const seqs: number[] = [];
      const filter = `${config.subjectRoot}.run.r1.>`;
      for await (const stored of replayEvents(log.js, config.streamName, config.subjectRoot, { filter, fromSeq: 12 })) seqs.push(stored.seq);
      return seqs;
    };
    expect(await within(3_000, read())).toEqual([12, 13, 14, 15]);
  });

  it('the live reader says it is at the end on the last message held', async () => {
    const reader = await openStoredMessages(log, { fromSeq: 14, decode: new Set() });
    try {
      const seen: (StoredEvent & { atEnd: boolean })[] = [];
      const read = async () => {
        for await (const stored of reader.messages) {
          seen.push(stored);
          if (stored.seq === 16) return;
        }
      };
      await within(3_000, read());
      expect(seen.map((s) => [s.seq, s.atEnd])).toEqual([[14, false], [15, false], [16, true]]);
    } finally {
      await reader.close();
    }
  });
});
