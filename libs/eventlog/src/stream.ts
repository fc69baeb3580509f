import {
  DiscardPolicy, JetStreamApiError, JetStreamManager, RetentionPolicy, StorageType, StreamConfig, StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { IllegalStateError } from '@loopwright/core';
import type { LogConfig } from './config';

/** The settings that make the stream an immutable log. */
export function immutableStreamConfig(config: LogConfig): Partial<StreamConfig> & { name: string } {
  return {
    name: config.streamName,
    subjects: [`${config.subjectRoot}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    deny_delete: true,
    deny_purge: true,
    allow_rollup_hdrs: false,
    discard: DiscardPolicy.New,
    max_age: 0,
    max_msgs: -1,
    max_bytes: -1,
    duplicate_window: nanos(config.duplicateWindowMs),
    num_replicas: config.streamReplicas ?? 1,
  };
}

const GUARDED: (keyof StreamConfig)[] = ['deny_delete', 'deny_purge', 'allow_rollup_hdrs', 'discard', 'max_age'];

/** Creates the stream, or checks that an existing one still has the immutability settings. */
export async function ensureStream(jsm: JetStreamManager, config: LogConfig): Promise<StreamInfo> {
  const wanted = immutableStreamConfig(config);
  try {
    const info = await jsm.streams.info(config.streamName);
    const drifted = GUARDED.filter((key) => (info.config[key] ?? false) !== (wanted[key] ?? false));
    if (drifted.length > 0) {
      throw new IllegalStateError(
        `stream ${config.streamName} exists without the log's immutability settings (${drifted.join(', ')}); ` +
          'it cannot be relaxed in place: create the stream anew or fix its configuration by hand',
      );
    }
    return info;
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === 10059) return jsm.streams.add(wanted);
    throw error;
  }
}
