import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import { natsCredentialsFromEnv } from '@loopwright/eventlog';
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

/** Deletes a test stream, its object store bucket and its budget ledger; any may not exist. */
export async function dropTestStream(url: string, streamName: string): Promise<void> {
  const nc = await connect({ ...natsConnectOptions(url), reconnect: false });
  try {
    const jsm = await jetstreamManager(nc);
    for (const name of [streamName, `OBJ_${testBucketName(streamName)}`, `KV_${streamName}_budgets`]) {
      await jsm.streams.delete(name).catch((err: unknown) => {
        if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
      });
    }
  } finally {
    await nc.close();
  }
}
