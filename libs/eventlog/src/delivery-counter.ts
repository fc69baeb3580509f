import type { NatsConnection } from '@nats-io/nats-core';
import { KV, Kvm } from '@nats-io/kv';
import { StorageType } from '@nats-io/jetstream';

/** What a consumer knows of a message's earlier handler runs, kept across process deaths. */
export interface DeliveryRecord {
  /** Handler runs started on redeliveries (a first delivery's run is not recorded: it is the common case). */
  started: number;
  /** The error the last run that returned ended with, if any. */
  lastError?: string;
}

/** The durable count of handler runs per (consumer, stream sequence): how a death inside a handler is counted. */
export interface DeliveryCounter {
  read(consumer: string, seq: number): Promise<DeliveryRecord>;
  write(consumer: string, seq: number, record: DeliveryRecord): Promise<void>;
}

/** Records older than this are forgotten: a message is settled long before. */
const RECORD_TTL_MS = 7 * 24 * 3600_000;

/** Opens the bucket (creating it when `create`: the operator provisions it). */
export async function openDeliveryCounter(nc: NatsConnection, bucket: string, create: boolean, replicas = 1): Promise<DeliveryCounter> {
  const kvm = new Kvm(nc);
  const kv: KV = create
    ? await kvm.create(bucket, { storage: StorageType.File, history: 1, ttl: RECORD_TTL_MS, replicas })
    : await kvm.open(bucket);
  const key = (consumer: string, seq: number) => `${consumer}.${seq}`;
  return {
    async read(consumer, seq) {
      const entry = await kv.get(key(consumer, seq));
      if (!entry || entry.operation !== 'PUT' || entry.length === 0) return { started: 0 };
      return entry.json<DeliveryRecord>();
    },
    async write(consumer, seq, record) {
      await kv.put(key(consumer, seq), JSON.stringify(record));
    },
  };
}
