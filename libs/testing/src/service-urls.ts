import { natsCredentialsFromEnv } from '@loopwright/eventlog';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The NATS server tests use: `NATS_URL`, as `npm test` sets it, or the local default. */
export function natsUrl(): string {
  return process.env.NATS_URL || DEFAULT_NATS_URL;
}

/** The PostgreSQL server tests use: `DATABASE_URL`, as `npm test` sets it, or the local default. */
export function databaseUrl(): string {
  return process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
}

/**
 * Connection options for `connect()` of @nats-io/transport-node: the client does not read credentials from
 * a URL, so they are taken from it here; without any, the test connects as the operator (see testLogConfig).
 */
export function natsConnectOptions(url: string): { servers: string; user?: string; pass?: string } {
  const u = new URL(url);
  const servers = `${u.hostname}:${u.port || 4222}`;
  if (!u.username) return { servers, ...natsCredentialsFromEnv('operator') };
  return { servers, user: decodeURIComponent(u.username), ...(u.password ? { pass: decodeURIComponent(u.password) } : {}) };
}
