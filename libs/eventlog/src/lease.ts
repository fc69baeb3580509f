import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { NatsConnection } from '@nats-io/nats-core';
import { JetStreamApiCodes, JetStreamApiError, StorageType } from '@nats-io/jetstream';
import { KV, Kvm } from '@nats-io/kv';
import { acquireOrRenew, LeaseRecord, releaseLease } from './lease-decision';

/** This process's name as a lease holder: host, pid and a random suffix, unique per process. */
export function processHolderId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

function isConflict(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

export interface LeaseSettings {
  /** How long a lease lasts unless renewed: how long a dead holder keeps everyone else out. */
  ttlMs: number;
  /** How often a held lease is renewed; well under the TTL. */
  renewMs: number;
}

/** The result of one try: held, or refused with who holds it until when. */
export type LeaseAttempt = { held: true; expiresAt: number } | { held: false; holder: string; expiresAt: number };

/**
 * One named lease in a KV bucket, as one holder sees it. Every change is a compare-and-set on the
 * revision read just before (see acquireOrRenew): of two holders writing at once, one fails and is refused.
 */
export class KvLease {
  private constructor(
    private readonly kv: KV,
    readonly name: string,
    readonly holder: string,
    private readonly ttlMs: number,
  ) {}

  /** Opens the bucket (creating it with `replicas` copies when `create`: the operator provisions it). */
  static async open(nc: NatsConnection, bucket: string, name: string, holder: string, ttlMs: number, create?: { replicas: number }): Promise<KvLease> {
    const kvm = new Kvm(nc);
    const kv = create ? await kvm.create(bucket, { storage: StorageType.File, history: 1, replicas: create.replicas }) : await kvm.open(bucket);
    return new KvLease(kv, name, holder, ttlMs);
  }

  private async read(): Promise<{ record?: LeaseRecord; revision: number }> {
    const entry = await this.kv.get(this.name);
    if (!entry || entry.operation !== 'PUT') return { revision: entry?.revision ?? 0 };
    return { record: entry.json<LeaseRecord>(), revision: entry.revision };
  }

  private async write(next: LeaseRecord, revision: number): Promise<boolean> {
    try {
      if (revision === 0) await this.kv.create(this.name, JSON.stringify(next));
      else await this.kv.update(this.name, JSON.stringify(next), revision);
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  /** Acquires the lease, or renews it when already held; refused while another holder's lease lives. */
  async acquire(now = Date.now()): Promise<LeaseAttempt> {
    const { record, revision } = await this.read();
    const step = acquireOrRenew(record, this.holder, now, this.ttlMs);
    if (step.kind === 'refused') return { held: false, holder: step.holder, expiresAt: step.expiresAt };
    if (await this.write(step.next, revision)) return { held: true, expiresAt: step.next.expiresAt };
    // someone wrote between the read and the write: whoever it was holds it now
    const after = await this.read();
    return { held: false, holder: after.record?.holder ?? 'unknown', expiresAt: after.record?.expiresAt ?? 0 };
  }

  /** Gives the lease up, if still held, so the next contender need not wait for it to expire. */
  async release(): Promise<void> {
    const { record, revision } = await this.read();
    const next = releaseLease(record, this.holder);
    if (next) await this.write(next, revision);
  }
}

/** What running work under a lease came to: run (and whether the lease was lost while it ran), or refused. */
export type LeasedRun<T> = { ran: true; value: T; lost: boolean } | { ran: false; holder: string; expiresAt: number };

/**
 * Runs `work` only while holding the lease: acquired first, renewed every `renewMs` while the work
 * runs, released when it ends. A renewal that fails marks the run `lost` (the holder was cut off
 * for longer than the TTL, and another may have started); the work is told through its signal.
 */
export async function runUnderLease<T>(lease: KvLease, settings: LeaseSettings, work: (signal: AbortSignal) => Promise<T>): Promise<LeasedRun<T>> {
  const attempt = await lease.acquire();
  if (!attempt.held) return { ran: false, holder: attempt.holder, expiresAt: attempt.expiresAt };
  const lost = new AbortController();
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = renewing.then(async () => {
      if (lost.signal.aborted) return;
      const renewed = await lease.acquire().catch(() => undefined);
      if (!renewed?.held) lost.abort(new Error(`lease ${lease.name} lost${renewed ? ` to ${renewed.holder}` : ''}`));
    });
  }, settings.renewMs);
  try {
    const value = await work(lost.signal);
    return { ran: true, value, lost: lost.signal.aborted };
  } finally {
    clearInterval(timer);
    await renewing;
    if (!lost.signal.aborted) await lease.release().catch(() => undefined);
  }
}
