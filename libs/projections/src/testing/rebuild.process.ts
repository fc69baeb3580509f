// A rebuild in its own process, so the rebuild test can kill it (-9) midway: reports each committed batch.
import { EventLog, logConfigFromEnv } from '@loopwright/eventlog';
import { databaseConfigFromEnv, openDatabase, PROJECTION_MIGRATIONS, rebuildProjections } from '../index';

async function main(): Promise<void> {
  const db = await openDatabase(databaseConfigFromEnv(), PROJECTION_MIGRATIONS);
  const log = await EventLog.open(logConfigFromEnv('miner'));
  process.send?.({ ready: true });
  const result = await rebuildProjections(log, db, {
    batchSize: Number(process.env['REBUILD_BATCH'] ?? 500),
    onBatch: (progress) => process.send?.({ lastSeq: progress.lastSeq }),
  });
  process.send?.({ done: result.generation, events: result.events, seconds: result.seconds, rate: result.rate });
  await log.close();
  await db.destroy();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
