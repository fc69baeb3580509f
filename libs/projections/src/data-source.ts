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

/**
 * Opens a DataSource on the schema (creating it) and runs the migrations. `synchronize` is never used.
 * Replicas start at once against one database: the schema and the migrations are made under a
 * session advisory lock per schema, so one process makes them and the others find them made.
 */
export async function openDatabase(
  config: DatabaseConfig,
  migrations: MixedList<Function>,
  entities: MixedList<Function> = [],
): Promise<DataSource> {
  const bootstrap = new DataSource({ type: 'postgres', url: config.url, extra: { max: 1 } });
  try {
    await bootstrap.initialize();
  } catch (error) {
    throw new InfrastructureError(
      `cannot reach PostgreSQL at ${redact(config.url)}: ${(error as Error).message}. ` +
        'Start it with `node scripts/services.mjs` or set DATABASE_URL.',
      { cause: error },
    );
  }
  const lock = bootstrap.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [`loopwright-migrations:${config.schema}`]);
    await lock.query(`CREATE SCHEMA IF NOT EXISTS "${config.schema}"`);
    const dataSource = new DataSource({
      type: 'postgres',
      url: withSearchPath(config.url, config.schema),
      schema: config.schema,
      entities,
      migrations,
      migrationsTableName: 'migrations',
      synchronize: false,
      extra: { max: 8 },
    });
    await dataSource.initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } catch (error) {
      await dataSource.destroy();
      throw error;
    }
    return dataSource;
  } finally {
    // the lock is the session's: closing the connection releases it, whatever happened
    await lock.release().catch(() => undefined);
    await bootstrap.destroy();
  }
}

/**
 * Raw SQL (migrations, projectors) names tables unqualified, so every pooled connection must resolve
 * them in the projections' schema. A search_path already in the URL would win over a separate
 * `options` setting in node-postgres, so it is replaced in the URL itself.
 */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  const others = (parsed.searchParams.get('options') ?? '').replace(/-c\s*search_path=\S*/g, '').trim();
  parsed.searchParams.set('options', `${others} -c search_path=${schema}`.trim());
  return parsed.toString();
}

/** The schema a DataSource opened by `openDatabase` works in. */
export function schemaOf(dataSource: DataSource): string {
  const schema = (dataSource.options as { schema?: string }).schema;
  if (!schema) throw new Error('the DataSource was not opened with a schema');
  return schema;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}
