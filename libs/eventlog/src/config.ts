import { DEFAULT_SUBJECT_ROOT, Producer } from '@loopwright/events';
import { natsCredentialsFromEnv } from './nats-credentials';
import type { NatsIdentity, NatsScope } from './nats-permissions';

/** Where the log lives: the server, the stream, its subjects and its artifacts bucket. */
export interface LogLocation {
  natsUrl: string;
  streamName: string;
  /** First subject token: `loop` in production; tests use their own root so each suite has its own stream. */
  subjectRoot: string;
  /** Dedupe window for `Nats-Msg-Id`, milliseconds. */
  duplicateWindowMs: number;
  /** Content-addressed artifacts bucket. */
  artifactBucket: string;
  /** The budget ledger's KV bucket; by default `<stream>_budgets`. */
  budgetBucket?: string;
  /**
   * Copies of the stream and of its buckets kept across a JetStream cluster (LOOP_STREAM_REPLICAS,
   * default 1; 3 on a three-node cluster). Applied when they are created: an existing one keeps its own.
   */
  streamReplicas?: number;
}

/** Where the log lives and who this process is on it. */
export interface LogConfig extends LogLocation {
  /** The identity this process publishes as (quarantine notices are published under it). */
  producer: Producer;
  /** The NATS user; when unset, EventLog.open asks natsCredentialsFromEnv for the producer's. */
  user?: string;
  pass?: string;
}

export function logLocationFromEnv(env: NodeJS.ProcessEnv = process.env): LogLocation {
  return {
    natsUrl: env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
    streamName: env['LOOP_STREAM'] ?? 'LOOP',
    subjectRoot: env['LOOP_SUBJECT_ROOT'] ?? DEFAULT_SUBJECT_ROOT,
    duplicateWindowMs: Number(env['LOOP_DUPLICATE_WINDOW_MS'] ?? 120_000),
    artifactBucket: env['LOOP_ARTIFACT_BUCKET'] ?? `${env['LOOP_STREAM'] ?? 'LOOP'}_artifacts`,
    budgetBucket: env['LOOP_BUDGET_BUCKET'] ?? `${env['LOOP_STREAM'] ?? 'LOOP'}_budgets`,
    streamReplicas: Number(env['LOOP_STREAM_REPLICAS'] ?? 1),
  };
}

/**
 * The log as a process finds it in its environment, connecting as `identity` (by default its producer;
 * the console publishes as `submitter` under its own user).
 */
export function logConfigFromEnv(
  producer: Producer,
  env: NodeJS.ProcessEnv = process.env,
  identity: NatsIdentity = producer,
): LogConfig {
  return { ...logLocationFromEnv(env), producer, ...natsCredentialsFromEnv(identity, env) };
}

/** The part of the server an identity's NATS permissions cover for this log. */
export function natsScopeOf(location: LogLocation): NatsScope {
  return {
    streamName: location.streamName,
    subjectRoot: location.subjectRoot,
    objectStoreBucket: location.artifactBucket,
    budgetBucket: location.budgetBucket,
  };
}

/** The key-value bucket of a log's delivery records (handler runs of redelivered messages): `<stream>_deliveries`. */
export function deliveryBucketOf(streamName: string): string {
  return `${streamName}_deliveries`;
}

/** The key-value bucket of a log's leases (one key per lease, e.g. the miner's pass): `<stream>_leases`. */
export function leaseBucketOf(streamName: string): string {
  return `${streamName}_leases`;
}
