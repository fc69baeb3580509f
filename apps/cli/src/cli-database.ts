import type { DataSource } from 'typeorm';
import { databaseConfigFromEnv, openDatabase } from '@loopwright/projections';
import { PROJECTION_MIGRATIONS } from '@loopwright/projections';

/** The projections database, migrated to the current schema. */
export function openCliDatabase(): Promise<DataSource> {
  return openDatabase(databaseConfigFromEnv(), PROJECTION_MIGRATIONS);
}
