import { JetStreamClient } from '@nats-io/jetstream';
import { StoredEvent, toStoredEvent } from './codec';
import { openOrderedReader } from './ordered-reader';
import { replayIsEmpty, replayStep } from './replay-end';

export interface ReplayOptions {
  /** A subject filter, e.g. `loop.run.<runId>.>`; defaults to the whole log. */
  filter?: string;
  /** First stream sequence to read (1 = from the beginning). */
  fromSeq?: number;
  /** Messages to pull at once. */
  batch?: number;
}

/**
 * Reads the log in stream order through an ordered consumer and stops at the end that existed
 * when the replay began (events appended meanwhile are left for the next replay). The end comes from
 * what the consumer reports anyway: how many messages it had to deliver when created, and how many
 * are pending past each one it delivers; never from a request per message.
 */
export async function* replayEvents(
  js: JetStreamClient,
  streamName: string,
  subjectRoot: string,
  options: ReplayOptions = {},
): AsyncGenerator<StoredEvent> {
  const fromSeq = options.fromSeq ?? 1;
  const reader = await openOrderedReader(js, streamName, { filter: options.filter ?? `${subjectRoot}.>`, fromSeq });
  try {
    const bounds = { count: (await reader.consumer.info(true)).num_pending };
    if (replayIsEmpty(fromSeq, bounds)) return;
    let delivered = 0;
    for await (const message of await reader.consume(options.batch ?? 1_000)) {
      const step = replayStep({ seq: message.seq, pending: message.info.pending }, ++delivered, bounds);
      if (step === 'beyond') break;
      yield toStoredEvent(message.seq, message.subject, message.data, subjectRoot);
      if (step === 'last') break;
    }
  } finally {
    await reader.close();
  }
}
