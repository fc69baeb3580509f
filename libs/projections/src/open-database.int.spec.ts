import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { databaseUrl } from '@loopwright/testing';
import { openDatabase, PROJECTION_MIGRATIONS } from './index';

/** Replicas of the miner (and the console) start at once against one database. */
describe('opening the projections database from several processes at once', () => {
  const schema = `t_open_at_once_${Date.now().toString(36)}`;
  const opened: DataSource[] = [];

  afterAll(async () => {
    await Promise.all(opened.map((db) => db.destroy()));
    const client = new Client({ connectionString: databaseUrl() });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  });

  it('creates the schema and runs each migration once, however many open it together', async () => {
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => openDatabase({ url: databaseUrl(), schema }, PROJECTION_MIGRATIONS)));
    for (const result of results) if (result.status === 'fulfilled') opened.push(result.value);
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    const [{ n }] = await opened[0].query('SELECT count(*)::int AS n FROM migrations');
    expect(n).toBe(PROJECTION_MIGRATIONS.length);
  });
});
