import type { EventLog, StoredEvent } from '@loopwright/eventlog';
import { openOrderedReader, toStoredEvent } from '@loopwright/eventlog';

export interface StoredMessageReader {
  readonly messages: AsyncIterable<StoredEvent & { pending: number }>;
  close(): Promise<void>;
}

/**
 * Reads the whole log in stream order from `fromSeq` through an ordered consumer (gap-free: it
 * resets itself rather than skip). Only messages whose subject names a type in `decode` are decoded
 * and validated; the others come with `event: null` and their raw payload, which is all the audit
 * chain needs; a valid event's type always equals its subject's, so nothing a projector handles is
 * missed. Skipping the decode of traces and work (half of a log) is most of the replay's speed.
 * `pending` is how many messages the stream held past this one when it was delivered.
 */
export async function openStoredMessages(
  log: EventLog,
  options: { fromSeq: number; decode: ReadonlySet<string>; batch?: number },
): Promise<StoredMessageReader> {
  const root = log.config.subjectRoot;
  const reader = await openOrderedReader(log.js, log.config.streamName, { filter: `${root}.>`, fromSeq: options.fromSeq });
  const pulled = await reader.consume(options.batch ?? 2_000);
  async function* messages(): AsyncGenerator<StoredEvent & { pending: number }> {
    for await (const message of pulled) {
      const subject = message.subject;
      const type = typeOfSubject(subject, root);
      const pending = message.info.pending;
      if (type !== undefined && options.decode.has(type)) {
        const stored = toStoredEvent(message.seq, subject, message.data, root) as StoredEvent & { pending: number };
        stored.pending = pending;
        yield stored;
      } else {
        yield { seq: message.seq, subject, payload: message.data, event: null, pending };
      }
    }
  }
  return { messages: messages(), close: () => reader.close() };
}

/** `<root>.<aggregate>.<id>.<producer>.<type…>` → `<type…>` */
function typeOfSubject(subject: string, root: string): string | undefined {
  const tokens = subject.split('.');
  return tokens[0] === root && tokens.length >= 5 ? tokens.slice(4).join('.') : undefined;
}

/** Reads from `fromSeq` to the end of the log as it stands when called. */
export async function* replayStoredMessages(
  log: EventLog,
  options: { fromSeq: number; decode: ReadonlySet<string>; batch?: number },
): AsyncGenerator<StoredEvent> {
  const info = await log.jsm.streams.info(log.config.streamName);
  const lastSeq = info.state.last_seq;
  if (lastSeq < options.fromSeq) return;
  const reader = await openStoredMessages(log, options);
  try {
    for await (const stored of reader.messages) {
      yield stored;
      if (stored.seq >= lastSeq) break;
    }
  } finally {
    await reader.close();
  }
}
