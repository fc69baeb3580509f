import type { EntityManager } from 'typeorm';
import { ChainLink, GENESIS_HASH, nextChainHash } from '@loopwright/eventlog';
import { LinkProjector } from '../projector';
import { defineTable } from '../row-table';

export interface AuditChainRow {
  seq: number;
  /** h_seq = sha256(h_{seq-1} ‖ seq ‖ subject ‖ sha256(payload)) */
  chain_hash: string;
}

export const AUDIT_CHAIN = defineTable<AuditChainRow>({
  name: 'audit_chain',
  key: ['seq'],
  columns: { seq: 'int8', chain_hash: 'text' },
});

/**
 * The running audit chain, one row per stream message. It is fed the raw stored messages (seq,
 * subject, payload), not decoded events, so a malformed message is hashed like any other; the
 * previous hash is the row at the checkpoint, which the same transaction advances.
 */
export const auditChainProjector: LinkProjector = {
  name: 'audit_chain',
  version: 1,
  tables: ['audit_chain'],
  async applyLinks(links: readonly ChainLink[], tx: EntityManager): Promise<void> {
    if (links.length === 0) return;
    const before: { chain_hash: string }[] = await tx.query(
      'SELECT chain_hash FROM audit_chain WHERE seq < $1 ORDER BY seq DESC LIMIT 1',
      [links[0].seq],
    );
    let hash = before[0]?.chain_hash ?? GENESIS_HASH;
    const hashes: string[] = [];
    for (const link of links) hashes.push((hash = nextChainHash(hash, link)));
    // A link per message of the log: two array literals (digits, hex) cost Postgres less than a JSON row each.
    await tx.query(
      'INSERT INTO audit_chain (seq, chain_hash) SELECT * FROM unnest($1::int8[], $2::text[]) ON CONFLICT (seq) DO NOTHING',
      [`{${links.map((link) => link.seq).join(',')}}`, `{${hashes.join(',')}}`],
    );
  },
};
