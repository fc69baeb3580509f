import { DataSource, MixedList } from 'typeorm';
import { InfrastructureError } from '@loopwright/core';

export interface DatabaseConfig {
  url: string;
  /** Postgres schema the projections live in; tests use one per suite. */
  schema: string;
}

export function databaseConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  return {
    url: env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    schema: env['LOOP_DB_SCHEMA'] ?? 'loopwright',
  };
}

/** Opens a DataSource on the schema (creating it) and runs the migrations. `synchronize` is never used. */
export async function openDatabase(
  config: DatabaseConfig,
  migrations: MixedList<Function>,
  entities: MixedList<Function> = [],
): Promise<DataSource> {
  const bootstrap = new DataSource({ type: 'postgres', url: config.url });
  try {
    await bootstrap.initialize();
  } catch (error) {
    throw new InfrastructureError(
      `cannot reach PostgreSQL at ${redact(config.url)}: ${(error as Error).message}. ` +
        'Start it with `node scripts/services.mjs` or set DATABASE_URL.',
      { cause: error },
    );
  }
  try {
    await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS "${config.schema}"`);
  } finally {
    await bootstrap.destroy();
  }
  const dataSource = new DataSource({
    type: 'postgres',
    url: config.url,
    schema: config.schema,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    extra: { max: 8 },
  });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}
