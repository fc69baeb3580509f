import { createEvent, deterministicId, LoopEvent } from '@loopwright/events';
import { ChainLink, chainHashes, GENESIS_HASH, nextChainHash, verifyChain, VerifyResult } from './audit-chain';
import type { EventLog } from './event-log';

/** The log as chain links, in stream order from `fromSeq`. */
export async function* chainLinks(log: EventLog, fromSeq = 1): AsyncGenerator<ChainLink> {
  for await (const stored of log.replay({ fromSeq })) yield { seq: stored.seq, subject: stored.subject, payload: stored.payload };
}

/** The chain hashes recorded in the log's `audit.checkpoint` events. */
export async function recordedCheckpoints(log: EventLog): Promise<Map<number, string>> {
  const recorded = new Map<number, string>();
  for await (const stored of log.replay({ filter: `${log.config.subjectRoot}.audit.>` })) {
    if (stored.event?.type === 'audit.checkpoint') recorded.set(stored.event.data.uptoSeq, stored.event.data.chainHash);
  }
  return recorded;
}

/** Recomputes the chain from sequence 1 and checks it against the checkpoints (and any per-sequence hashes given). */
export async function verifyLog(log: EventLog, extra: ReadonlyMap<number, string> = new Map()): Promise<VerifyResult> {
  const recorded = new Map([...(await recordedCheckpoints(log)), ...extra]);
  return verifyChain(chainLinks(log), recorded);
}

export interface ChainState {
  uptoSeq: number;
  chainHash: string;
  eventsCovered: number;
}

export const EMPTY_CHAIN: ChainState = { uptoSeq: 0, chainHash: GENESIS_HASH, eventsCovered: 0 };

/** Extends the chain over new links. */
export function extendChain(state: ChainState, links: Iterable<ChainLink>): ChainState {
  let { uptoSeq, chainHash, eventsCovered } = state;
  for (const link of links) {
    if (link.seq <= uptoSeq) continue;
    chainHash = nextChainHash(chainHash, link);
    uptoSeq = link.seq;
    eventsCovered++;
  }
  return { uptoSeq, chainHash, eventsCovered };
}

/** The aggregate id of the log's audit checkpoints. */
export const AUDIT_CHAIN_ID = 'chain';

/** The `audit.checkpoint` event for a chain state; its id is derived from the sequence, so it is recorded once. */
export function checkpointEvent(state: ChainState, auditId = AUDIT_CHAIN_ID): LoopEvent {
  return createEvent({
    type: 'audit.checkpoint',
    id: deterministicId('audit.checkpoint', auditId, state.uptoSeq),
    aggregateId: auditId,
    producer: 'miner',
    data: { uptoSeq: state.uptoSeq, chainHash: state.chainHash, eventsCovered: state.eventsCovered },
  });
}

export { chainHashes };
