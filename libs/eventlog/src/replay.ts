import { DeliverPolicy, JetStreamClient } from '@nats-io/jetstream';
import { StoredEvent, toStoredEvent } from './codec';

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
  const fromSeq = options.fromSeq ?? 1;
  const consumer = await js.consumers.get(streamName, {
    filter_subjects: options.filter ?? `${subjectRoot}.>`,
    ...(fromSeq > 1 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq } : {}),
  });
  let remaining = (await consumer.info(true)).num_pending;
  if (remaining === 0) return;
  const messages = await consumer.consume({ max_messages: options.batch ?? 1_000 });
  try {
    for await (const message of messages) {
      yield toStoredEvent(message.seq, message.subject, message.data, subjectRoot);
      remaining--;
      if (remaining <= 0 || message.info.pending === 0) break;
    }
  } finally {
    await messages.close();
  }
}
