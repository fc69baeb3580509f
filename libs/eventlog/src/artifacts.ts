import { createHash } from 'node:crypto';
import type { NatsConnection } from '@nats-io/nats-core';
import { StorageType } from '@nats-io/jetstream';
import { ObjectStore, Objm } from '@nats-io/obj';
import { ValidationError } from '@loopwright/core';

/** Large artifacts (workspace snapshots, long outputs), stored once under their sha256. */
export interface ArtifactStore {
  put(bytes: Uint8Array): Promise<string>;
  get(digest: string): Promise<Uint8Array>;
}

/** Bytes of artifacts a process keeps in memory after reading or storing them. */
const ARTIFACT_CACHE_BYTES = 32 * 1024 * 1024;

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function openArtifactStore(nc: NatsConnection, bucket: string, replicas = 1): Promise<ArtifactStore> {
  const store: ObjectStore = await new Objm(nc).create(bucket, { storage: StorageType.File, replicas });
  return cachedArtifacts({
    async put(bytes) {
      const digest = sha256Hex(bytes);
      if ((await store.info(digest)) === null) await store.putBlob({ name: digest }, bytes);
      return digest;
    },
    async get(digest) {
      const bytes = await store.getBlob(digest);
      if (bytes === null) throw new ValidationError(`no artifact ${digest} in bucket ${bucket}`);
      const actual = sha256Hex(bytes);
      if (actual !== digest) throw new ValidationError(`artifact ${digest} is corrupt: its content hashes to ${actual}`);
      return bytes;
    },
  }, ARTIFACT_CACHE_BYTES);
}

/**
 * An artifact store that remembers the artifacts it last read or stored, up to `maxBytes`, least
 * recently used first out. An artifact never changes under its digest, so a remembered one is never
 * stale: the grader reads the same snapshot once per work instead of once per judged item, and a
 * snapshot stored once is not looked up again, and one being read is read once for every caller that
 * asks meanwhile. Callers get a copy, so none can change another's bytes.
 */
export function cachedArtifacts(store: ArtifactStore, maxBytes: number): ArtifactStore {
  const kept = new Map<string, Uint8Array>();
  /** Reads under way: a second caller of the same digest waits for the first's read instead of reading again. */
  const inFlight = new Map<string, Promise<Uint8Array>>();
  let keptBytes = 0;
  const keep = (digest: string, bytes: Uint8Array) => {
    if (bytes.length > maxBytes) return;
    const earlier = kept.get(digest);
    if (earlier) keptBytes -= earlier.length;
    kept.delete(digest);
    kept.set(digest, bytes.slice());
    keptBytes += bytes.length;
    for (const [oldest, old] of kept) {
      if (keptBytes <= maxBytes) break;
      kept.delete(oldest);
      keptBytes -= old.length;
    }
  };
  return {
    async put(bytes) {
      const digest = sha256Hex(bytes);
      if (kept.has(digest)) return digest;
      await store.put(bytes);
      keep(digest, bytes);
      return digest;
    },
    async get(digest) {
      const remembered = kept.get(digest);
      if (remembered) {
        kept.delete(digest);
        kept.set(digest, remembered);
        return remembered.slice();
      }
      let reading = inFlight.get(digest);
      if (!reading) {
        reading = store.get(digest).then((bytes) => {
          keep(digest, bytes);
          return bytes;
        }).finally(() => inFlight.delete(digest));
        inFlight.set(digest, reading);
      }
      return (await reading).slice();
    },
  };
}
