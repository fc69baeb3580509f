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
  /** Stops pulling and deletes the consumer on the server; safe to call on every path, more than once. */
  close(): Promise<void>;
}

/**
 * An ordered consumer that is deleted when its reader is done. Closing the client side alone
 * leaves the server's consumer alive until its inactivity threshold (minutes), so readers that
 * come and go often would pile up consumers on the server.
 */
export async function openOrderedReader(js: JetStreamClient, streamName: string, options: OrderedReadOptions): Promise<OrderedReader> {
  const fromSeq = options.fromSeq ?? 1;
  const consumer = await js.consumers.get(streamName, {
    filter_subjects: options.filter,
    ...(fromSeq > 1 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq } : {}),
  });
  let messages: ConsumerMessages | undefined;
  let closed = false;
  return {
    consumer,
    async consume(maxMessages) {
      messages = await consumer.consume({ max_messages: maxMessages });
      return messages;
    },
    async close() {
      if (closed) return;
      closed = true;
      await messages?.close();
      await consumer.delete().catch(() => undefined);
    },
  };
}
