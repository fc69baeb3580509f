import type { DataSource } from 'typeorm';
import { createTestSchema, TestSchema } from '@loopwright/testing';
import { openDatabase } from '../data-source';
import { PROJECTION_MIGRATIONS } from '../migrations';

type Migration = (typeof PROJECTION_MIGRATIONS)[number];

/**
 * A schema of its own for one migration's spec, made before its tests and dropped after them:
 * `before` lays out the tables as they stood before `migration` and seeds them, `after` opens the
 * schema with it run as well (and no later one, whose own effects its spec tests).
 */
export function useMigrationSchema(name: string, migration: Migration) {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await createTestSchema(name);
  });
  afterAll(async () => {
    await schema?.drop();
  });
  const open = (migrations: Migration[]) => openDatabase({ url: schema.databaseUrl, schema: schema.schema }, migrations);
  const withDb = async (migrations: Migration[], use: (db: DataSource) => Promise<void>) => {
    const db = await open(migrations);
    try {
      await use(db);
    } finally {
      await db.destroy();
    }
  };
  /** The migrations before `migration`, in order: the ones after it may need its tables. */
  const earlier = PROJECTION_MIGRATIONS.slice(0, PROJECTION_MIGRATIONS.indexOf(migration));
  return {
    earlier,
    before: (seed: (db: DataSource) => Promise<void>) => withDb(earlier, seed),
    after: (check: (db: DataSource) => Promise<void>) => withDb([...earlier, migration], check),
  };
}
