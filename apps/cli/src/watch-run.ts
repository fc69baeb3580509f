import { ROLES, LoopEvent } from '@loopwright/events';
import { toStoredEvent, type EventLog } from '@loopwright/eventlog';
import { describeEvent } from './describe-event';

/**
 * Whether a run has ended: the executor said so (run.ended, with how it ended). An imported run has no
 * executor: it has ended when a task failed or the last role of its pipeline completed.
 */
export function runEnded(events: readonly LoopEvent[]): boolean {
  const goal = events.find((e) => e.type === 'goal.submitted');
  if (!goal || goal.type !== 'goal.submitted') return false;
  if (events.some((e) => e.type === 'run.ended')) return true;
  if (goal.data.backend !== 'import') return false;
  const last = ROLES.filter((r) => goal.data.roles.includes(r)).at(-1);
  return events.some((e) => e.type === 'task.failed' || (e.type === 'task.completed' && e.data.role === last));
}

/** Prints a run's events as they are appended, from its first, until the run ends. */
export async function watchRun(log: EventLog, runId: string, print: (line: string) => void): Promise<LoopEvent[]> {
  const consumer = await log.js.consumers.get(log.config.streamName, { filter_subjects: `${log.config.subjectRoot}.run.${runId}.>` });
  const messages = await consumer.consume();
  const seen: LoopEvent[] = [];
  try {
    for await (const message of messages) {
      const stored = toStoredEvent(message.seq, message.subject, message.data, log.config.subjectRoot);
      if (!stored.event) {
        print(`[${stored.seq}] not a valid event: ${stored.error}`);
        continue;
      }
      seen.push(stored.event);
      print(`[${stored.seq}] ${stored.event.occurredAt.slice(11, 23)} ${describeEvent(stored.event)}`);
      if (runEnded(seen)) break;
    }
  } finally {
    await messages.close();
  }
  return seen;
}
