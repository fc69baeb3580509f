import type { DataSource } from 'typeorm';
import { EventLog, logConfigFromEnv } from '@loopwright/eventlog';

/** The log and the projections, opened on first use and closed once at exit. */
export class CliContext {
  private logPromise?: Promise<EventLog>;
  private dbPromise?: Promise<DataSource>;

  constructor(private readonly openDb: () => Promise<DataSource>) {}

  log(): Promise<EventLog> {
    this.logPromise ??= EventLog.open(logConfigFromEnv('submitter'));
    return this.logPromise;
  }

  db(): Promise<DataSource> {
    this.dbPromise ??= this.openDb();
    return this.dbPromise;
  }

  async close(): Promise<void> {
    if (this.logPromise) await (await this.logPromise).close();
    if (this.dbPromise) await (await this.dbPromise).destroy();
  }
}

/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  /** The command ran and found a problem: a failed verification, a refused approval. */
  failed: 1,
  /** The input was wrong: a bad flag, an invalid goal file. */
  usage: 2,
  /** NATS or PostgreSQL could not be reached. */
  unavailable: 3,
} as const;
