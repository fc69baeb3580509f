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

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function openArtifactStore(nc: NatsConnection, bucket: string, replicas = 1): Promise<ArtifactStore> {
  const store: ObjectStore = await new Objm(nc).create(bucket, { storage: StorageType.File, replicas });
  return {
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
  };
}
