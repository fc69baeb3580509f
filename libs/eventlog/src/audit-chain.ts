import { hash as oneShotHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainLink {
  seq: number;
  subject: string;
  payload: Uint8Array;
}

/** h_n = sha256(h_{n-1} ‖ seq ‖ subject ‖ sha256(payload)), with fields separated so no two inputs collide. */
export function nextChainHash(previous: string, link: ChainLink): string {
  // One-shot hashes: a rebuild hashes every message of the log, and a Hash object per input costs three times as much.
  const payloadHash = oneShotHash('sha256', link.payload, 'hex');
  return oneShotHash('sha256', `${previous}\n${link.seq}\n${link.subject}\n${payloadHash}`, 'hex');
}

export interface Checkpoint {
  uptoSeq: number;
  chainHash: string;
}

export type VerifyResult =
  | { ok: true; checked: number; lastSeq: number; chainHash: string }
  | { ok: false; checked: number; firstDivergentSeq: number; lastGoodSeq: number; reason: string };

/**
 * Recomputes the chain over the links in stream order and compares it with recorded hashes
 * (every sequence's, from the audit projection, or only the checkpoints'). With every sequence
 * recorded it names the exact first divergent sequence; with checkpoints only, the first
 * sequence after the last checkpoint that still matched. Pure: the caller supplies the links.
 */
export async function verifyChain(
  links: AsyncIterable<ChainLink> | Iterable<ChainLink>,
  recorded: ReadonlyMap<number, string>,
): Promise<VerifyResult> {
  let hash = GENESIS_HASH;
  let checked = 0;
  let lastSeq = 0;
  let lastGoodSeq = 0;
  let firstUnverifiedSeq: number | null = null;
  for await (const link of links) {
    if (link.seq <= lastSeq) {
      return { ok: false, checked, firstDivergentSeq: link.seq, lastGoodSeq, reason: `sequence ${link.seq} is out of order` };
    }
    hash = nextChainHash(hash, link);
    checked++;
    lastSeq = link.seq;
    firstUnverifiedSeq ??= link.seq;
    const expected = recorded.get(link.seq);
    if (expected === undefined) continue;
    if (expected !== hash) {
      return {
        ok: false,
        checked,
        firstDivergentSeq: firstUnverifiedSeq,
        lastGoodSeq,
        reason: `the chain recomputed at sequence ${link.seq} differs from the recorded hash`,
      };
    }
    lastGoodSeq = link.seq;
    firstUnverifiedSeq = null;
  }
  const beyond = [...recorded.keys()].filter((seq) => seq > lastSeq).sort((a, b) => a - b)[0];
  if (beyond !== undefined) {
    return { ok: false, checked, firstDivergentSeq: lastSeq + 1, lastGoodSeq, reason: `a hash is recorded for sequence ${beyond}, past the end of the log` };
  }
  return { ok: true, checked, lastSeq, chainHash: hash };
}

/** Folds a chain over links, returning every sequence's hash: what the audit projection records. */
export function chainHashes(links: Iterable<ChainLink>, previous = GENESIS_HASH): Map<number, string> {
  const hashes = new Map<number, string>();
  let hash = previous;
  for (const link of links) {
    hash = nextChainHash(hash, link);
    hashes.set(link.seq, hash);
  }
  return hashes;
}
