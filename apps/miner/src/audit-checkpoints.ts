import type { DataSource } from 'typeorm';
import { checkpointEvent, type EventLog } from '@loopwright/eventlog';

/**
 * Publishes an `audit.checkpoint` for the newest sequence the audit-chain projection has hashed,
 * when it moved since the last one. The checkpoint's id is derived from its sequence, so two
 * miners publishing the same checkpoint record it once.
 */
export async function publishAuditCheckpoint(log: EventLog, db: DataSource, lastPublished: number): Promise<number> {
  const rows: { seq: string; chain_hash: string; n: string }[] = await db.query(
    'SELECT seq, chain_hash, (SELECT count(*) FROM audit_chain) AS n FROM audit_chain ORDER BY seq DESC LIMIT 1',
  );
  if (rows.length === 0) return lastPublished;
  const uptoSeq = Number(rows[0].seq);
  if (uptoSeq <= lastPublished) return lastPublished;
  await log.append(checkpointEvent({ uptoSeq, chainHash: rows[0].chain_hash, eventsCovered: Number(rows[0].n) }));
  return uptoSeq;
}
