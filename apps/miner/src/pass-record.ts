import { createEvent } from '@loopwright/events';
import type { EventLog } from '@loopwright/eventlog';
import { lastEventOn } from './last-event';

/** The aggregate id of the outer loop's pass records. */
export const OUTER_LOOP_ID = 'outer-loop';

/** A recorded pass: where its record is stored and what it read through. */
export interface RecordedPass {
  seq: number;
  readThroughSeq: number;
}

export interface CompletedPass {
  readThroughSeq: number;
  /** How many events of each type the pass appended. */
  appended: ReadonlyMap<string, number>;
  durationMs: number;
}

/**
 * A pass is recorded unless it appended nothing and read nothing new but the last record itself:
 * the record is an event too, so an idle log would otherwise gain one per pass forever.
 */
export function passWorthRecording(pass: Pick<CompletedPass, 'readThroughSeq' | 'appended'>, last: RecordedPass | undefined): boolean {
  if ([...pass.appended.values()].some((n) => n > 0) || !last) return true;
  const onlyTheRecordSince = last.seq === last.readThroughSeq + 1 && pass.readThroughSeq <= last.seq;
  return pass.readThroughSeq > last.readThroughSeq && !onlyTheRecordSince;
}

async function lastRecordedPass(log: EventLog): Promise<RecordedPass | undefined> {
  const stored = await lastEventOn(log, `system.${OUTER_LOOP_ID}.miner.miner.pass.completed`);
  return stored?.event?.type === 'miner.pass.completed' ? { seq: stored.seq, readThroughSeq: stored.event.data.readThroughSeq } : undefined;
}

/** Appends the pass's `miner.pass.completed` when it is worth recording; returns its sequence, or undefined. */
export async function recordPass(log: EventLog, pass: CompletedPass): Promise<number | undefined> {
  if (!passWorthRecording(pass, await lastRecordedPass(log))) return undefined;
  const count = (type: string) => pass.appended.get(type) ?? 0;
  const { seq } = await log.append(
    createEvent({
      type: 'miner.pass.completed',
      aggregateId: OUTER_LOOP_ID,
      producer: 'miner',
      data: {
        readThroughSeq: pass.readThroughSeq,
        proposals: count('rule.proposed'),
        validations: count('rule.validated'),
        promotions: count('rule.promoted'),
        appended: [...pass.appended.values()].reduce((a, b) => a + b, 0),
        durationMs: Math.max(0, Math.round(pass.durationMs)),
      },
    }),
  );
  return seq;
}
