// A projector process for the crash test: applies trace.step events slowly so it can be killed mid-batch.
import { EventLog, logConfigFromEnv } from '@loopwright/eventlog';
import { databaseConfigFromEnv, openDatabase, Projector, runProjector } from '../index';
import { Checkpoints1700000000000 } from '../migrations/1700000000000-checkpoints';

const slowProjector: Projector = {
  name: 'slow',
  version: 1,
  handles: ['trace.step'],
  async apply(event, seq, tx) {
    await tx.query('INSERT INTO applied (event_id, seq) VALUES ($1, $2)', [event.id, seq]);
    await new Promise((r) => setTimeout(r, Number(process.env['APPLY_DELAY_MS'] ?? 10)));
  },
};

async function main(): Promise<void> {
  const db = await openDatabase(databaseConfigFromEnv(), [Checkpoints1700000000000]);
  await db.query('CREATE TABLE IF NOT EXISTS applied (event_id uuid NOT NULL, seq bigint NOT NULL)');
  const log = await EventLog.open(logConfigFromEnv('miner'));
  await runProjector(log, db, slowProjector, { ackWaitMs: Number(process.env['ACK_WAIT_MS'] ?? 30_000) });
  process.send?.('ready');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
