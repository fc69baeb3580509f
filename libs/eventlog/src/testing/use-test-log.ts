import { dropTestStream, testBucketName, testLogConfig } from '@loopwright/testing';
import { EventLog } from '../event-log';
import type { LogConfig } from '../config';

/** A suite's own stream, opened before its tests (as the operator) and dropped after them. */
export function useTestLog(name: string, overrides: Partial<LogConfig> = {}): { config: LogConfig; log(): EventLog } {
  const base = testLogConfig(name);
  const config: LogConfig = { ...base, producer: 'executor', duplicateWindowMs: 120_000, artifactBucket: testBucketName(base.streamName), ...overrides };
  let log: EventLog | undefined;
  beforeAll(async () => {
    log = await EventLog.open(config);
  });
  afterAll(async () => {
    await log?.close();
    await dropTestStream(config.natsUrl, config.streamName);
  });
  return {
    config,
    log: () => {
      if (!log) throw new Error('the test log opens before the tests');
      return log;
    },
  };
}
