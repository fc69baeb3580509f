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

/** Connection options for `connect()` of @nats-io/transport-node: the client does not read credentials from a URL. */
export function natsConnectOptions(url: string): { servers: string; user?: string; pass?: string } {
  const u = new URL(url);
  return {
    servers: `${u.hostname}:${u.port || 4222}`,
    ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { pass: decodeURIComponent(u.password) } : {}),
  };
}
