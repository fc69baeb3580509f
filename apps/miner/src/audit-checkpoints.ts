import type { DataSource } from 'typeorm';
import { AUDIT_CHAIN_ID, checkpointEvent, type EventLog } from '@loopwright/eventlog';
import { lastEventOn } from './last-event';

/** The newest `audit.checkpoint` in the log: its own sequence and the sequence it covers. */
async function lastCheckpoint(log: EventLog): Promise<{ seq: number; uptoSeq: number } | undefined> {
  const stored = await lastEventOn(log, `audit.${AUDIT_CHAIN_ID}.miner.audit.checkpoint`);
  return stored?.event?.type === 'audit.checkpoint' ? { seq: stored.seq, uptoSeq: stored.event.data.uptoSeq } : undefined;
}

/**
 * Publishes an `audit.checkpoint` for the newest sequence the audit-chain projection has hashed,
 * when events other than the last checkpoint itself moved the chain since it: a checkpoint is an
 * event in the chain too, so an idle log would otherwise gain one per interval forever. The
 * checkpoint's id is derived from its sequence, so two miners publishing the same one record it once.
 * Returns the sequence the newest checkpoint covers.
 */
export async function publishAuditCheckpoint(log: EventLog, db: DataSource): Promise<number> {
  const last = await lastCheckpoint(log);
  const since = last?.uptoSeq ?? 0;
  const rows: { seq: string; chain_hash: string; n: string; fresh: string }[] = await db.query(
    `SELECT seq, chain_hash, (SELECT count(*) FROM audit_chain) AS n,
            (SELECT count(*) FROM audit_chain WHERE seq > $1 AND seq <> $2) AS fresh
       FROM audit_chain ORDER BY seq DESC LIMIT 1`,
    [since, last?.seq ?? 0],
  );
  if (rows.length === 0 || Number(rows[0].fresh) === 0) return since;
  const uptoSeq = Number(rows[0].seq);
  await log.append(checkpointEvent({ uptoSeq, chainHash: rows[0].chain_hash, eventsCovered: Number(rows[0].n) }));
  return uptoSeq;
}
