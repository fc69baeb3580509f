import type { JsMsg } from '@nats-io/jetstream';
import type { EventLog, StoredEvent } from '@loopwright/eventlog';
import { openOrderedReader, replayIsEmpty, replayStep, toStoredEvent } from '@loopwright/eventlog';

export interface StoredMessageReader {
  readonly messages: AsyncIterable<StoredEvent & { pending: number }>;
  close(): Promise<void>;
}

export interface StoredMessageOptions {
  fromSeq: number;
  /** The event types to decode and validate; the others come with `event: null`. */
  decode: ReadonlySet<string>;
  /** Messages the ordered consumer pulls ahead of the reader. */
  batch?: number;
}

/**
 * Reads the whole log in stream order from `fromSeq` through an ordered consumer (gap-free: it
 * resets itself rather than skip). Only messages whose subject names a type in `decode` are decoded
 * and validated; the others come with `event: null` and their raw payload, which is all the audit
 * chain needs; a valid event's type always equals its subject's, so nothing a projector handles is
 * missed. Skipping the decode of traces and work (half of a log) is most of the replay's speed.
 * `pending` is how many messages the stream held past this one when it was delivered.
 */
export async function openStoredMessages(log: EventLog, options: StoredMessageOptions): Promise<StoredMessageReader> {
  const root = log.config.subjectRoot;
  const reader = await openOrderedReader(log.js, log.config.streamName, { filter: `${root}.>`, fromSeq: options.fromSeq });
  const pulled = await reader.consume(options.batch ?? 2_000).catch(async (error: unknown) => {
    await reader.close();
    throw error;
  });
  async function* messages(): AsyncGenerator<StoredEvent & { pending: number }> {
    for await (const message of pulled) {
      const stored = storedMessage(message, root, options.decode) as StoredEvent & { pending: number };
      stored.pending = message.info.pending;
      yield stored;
    }
  }
  return { messages: messages(), close: () => reader.close() };
}

function storedMessage(message: JsMsg, root: string, decode: ReadonlySet<string>): StoredEvent {
  const subject = message.subject;
  const type = typeOfSubject(subject, root);
  if (type !== undefined && decode.has(type)) return toStoredEvent(message.seq, subject, message.data, root);
  return { seq: message.seq, subject, payload: message.data, event: null };
}

/** `<root>.<aggregate>.<id>.<producer>.<type…>` → `<type…>`; found by position, as every message of a replay passes here. */
function typeOfSubject(subject: string, root: string): string | undefined {
  if (!subject.startsWith(root) || subject.charCodeAt(root.length) !== 0x2e /* . */) return undefined;
  let dot = root.length;
  for (let token = 0; token < 3; token++) {
    dot = subject.indexOf('.', dot + 1);
    if (dot < 0) return undefined;
  }
  return subject.slice(dot + 1);
}

/**
 * Reads from `fromSeq` to the end of the log as it stands when called, in runs of up to `size`
 * contiguous messages: one hand-over per run rather than per message, which a replay of millions
 * of messages notices. It ends as `replayStep` says, from the stream's last sequence when called and
 * what the consumer reports anyway: one look at the stream, none per message.
 */
export async function* replayStoredBatches(log: EventLog, options: StoredMessageOptions & { size: number }): AsyncGenerator<StoredEvent[]> {
  const { state } = await log.jsm.streams.info(log.config.streamName);
  if (replayIsEmpty(options.fromSeq, { lastSeq: state.last_seq })) return;
  const root = log.config.subjectRoot;
  const reader = await openOrderedReader(log.js, log.config.streamName, { filter: `${root}.>`, fromSeq: options.fromSeq });
  try {
    const bounds = { lastSeq: state.last_seq, count: (await reader.consumer.info(true)).num_pending };
    if (replayIsEmpty(options.fromSeq, bounds)) return;
    const pulled = await reader.consume(options.batch ?? 2_000);
    let batch: StoredEvent[] = [];
    let delivered = 0;
    for await (const message of pulled) {
      const step = replayStep({ seq: message.seq, pending: message.info.pending }, ++delivered, bounds);
      if (step !== 'beyond') batch.push(storedMessage(message, root, options.decode));
      if (batch.length > 0 && (batch.length >= options.size || step !== 'more')) {
        yield batch;
        batch = [];
      }
      if (step !== 'more') break;
    }
  } finally {
    await reader.close();
  }
}

/** Reads from `fromSeq` to the end of the log as it stands when called. */
export async function* replayStoredMessages(log: EventLog, options: StoredMessageOptions): AsyncGenerator<StoredEvent> {
  for await (const batch of replayStoredBatches(log, { ...options, size: options.batch ?? 2_000 })) yield* batch;
}
