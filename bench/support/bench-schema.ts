import { Client } from 'pg';
import { createTestSchema, databaseUrl } from '@loopwright/testing';

/** A benchmark's own PostgreSQL schema; `drop()` also drops the schemas a rebuild derives from it. */
export interface BenchSchema {
  /** The server's URL, without a search_path: `openDatabase` sets it for the schema. */
  url: string;
  schema: string;
  drop(): Promise<void>;
}

export async function openBenchSchema(name: string): Promise<BenchSchema> {
  const url = databaseUrl();
  const created = await createTestSchema(`bench_${name}`, url);
  return {
    url,
    schema: created.schema,
    async drop() {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        // `<schema>_rebuild_<n>` and `<schema>_retired_<n>` are left behind when a rebuild is interrupted.
        const { rows } = await client.query<{ nspname: string }>(
          `select nspname from pg_namespace where nspname = $1 or starts_with(nspname, $1 || '_')`,
          [created.schema],
        );
        for (const { nspname } of rows) await client.query(`drop schema if exists ${client.escapeIdentifier(nspname)} cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
