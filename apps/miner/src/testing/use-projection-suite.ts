import type { DataSource } from 'typeorm';
import { EventLog, immutableStreamConfig, LogConfig } from '@loopwright/eventlog';
import { openDatabase, PROJECTION_MIGRATIONS } from '@loopwright/projections';
import { createTestSchema, dropTestStream, testEventLogConfig, TestSchema } from '@loopwright/testing';
import type { RunningProjections } from '../projections/start-projections';

/** What a suite of the miner's projections works on; `log` and `db` are set before its tests, `running` is its own to set. */
export interface ProjectionSuite {
  readonly config: LogConfig;
  log: EventLog;
  db: DataSource;
  running?: RunningProjections;
}

/**
 * A suite's own log (written as the miner) and projection schema, opened before its tests and
 * dropped after them, once the runner it holds in `running` is stopped. With `allowDeletes` the stream
 * lets a message be deleted, as the log's own stream does not, but other streams and limits may.
 */
export function useProjectionSuite(name: string, options: { allowDeletes?: boolean } = {}): ProjectionSuite {
  const suite = { config: testEventLogConfig(name, 'miner') } as ProjectionSuite;
  let schema: TestSchema | undefined;
  beforeAll(async () => {
    if (options.allowDeletes) {
      suite.log = await EventLog.open(suite.config, { ensureStream: false });
      await suite.log.jsm.streams.add({ ...immutableStreamConfig(suite.config), deny_delete: false });
    } else {
      suite.log = await EventLog.open(suite.config);
    }
    schema = await createTestSchema(name);
    suite.db = await openDatabase({ url: schema.databaseUrl, schema: schema.schema }, PROJECTION_MIGRATIONS);
  });
  afterAll(async () => {
    await suite.running?.stop();
    await suite.log?.close();
    await suite.db?.destroy();
    await schema?.drop();
    await dropTestStream(suite.config.natsUrl, suite.config.streamName);
  });
  return suite;
}
