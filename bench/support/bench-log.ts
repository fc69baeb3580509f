import type { Producer } from '@loopwright/events';
import { EventLog, LogConfig } from '@loopwright/eventlog';
import { dropTestStream, testBucketName, testLogConfig } from '@loopwright/testing';

/** A benchmark's own stream and subject root on the shared server, deleted by `drop()`. */
export interface BenchLog {
  config: LogConfig;
  log: EventLog;
  /** Closes the connection and deletes the stream (and its artifacts bucket, if one was made). */
  drop(): Promise<void>;
}

export async function openBenchLog(name: string, producer: Producer = 'submitter'): Promise<BenchLog> {
  const base = testLogConfig(`bench_${name}`);
  const config: LogConfig = {
    ...base,
    producer,
    duplicateWindowMs: 120_000,
    artifactBucket: testBucketName(base.streamName),
  };
  const log = await EventLog.open(config);
  let dropped = false;
  return {
    config,
    log,
    async drop() {
      if (dropped) return;
      dropped = true;
      await log.close().catch(() => undefined);
      await dropTestStream(config.natsUrl, config.streamName);
    },
  };
}

/** The environment a service process (or `startRouter` in this process) reads its log settings from. */
export function serviceEnv(config: LogConfig): Record<string, string> {
  return {
    NATS_URL: config.natsUrl,
    LOOP_STREAM: config.streamName,
    LOOP_SUBJECT_ROOT: config.subjectRoot,
    LOOP_ARTIFACT_BUCKET: config.artifactBucket,
  };
}
