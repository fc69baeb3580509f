import { deterministicId, EventOf, isEventType, NewEvent, producerRefusal, Role } from '@loopwright/events';
import { runEnded } from './decide';
import { pipelineOf, RunState, taskIdOf } from './run-state';

type RunEnding = NewEvent<'task.failed' | 'review.requested' | 'run.ended'>;

/** `<root>.run.<runId>.<producer>.<type…>` → runId; undefined for an event outside a run. */
export function runIdOfSubject(subject: string): string | undefined {
  const tokens = subject.split('.');
  return tokens.length >= 5 && tokens[1] === 'run' ? tokens[2] : undefined;
}

/**
 * Whether the event a subject names could be the run's own: its producer may publish its type in
 * this run. One that may not (the submitter's `task.started` in a run it did not import, a type no
 * one publishes) is a forgery the log keeps and the notice records; it says nothing of the run's
 * work, and ending the run for it would let any identity end any run by publishing on its own subjects.
 */
function isTheRunsOwn(subject: string, runId: string): boolean {
  const [, , , producer, ...type] = subject.split('.');
  const name = type.join('.');
  return producer !== undefined && isEventType(name) && producerRefusal(name, producer, runId) === undefined;
}

/**
 * An event of the run was quarantined, so the run cannot go on by itself: a person reviews it, and
 * every task still running fails with the reason (the first role's task when none started yet), and
 * the run ends stuck (when it had not ended). Ids
 * derive from the notice, so a redelivered notice records nothing twice.
 */
export function decideOnQuarantine(state: RunState, notice: EventOf<'system.event.quarantined'>): RunEnding[] {
  const { originalSeq, originalSubject, consumer, deliveries, reason } = notice.data;
  if (!isTheRunsOwn(originalSubject, state.runId)) return [];
  const summary = `event seq ${originalSeq} (${originalSubject}) was quarantined by ${consumer} after ${deliveries} deliveries: ${reason}`.slice(0, 2_000);
  const running = [...state.tasks.values()].filter((task) => task.status === 'running');
  const firstRole = state.goal ? pipelineOf(state.goal)[0] : undefined;
  const failing =
    running.length > 0 || state.tasks.size > 0 || !firstRole
      ? running.map((task) => ({ taskId: task.taskId, role: task.role, iterations: task.iterations.length }))
      : [{ taskId: taskIdOf(state.runId, firstRole), role: firstRole, iterations: 0 }];
  const reviewId = `rv-${deterministicId('review', state.runId, 'quarantined', originalSeq, consumer).replace(/-/g, '').slice(0, 20)}`;
  const common = { aggregateId: state.runId, producer: 'executor' as const, correlationId: state.runId, causationId: notice.id };
  return [
    {
      ...common,
      type: 'review.requested',
      id: deterministicId('review.requested', reviewId),
      aggregateId: reviewId,
      data: { reviewId, runId: state.runId, taskId: failing[0]?.taskId, reason: 'quarantined', summary, items: [originalSubject] },
    },
    ...failing.map((task): RunEnding => ({
      ...common,
      type: 'task.failed',
      id: deterministicId('task.failed', task.taskId, 'quarantined', originalSeq, consumer),
      data: { ...task, reason: summary, reviewId },
    })),
    ...(failing.length === 0 ? [] : [endOf(state, failing, summary, notice.id, reviewId)]),
  ];
}

function endOf(state: RunState, failing: { role: Role }[], reason: string, causationId: string, reviewId: string): RunEnding {
  const intent = runEnded(state, 'stuck', reason, causationId, Object.fromEntries(failing.map((task) => [task.role, 'failed'])), reviewId);
  if (intent.kind !== 'emit') throw new Error('runEnded gives an event to emit');
  return intent.event as NewEvent<'run.ended'>;
}
