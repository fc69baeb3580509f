import { createHmac, timingSafeEqual } from 'node:crypto';
import type { NatsConnection } from '@nats-io/nats-core';
import { KV, Kvm } from '@nats-io/kv';
import { StorageType } from '@nats-io/jetstream';
import type { RunFold } from '@loopwright/core';

/** How a service's fold state is written to a snapshot and read back (undefined: not a state of this version). */
export interface FoldSnapshotCodec<S> {
  /** Bumped whenever the state's shape or meaning changes: a snapshot of another version is ignored. */
  version: number;
  encode(state: S): unknown;
  decode(value: unknown, runId: string): S | undefined;
}

/** A snapshot as stored: the state, the log position it was folded up to, and its seal. */
export interface FoldSnapshotRecord {
  version: number;
  runId: string;
  anchor: { seq: number; id: string };
  state: unknown;
  /** HMAC of the rest under the service's own key, when it has one (see sealKeyOf). */
  seal?: string;
}

/** Snapshots whose version, run, anchor, seal or state do not check out are refused with a reason, never used. */
export type SnapshotCheck<S> = { ok: true; state: S; anchor: { seq: number; id: string } } | { ok: false; reason: string };

/** The services that snapshot their run folds, each in its own bucket (the operator provisions them with the stream). */
export const FOLD_SNAPSHOT_SERVICES = ['executor'] as const;

/** The bucket a service keeps its fold snapshots in. */
export function foldBucketOf(streamName: string, service: string): string {
  return `${streamName}_folds_${service}`;
}

/**
 * The key a service seals its snapshots with, derived from its own NATS password: whoever can
 * forge a seal could as well append as the service. Without a password (a server without
 * identities) anyone may write the log itself, and snapshots go unsealed.
 */
export function sealKeyOf(password: string | undefined): Buffer | undefined {
  return password ? createHmac('sha256', 'loopwright fold snapshot').update(password).digest() : undefined;
}

function sealOf(record: Omit<FoldSnapshotRecord, 'seal'>, key: Buffer): string {
  return createHmac('sha256', key).update(JSON.stringify([record.version, record.runId, record.anchor.seq, record.anchor.id, record.state])).digest('hex');
}

export function sealSnapshot(record: Omit<FoldSnapshotRecord, 'seal'>, key: Buffer | undefined): FoldSnapshotRecord {
  return key ? { ...record, seal: sealOf(record, key) } : record;
}

/** Checks a stored snapshot against the run it is read for (the anchor against the log is checked apart: see FoldSnapshots.load). */
export function checkSnapshot<S>(raw: unknown, runId: string, codec: FoldSnapshotCodec<S>, key: Buffer | undefined): SnapshotCheck<S> {
  const record = raw as Partial<FoldSnapshotRecord> | null;
  if (typeof record !== 'object' || record === null) return { ok: false, reason: 'not an object' };
  if (record.version !== codec.version) return { ok: false, reason: `version ${String(record.version)}, not ${codec.version}` };
  if (record.runId !== runId) return { ok: false, reason: `snapshot of run ${String(record.runId)}, not ${runId}` };
  const anchor = record.anchor;
  if (!anchor || !Number.isSafeInteger(anchor.seq) || anchor.seq < 1 || typeof anchor.id !== 'string') return { ok: false, reason: 'no valid anchor' };
  if (key) {
    const expected = Buffer.from(sealOf({ version: record.version, runId, anchor, state: record.state }, key), 'hex');
    const seal = typeof record.seal === 'string' ? Buffer.from(record.seal, 'hex') : Buffer.alloc(0);
    if (seal.length !== expected.length || !timingSafeEqual(seal, expected)) return { ok: false, reason: 'seal does not match' };
  }
  let state: S | undefined;
  try {
    state = codec.decode(record.state, runId);
  } catch {
    state = undefined;
  }
  return state === undefined ? { ok: false, reason: 'state does not decode' } : { ok: true, state, anchor: { seq: anchor.seq, id: anchor.id } };
}

/** Where snapshots go; reading a run's message back is how an anchor is checked against the log. */
export interface SnapshotStoreDeps<S> {
  nc: NatsConnection;
  bucket: string;
  codec: FoldSnapshotCodec<S>;
  key: Buffer | undefined;
  /** Replicas of the bucket when it is created here (LOOP_STREAM_REPLICAS). */
  replicas?: number;
  /** The id of the run's valid event at a stream sequence, if there is one. */
  eventIdAt(runId: string, seq: number): Promise<string | undefined>;
}

/** A service's fold snapshots in its KV bucket: saved every so many events, checked before any is used. */
export class FoldSnapshots<S> {
  private constructor(
    private readonly kv: KV,
    private readonly deps: SnapshotStoreDeps<S>,
  ) {}

  /** Opens the bucket (creating it when missing, as an identity that may: see provisionFoldBuckets). */
  static async open<S>(deps: SnapshotStoreDeps<S>): Promise<FoldSnapshots<S>> {
    return new FoldSnapshots(await openFoldBucket(deps.nc, deps.bucket, deps.replicas), deps);
  }

  /** The run's snapshot, if there is one that checks out; why one was refused goes to `onRefused`. */
  async load(runId: string, onRefused: (reason: string) => void): Promise<{ state: S; anchor: { seq: number; id: string } } | undefined> {
    const entry = await this.kv.get(runId);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    let raw: unknown;
    try {
      raw = entry.json();
    } catch {
      raw = undefined;
    }
    const checked = checkSnapshot(raw, runId, this.deps.codec, this.deps.key);
    if (!checked.ok) {
      onRefused(checked.reason);
      return undefined;
    }
    const idInLog = await this.deps.eventIdAt(runId, checked.anchor.seq);
    if (idInLog !== checked.anchor.id) {
      onRefused(`anchor seq ${checked.anchor.seq} is not event ${checked.anchor.id} of the run in the log`);
      return undefined;
    }
    return checked;
  }

  async save(fold: RunFold<S>): Promise<void> {
    if (!fold.anchor) return;
    const record = sealSnapshot({ version: this.deps.codec.version, runId: fold.runId, anchor: fold.anchor, state: this.deps.codec.encode(fold.state) }, this.deps.key);
    await this.kv.put(fold.runId, JSON.stringify(record));
    fold.sinceSnapshot = 0;
  }
}

function openFoldBucket(nc: NatsConnection, bucket: string, replicas = 1): Promise<KV> {
  return new Kvm(nc).create(bucket, { storage: StorageType.File, history: 1, replicas });
}

/** Creates every snapshotting service's bucket of the stream: the operator's part, with the stream. */
export async function provisionFoldBuckets(nc: NatsConnection, streamName: string, replicas = 1): Promise<void> {
  for (const service of FOLD_SNAPSHOT_SERVICES) await openFoldBucket(nc, foldBucketOf(streamName, service), replicas);
}
