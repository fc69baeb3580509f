import { randomUUID } from 'node:crypto';
import { ConsumerMessages, Consumer, DeliverPolicy, JetStreamClient } from '@nats-io/jetstream';

export interface OrderedReadOptions {
  filter: string;
  /** First stream sequence to read (1 = from the beginning). */
  fromSeq?: number;
}

export interface OrderedReader {
  readonly consumer: Consumer;
  /** Starts pulling; call at most once. */
  consume(maxMessages: number): Promise<ConsumerMessages>;
  /**
   * Stops pulling and deletes the consumer on the server; safe to call on every path, more than once,
   * whether or not anyone has read the messages. It does not wait for a loop over them to end.
   */
  close(): Promise<void>;
}

/** The serial in an ordered consumer's name, `<prefix>_<serial>`. */
function serialOf(name: string, prefix: string): number {
  return name.startsWith(`${prefix}_`) ? Number(name.slice(prefix.length + 1)) || 0 : 0;
}

/**
 * An ordered consumer that is deleted when its reader is done. Closing the client side alone
 * leaves the server's consumer alive until its inactivity threshold (minutes), so readers that
 * come and go often would pile up consumers on the server.
 *
 * An ordered consumer replaces itself on the server when it falls out of order (after NATS
 * restarts): `<prefix>_1` becomes `<prefix>_2` and so on, and the client's own delete of the old one
 * is fire-and-forget, lost while the connection is down. So the reader names its prefix, follows
 * every replacement, and on close deletes each name it may have left.
 */
export async function openOrderedReader(js: JetStreamClient, streamName: string, options: OrderedReadOptions): Promise<OrderedReader> {
  const fromSeq = options.fromSeq ?? 1;
  const prefix = randomUUID().replace(/-/g, '');
  const consumer = await js.consumers.get(streamName, {
    name_prefix: prefix,
    filter_subjects: options.filter,
    ...(fromSeq > 1 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq } : {}),
  });
  let lastSerial = 1;
  let messages: ConsumerMessages | undefined;
  let closed = false;
  const follow = async (pulling: ConsumerMessages) => {
    for await (const status of pulling.status()) {
      // a reset names the consumer being replaced; its successor takes the next serial
      if (status.type === 'reset') lastSerial = Math.max(lastSerial, serialOf(status.name, prefix) + 1);
      if (status.type === 'ordered_consumer_recreated') lastSerial = Math.max(lastSerial, serialOf(status.name, prefix));
    }
  };
  return {
    consumer,
    async consume(maxMessages) {
      messages = await consumer.consume({ max_messages: maxMessages });
      void follow(messages);
      return messages;
    },
    async close() {
      if (closed) return;
      closed = true;
      // stop(), not an awaited close(): the client settles close() only once someone iterates the
      // messages to their end, so a reader closed before anyone read it (a projection runner stopped
      // right after it started) waited for ever. A loop reading it still ends, after what it holds.
      messages?.stop();
      const jsm = await js.jetstreamManager(false);
      for (let serial = 1; serial <= lastSerial; serial++) {
        await jsm.consumers.delete(streamName, `${prefix}_${serial}`).catch(() => undefined);
      }
    },
  };
}
