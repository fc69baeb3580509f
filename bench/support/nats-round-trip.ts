import { randomBytes } from 'node:crypto';
import type { NatsConnection } from '@nats-io/nats-core';

/**
 * Core NATS request → reply round trips, one at a time, against a responder on the same
 * connection: the floor under any round trip through the server. Returns milliseconds.
 */
export async function coreRequestReply(nc: NatsConnection, samples: number, payloadBytes: number): Promise<number[]> {
  // Outside every stream's subjects, so nothing here is stored.
  const subject = `_bench.rtt.${randomBytes(4).toString('hex')}`;
  const responder = nc.subscribe(subject, {
    callback: (_err, msg) => {
      msg.respond(msg.data);
    },
  });
  const payload = new Uint8Array(payloadBytes).fill(0x61);
  const latencies: number[] = [];
  try {
    await nc.flush();
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      await nc.request(subject, payload, { timeout: 5_000 });
      latencies.push(performance.now() - started);
    }
  } finally {
    responder.unsubscribe();
  }
  return latencies;
}
