import type { FixType, Role } from '@loopwright/events';

/** What a correction is about: a rubric gate or a dimension. */
export type ItemKind = 'gate' | 'dimension';

/** The parts of a correction that make it "the same correction" as another one. */
export interface CorrectionSignatureInput {
  role: Role;
  itemId: string;
  fixType: FixType;
  delta: string;
}

/** One `toReachNext` entry of a recorded grade: what the grader asked the agent to change. */
export interface Correction extends CorrectionSignatureInput {
  /** The id of the event that carried it (the grade.recorded event). */
  eventId: string;
  /** Its stream sequence: the order corrections happened in. */
  seq: number;
  itemKind: ItemKind;
  /** Who can act on it, as the grader said. */
  owner: 'executor' | 'grader' | 'human';
}

/** Corrections that share a signature, inside one decision key's group. */
export interface SignatureGroup {
  signature: string;
  fixType: FixType;
  normalizedDelta: string;
  /** The delta as last written, for a person to read. */
  latestDelta: string;
  count: number;
  /** Up to `MAX_EXAMPLE_IDS` event ids, oldest first. */
  exampleEventIds: string[];
  firstSeq: number;
  lastSeq: number;
}

/** The corrections of one decision key (`grader:<role>:<gate|dimension>:<item>`) that recur. */
export interface RecurringCorrection {
  key: string;
  role: Role;
  itemKind: ItemKind;
  itemId: string;
  count: number;
  /** Most frequent first. */
  signatures: SignatureGroup[];
  /** Up to `MAX_EXAMPLE_IDS` event ids, oldest first. */
  exampleEventIds: string[];
}

/** Evidence lists keep at most this many ids (the rule events' schema limit). */
export const MAX_EXAMPLE_IDS = 50;

/** Lowercase, every digit as '#', whitespace collapsed, trimmed: "Run the 3 tests " and "run the 12 tests" match. */
export function normalizeDelta(delta: string): string {
  return delta.toLowerCase().replace(/[0-9]/g, '#').replace(/\s+/g, ' ').trim();
}

/** A stable name for a correction: role, item, kind of fix and the normalized delta. */
export function correctionSignature({ role, itemId, fixType, delta }: CorrectionSignatureInput): string {
  return `${role}:${itemId}:${fixType}:${normalizeDelta(delta)}`;
}

/** The decision key the grader uses for a rubric item. */
export function graderDecisionKey(role: Role, itemKind: ItemKind, itemId: string): string {
  return `grader:${role}:${itemKind}:${itemId}`;
}

const bySeq = (a: Correction, b: Correction) => a.seq - b.seq || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

/**
 * Groups corrections by decision key and keeps the keys seen at least `minCount` times, most
 * frequent first (ties by key). The same event listed twice (a replay) counts once.
 */
export function recurringCorrections(corrections: readonly Correction[], minCount: number): RecurringCorrection[] {
  const seen = new Set<string>();
  const byKey = new Map<string, Correction[]>();
  for (const c of [...corrections].sort(bySeq)) {
    const identity = `${c.eventId}\u001f${correctionSignature(c)}\u001f${c.itemKind}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    const key = graderDecisionKey(c.role, c.itemKind, c.itemId);
    const group = byKey.get(key);
    if (group) group.push(c);
    else byKey.set(key, [c]);
  }

  const recurring: RecurringCorrection[] = [];
  for (const [key, group] of byKey) {
    if (group.length < minCount) continue;
    const first = group[0];
    recurring.push({
      key,
      role: first.role,
      itemKind: first.itemKind,
      itemId: first.itemId,
      count: group.length,
      signatures: signatureGroups(group),
      exampleEventIds: distinct(group.map((c) => c.eventId)).slice(0, MAX_EXAMPLE_IDS),
    });
  }
  return recurring.sort((a, b) => b.count - a.count || compare(a.key, b.key));
}

function signatureGroups(ordered: readonly Correction[]): SignatureGroup[] {
  const groups = new Map<string, SignatureGroup>();
  for (const c of ordered) {
    const signature = correctionSignature(c);
    const group = groups.get(signature);
    if (!group) {
      groups.set(signature, {
        signature,
        fixType: c.fixType,
        normalizedDelta: normalizeDelta(c.delta),
        latestDelta: c.delta.trim(),
        count: 1,
        exampleEventIds: [c.eventId],
        firstSeq: c.seq,
        lastSeq: c.seq,
      });
      continue;
    }
    group.count += 1;
    group.latestDelta = c.delta.trim();
    group.lastSeq = c.seq;
    if (group.exampleEventIds.length < MAX_EXAMPLE_IDS && !group.exampleEventIds.includes(c.eventId)) {
      group.exampleEventIds.push(c.eventId);
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || compare(a.signature, b.signature));
}

function distinct(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
