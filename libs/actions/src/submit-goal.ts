import { ConcurrencyError, ValidationError } from '@loopwright/core';
import { createEvent, EventDataInput, identityConflict } from '@loopwright/events';
import { EventLog, storeLongDescription } from '@loopwright/eventlog';

export interface SubmittedGoal {
  runId: string;
  seq: number;
  /** The same goal was already appended within the duplicate window. */
  duplicate: boolean;
}

/** The sequence of the run's first goal.submitted, if the run exists. */
async function existingGoal(log: EventLog, runId: string): Promise<number | undefined> {
  for await (const stored of log.replay({ filter: `${log.config.subjectRoot}.run.${runId}.submitter.goal.submitted` })) return stored.seq;
  return undefined;
}

/**
 * Appends goal.submitted for a run, as the submitter. A run id that already has a goal is refused:
 * a run keeps its first goal (the services refuse a second one, and the executor ends the run over it).
 */
export async function submitGoal(log: EventLog, runId: string, goal: EventDataInput<'goal.submitted'>): Promise<SubmittedGoal> {
  await refuseExistingRun(log, runId);
  const data = await storeLongDescription(goal, () => log.artifacts());
  const event = createEvent({ type: 'goal.submitted', aggregateId: runId, producer: 'submitter', data });
  // every service would refuse it (an import's run id for another backend): refused here, before it is in the log
  const conflict = identityConflict(event);
  if (conflict) throw new ValidationError(conflict);
  try {
    // The check above reads before it appends: a submitter racing this one may have appended since.
    // The append itself holds only while the run's goal subject is empty.
    const { seq, duplicate } = await log.append(event, { expectedLastSubjectSeq: 0 });
    return { runId, seq, duplicate };
  } catch (error) {
    if (error instanceof ConcurrencyError) await refuseExistingRun(log, runId);
    throw error;
  }
}

async function refuseExistingRun(log: EventLog, runId: string): Promise<void> {
  const existing = await existingGoal(log, runId);
  if (existing !== undefined) {
    throw new ValidationError(`run ${runId} already exists (its goal is at seq ${existing}): a run keeps its first goal, so submit this one under another run id`);
  }
}
