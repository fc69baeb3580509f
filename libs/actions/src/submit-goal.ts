import { createEvent, EventDataInput } from '@loopwright/events';
import type { EventLog } from '@loopwright/eventlog';

export interface SubmittedGoal {
  runId: string;
  seq: number;
  /** The same goal was already appended within the duplicate window. */
  duplicate: boolean;
}

/** Appends goal.submitted for a run, as the submitter. */
export async function submitGoal(log: EventLog, runId: string, goal: EventDataInput<'goal.submitted'>): Promise<SubmittedGoal> {
  const { seq, duplicate } = await log.append(createEvent({ type: 'goal.submitted', aggregateId: runId, producer: 'submitter', data: goal }));
  return { runId, seq, duplicate };
}
