import { AgentSessionOpened, createEvent, deterministicId, EventDataInput, LoopEvent } from '@loopwright/events';
import type { AgentAssignment } from '../domain/decide';

/** One step as a backend reads it from its runtime: the task, iteration and step number are added here. */
export type StepInput = Omit<EventDataInput<'trace.step'>, 'taskId' | 'iteration' | 'step'>;

/** What the log already holds of one task iteration's session: where a restarted executor picks it up. */
export interface ResumePoint {
  /** The latest session a runtime opened for the iteration, and when it was opened. */
  opened?: { data: AgentSessionOpened; occurredAt: string };
  /** How many sessions were opened for the iteration. */
  sessionsOpened: number;
  /** The executor's steps of the iteration already in the log: the next step is numbered after them. */
  recordedSteps: number;
}

export function resumePointOf(events: readonly LoopEvent[], assignment: AgentAssignment): ResumePoint {
  const ofIteration = (data: { taskId: string; iteration: number }) => data.taskId === assignment.taskId && data.iteration === assignment.iteration;
  const opened = events.filter((e): e is Extract<LoopEvent, { type: 'agent.session.opened' }> => e.type === 'agent.session.opened' && ofIteration(e.data));
  const steps = new Set(events.flatMap((e) => (e.type === 'trace.step' && e.producer === 'executor' && ofIteration(e.data) ? [e.data.step] : [])));
  const last = opened.at(-1);
  return {
    opened: last && { data: last.data, occurredAt: last.occurredAt },
    sessionsOpened: opened.length,
    recordedSteps: steps.size,
  };
}

/**
 * Appends a session's steps as trace.step events with ids derived from the step number, so a step
 * recorded twice is one event. A session replayed from its runtime's history skips the steps the
 * log already holds (`skipBelow`); a session continued after a restart numbers on from them (`next`).
 */
export class TraceRecorder {
  private next: number;
  private readonly skipBelow: number;

  constructor(
    private readonly append: (event: LoopEvent) => Promise<unknown>,
    private readonly assignment: AgentAssignment,
    position: { next: number; skipBelow: number },
  ) {
    this.next = position.next;
    this.skipBelow = position.skipBelow;
  }

  /** Steps numbered so far, recorded now or before. */
  get count(): number {
    return this.next;
  }

  async record(step: StepInput): Promise<void> {
    const n = this.next++;
    if (n < this.skipBelow) return;
    const { runId, taskId, iteration } = this.assignment;
    await this.append(
      createEvent({
        type: 'trace.step',
        id: deterministicId('trace.step', taskId, iteration, n),
        aggregateId: runId,
        producer: 'executor',
        correlationId: runId,
        causationId: this.assignment.causationId,
        data: { ...step, taskId, iteration, step: n },
      }),
    );
  }
}

/** Records that a runtime opened a session for the iteration: appended as soon as the session exists. */
export function sessionOpenedEvent(assignment: AgentAssignment, data: Omit<AgentSessionOpened, 'taskId' | 'iteration' | 'decisionId'>, ordinal: number) {
  const { runId, taskId, iteration } = assignment;
  return createEvent({
    type: 'agent.session.opened',
    id: deterministicId('agent.session.opened', taskId, iteration, ordinal),
    aggregateId: runId,
    producer: 'executor',
    correlationId: runId,
    causationId: assignment.causationId,
    data: { ...data, taskId, iteration, decisionId: assignment.decisionId },
  });
}
