/** Who holds a lease, and until when (milliseconds since the epoch, on the holder's clock). */
export interface LeaseRecord {
  holder: string;
  expiresAt: number;
}

export type LeaseStep =
  /** Write this record (by compare-and-set on the revision that was read): the lease is, or stays, the caller's. */
  | { kind: 'write'; next: LeaseRecord }
  /** Another holder's lease has not expired: the caller must not run. */
  | { kind: 'refused'; holder: string; expiresAt: number };

/** A lease whose expiry has come has lapsed: its holder stopped renewing it (died, or lost the bus). */
export function isExpired(record: LeaseRecord, now: number): boolean {
  return record.expiresAt <= now;
}

/**
 * Acquiring and renewing are one decision: a free, lapsed or own lease is written with a fresh expiry;
 * another holder's live lease is refused. The write is a compare-and-set, so two contenders that both
 * read a lapsed lease cannot both take it.
 */
export function acquireOrRenew(current: LeaseRecord | undefined, holder: string, now: number, ttlMs: number): LeaseStep {
  if (current && current.holder !== holder && !isExpired(current, now)) {
    return { kind: 'refused', holder: current.holder, expiresAt: current.expiresAt };
  }
  return { kind: 'write', next: { holder, expiresAt: now + ttlMs } };
}

/** Releasing lets the next contender in at once; only the holder's own lease is released. */
export function releaseLease(current: LeaseRecord | undefined, holder: string): LeaseRecord | undefined {
  return current?.holder === holder && current.expiresAt > 0 ? { holder, expiresAt: 0 } : undefined;
}
