import { randomBytes } from 'node:crypto';
import { TimeoutError } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import { EventLog, LogConfig, natsCredentialsFromEnv } from '@loopwright/eventlog';
import type { Producer } from '@loopwright/events';
import { natsConnectOptions, natsUrl } from './service-urls';

/**
 * Where one test suite keeps its events: a stream and a subject root of its own. The suite's own log
 * connects as the operator (it provisions the stream and plays every producer in its scenarios); the
 * services under test connect as themselves (`LOOPWRIGHT_NATS_PASSWORD_<IDENTITY>`, set by the harness).
 */
export interface TestLogConfig {
  natsUrl: string;
  user?: string;
  pass?: string;
  /** `T_<name>_<random>`: a valid JetStream stream name. */
  streamName: string;
  /** `t<random>`: a single subject token, used in place of `loop`. */
  subjectRoot: string;
}

export function testLogConfig(name: string): TestLogConfig {
  const random = randomBytes(5).toString('hex');
  const safeName = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
  return { natsUrl: natsUrl(), ...natsCredentialsFromEnv('operator'), streamName: `T_${safeName}_${random}`, subjectRoot: `t${random}` };
}

/** The object store bucket that belongs to a test stream (its own stream is `OBJ_<bucket>`). */
export function testBucketName(streamName: string): string {
  return `${streamName}_artifacts`;
}

/** The log of a suite's own stream, written as `producer` with the operator's credentials. */
export function testEventLogConfig(name: string, producer: Producer): LogConfig {
  const base = testLogConfig(name);
  return { ...base, producer, duplicateWindowMs: 120_000, artifactBucket: testBucketName(base.streamName) };
}

/** A suite's own log, open; `drop` closes it and deletes its stream and buckets. */
export async function openTestLog(name: string, producer: Producer): Promise<{ log: EventLog; config: LogConfig; drop(): Promise<void> }> {
  const config = testEventLogConfig(name, producer);
  const log = await EventLog.open(config);
  return {
    log,
    config,
    drop: async () => {
      await log.close();
      await dropTestStream(config.natsUrl, config.streamName);
    },
  };
}

/** A JetStream API call on a loaded machine can take far longer than the client's 5 s default. */
const DROP_TIMEOUT_MS = 20_000;
const DROP_ATTEMPTS = 3;

/**
 * Runs `call` again when it timed out, up to `attempts` times in all; any other error, and the last
 * timeout, is thrown. Only for calls that are safe to repeat.
 */
export async function retryOnTimeout<T>(call: () => Promise<T>, attempts: number): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof TimeoutError) || attempt >= attempts) throw err;
    }
  }
}

/**
 * Deletes a test stream, its object store bucket, its budget ledger and its leases; any may not exist. Each deletion waits long
 * and is tried again after a timeout (a deletion that timed out may have happened: the retry then
 * finds nothing to delete); any other error fails the suite.
 */
export async function dropTestStream(url: string, streamName: string): Promise<void> {
  const nc = await connect({ ...natsConnectOptions(url), reconnect: false, timeout: DROP_TIMEOUT_MS });
  try {
    const jsm = await retryOnTimeout(() => jetstreamManager(nc, { timeout: DROP_TIMEOUT_MS }), DROP_ATTEMPTS);
    const buckets = [`OBJ_${testBucketName(streamName)}`, `KV_${streamName}_budgets`, `KV_${streamName}_leases`, `KV_${streamName}_folds_executor`, `KV_${streamName}_folds_test`];
    for (const name of [streamName, ...buckets]) {
      await retryOnTimeout(
        () =>
          jsm.streams.delete(name).catch((err: unknown) => {
            if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
            return false;
          }),
        DROP_ATTEMPTS,
      );
    }
  } finally {
    await nc.close();
  }
}

/** How long a suite's afterAll should allow dropTestStream on a loaded machine. */
export const DROP_TEST_STREAM_TIMEOUT_MS = DROP_TIMEOUT_MS * DROP_ATTEMPTS * 3;
