import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { databaseUrl as defaultDatabaseUrl } from './service-urls';

/** A PostgreSQL schema of one test suite's own. */
export interface TestSchema {
  /** The server's URL with `search_path` set to the schema, so unqualified tables land in it. */
  databaseUrl: string;
  schema: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

export async function createTestSchema(name: string, baseUrl: string = defaultDatabaseUrl()): Promise<TestSchema> {
  const safeName = name.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 40);
  const schema = `t_${safeName}_${randomBytes(5).toString('hex')}`;
  await withClient(baseUrl, (client) => client.query(`create schema ${client.escapeIdentifier(schema)}`));
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    databaseUrl: url.toString(),
    schema,
    drop: () => withClient(baseUrl, (client) => client.query(`drop schema if exists ${client.escapeIdentifier(schema)} cascade`)),
  };
}

async function withClient(url: string, work: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
