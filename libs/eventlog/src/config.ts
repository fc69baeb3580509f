import { DEFAULT_SUBJECT_ROOT, Producer } from '@loopwright/events';

/** Where the log lives and who this process is on it. */
export interface LogConfig {
  natsUrl: string;
  streamName: string;
  /** First subject token: `loop` in production; tests use their own root so each suite has its own stream. */
  subjectRoot: string;
  /** The identity this process publishes as (quarantine notices are published under it). */
  producer: Producer;
  user?: string;
  pass?: string;
  /** Dedupe window for `Nats-Msg-Id`, milliseconds. */
  duplicateWindowMs: number;
  /** Content-addressed artifacts bucket. */
  artifactBucket: string;
}

export function logConfigFromEnv(producer: Producer, env: NodeJS.ProcessEnv = process.env): LogConfig {
  return {
    natsUrl: env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
    streamName: env['LOOP_STREAM'] ?? 'LOOP',
    subjectRoot: env['LOOP_SUBJECT_ROOT'] ?? DEFAULT_SUBJECT_ROOT,
    producer,
    user: env['NATS_USER'] || undefined,
    pass: env['NATS_PASSWORD'] || undefined,
    duplicateWindowMs: Number(env['LOOP_DUPLICATE_WINDOW_MS'] ?? 120_000),
    artifactBucket: env['LOOP_ARTIFACT_BUCKET'] ?? `${env['LOOP_STREAM'] ?? 'LOOP'}_artifacts`,
  };
}
