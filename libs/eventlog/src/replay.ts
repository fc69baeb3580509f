import { JetStreamClient } from '@nats-io/jetstream';
import { StoredEvent, toStoredEvent } from './codec';
import { openOrderedReader } from './ordered-reader';

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
 * when the replay began (events appended meanwhile are left for the next replay).
 */
export async function* replayEvents(
  js: JetStreamClient,
  streamName: string,
  subjectRoot: string,
  options: ReplayOptions = {},
): AsyncGenerator<StoredEvent> {
  const reader = await openOrderedReader(js, streamName, { filter: options.filter ?? `${subjectRoot}.>`, fromSeq: options.fromSeq });
  try {
    let remaining = (await reader.consumer.info(true)).num_pending;
    if (remaining === 0) return;
    for await (const message of await reader.consume(options.batch ?? 1_000)) {
      yield toStoredEvent(message.seq, message.subject, message.data, subjectRoot);
      remaining--;
      if (remaining <= 0 || message.info.pending === 0) break;
    }
  } finally {
    await reader.close();
  }
}
