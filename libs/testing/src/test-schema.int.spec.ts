import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createTestSchema, databaseUrl, TestSchema } from './index';

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

const schemaExists = async (schema: string) =>
  (await query(databaseUrl(), 'select 1 from information_schema.schemata where schema_name = $1', [schema])).length === 1;

const tableSchemas = async (table: string) =>
  (await query<{ table_schema: string }>(databaseUrl(),
    'select table_schema from information_schema.tables where table_name = $1', [table])).map((row) => row.table_schema);

describe('createTestSchema (real PostgreSQL)', () => {
  const created: TestSchema[] = [];
  afterAll(async () => {
    for (const schema of created) await schema.drop();
  });

  it('creates a schema of its own per call', async () => {
    const a = await createTestSchema('Projection: runs');
    const b = await createTestSchema('Projection: runs');
    created.push(a, b);
    expect(a.schema).not.toBe(b.schema);
    expect(a.schema).toMatch(/^t_projection__runs_[0-9a-f]{10}$/);
    expect(await schemaExists(a.schema)).toBe(true);
    expect(await schemaExists(b.schema)).toBe(true);
  });

  it('hands out a URL whose unqualified tables land in the schema, through pg and through TypeORM', async () => {
    const schema = await createTestSchema('search path');
    created.push(schema);
    await query(schema.databaseUrl, 'create table via_pg (id int)');
    const dataSource = new DataSource({ type: 'postgres', url: schema.databaseUrl });
    await dataSource.initialize();
    try {
      await dataSource.query('create table via_typeorm (id int)');
    } finally {
      await dataSource.destroy();
    }
    expect(await tableSchemas('via_pg')).toContain(schema.schema);
    expect(await tableSchemas('via_typeorm')).toContain(schema.schema);
    expect(await tableSchemas('via_pg')).not.toContain('public');
  });

  it('drops the schema with everything in it', async () => {
    const schema = await createTestSchema('drop');
    await query(schema.databaseUrl, 'create table doomed (id int)');
    await schema.drop();
    expect(await schemaExists(schema.schema)).toBe(false);
    await expect(schema.drop()).resolves.toBeUndefined();
  });
});
