import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type EventLog, replayEvents } from '@loopwright/eventlog';
import { dropTestStream, natsConnectOptions, testLogConfig } from '@loopwright/testing';
import { openStoredMessages, replayStoredMessages } from './stored-messages';

/**
 * Readers of a stream whose last sequence names a message it no longer holds (deleted, as a stream
 * that allows deletes, purges or age limits may have): a bounded replay must end with the last message
 * it can be given, not wait for the stream's `last_seq`, which never comes.
 */
describe('stored-message readers at a deleted tail', () => {
  const config = testLogConfig('stored_tail');
  const on = (run: string) => `${config.subjectRoot}.run.${run}.executor.trace.step`;
  let nc: NatsConnection;
  let log: EventLog;

  beforeAll(async () => {
    nc = await connect(natsConnectOptions(config.natsUrl));
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: config.streamName, subjects: [`${config.subjectRoot}.>`] });
    const js = jetstream(nc);
    // 1-15 on run r1, 16 and 17 on r2, 17 deleted: the stream's last_seq names a message it no longer holds
    for (let i = 1; i <= 17; i++) await js.publish(on(i <= 15 ? 'r1' : 'r2'), new TextEncoder().encode('{}'));
    await jsm.streams.deleteMessage(config.streamName, 17);
    log = { js, jsm, config: { streamName: config.streamName, subjectRoot: config.subjectRoot } } as unknown as EventLog;
  });

  afterAll(async () => {
    await nc.close();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  async function storedSeqs(fromSeq: number, batch?: number): Promise<number[]> {
    const seqs: number[] = [];
    for await (const stored of replayStoredMessages(log, { fromSeq, decode: new Set(), batch })) seqs.push(stored.seq);
    return seqs;
  }

  async function replayedSeqs(fromSeq: number, filter?: string): Promise<number[]> {
    const seqs: number[] = [];
    for await (const stored of replayEvents(log.js, config.streamName, config.subjectRoot, { filter, fromSeq })) seqs.push(stored.seq);
    return seqs;
  }

  it('a replay from mid-log ends with the last message held', async () => {
    expect(await storedSeqs(10)).toEqual([10, 11, 12, 13, 14, 15, 16]);
    expect(await storedSeqs(1, 4)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  it('a replay from past the last message held ends at once, empty', async () => {
    expect(await storedSeqs(17)).toEqual([]);
    expect(await replayedSeqs(17)).toEqual([]);
  });

  it('replay() over the whole log or a filter the tail is not on ends with the last message held', async () => {
    expect(await replayedSeqs(10, `${config.subjectRoot}.run.r2.>`)).toEqual([16]);
    expect(await replayedSeqs(12, `${config.subjectRoot}.run.r1.>`)).toEqual([12, 13, 14, 15]);
  });

  it('the live reader is told nothing is pending on the last message held', async () => {
    const reader = await openStoredMessages(log, { fromSeq: 14, decode: new Set() });
    try {
      const seen: [number, number][] = [];
      for await (const stored of reader.messages) {
        seen.push([stored.seq, stored.pending]);
        if (stored.pending === 0) break;
      }
      expect(seen).toEqual([[14, 2], [15, 1], [16, 0]]);
    } finally {
      await reader.close();
    }
  });

  it('a live reader closed before it has read anything closes', async () => {
    const reader = await openStoredMessages(log, { fromSeq: 1, decode: new Set() });
    await reader.close();
    const consumers = (await log.jsm.streams.info(config.streamName)).state.consumer_count;
    expect(consumers).toBe(0);
  });

  it('a replay ends at the end it began with, though messages are appended while it reads', async () => {
    const seqs: number[] = [];
    for await (const stored of replayStoredMessages(log, { fromSeq: 14, decode: new Set() })) {
      seqs.push(stored.seq);
      if (stored.seq === 14) for (let i = 0; i < 3; i++) await log.js.publish(on('r3'), new TextEncoder().encode('{}'));
    }
    expect(seqs).toEqual([14, 15, 16]);
  });
});
