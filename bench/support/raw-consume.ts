import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';

/**
 * Reads a stream from its first message to the end that existed when the read began, through
 * an ordered consumer, touching each message only through `visit`: the transport's own rate.
 */
export async function rawConsume(
  js: JetStreamClient,
  streamName: string,
  filter: string,
  options: { batch?: number; visit?: (message: JsMsg) => void; onProgress?: (read: number) => void } = {},
): Promise<{ events: number; bytes: number }> {
  const consumer = await js.consumers.get(streamName, { filter_subjects: filter });
  const total = (await consumer.info(true)).num_pending;
  let events = 0;
  let bytes = 0;
  if (total === 0) return { events, bytes };
  const messages = await consumer.consume({ max_messages: options.batch ?? 1_000 });
  try {
    for await (const message of messages) {
      events++;
      bytes += message.data.length;
      options.visit?.(message);
      if (options.onProgress && events % 10_000 === 0) options.onProgress(events);
      if (events >= total || message.info.pending === 0) break;
    }
  } finally {
    await messages.close();
  }
  return { events, bytes };
}
