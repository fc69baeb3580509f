import type { EntityManager } from 'typeorm';
import type { EventOf, LoopEvent } from '@loopwright/events';
import { defineReadModel, SequencedEvent } from '../projector';
import { RowSet } from '../row-set';
import { defineTable } from '../row-table';

export type TaskStatus = 'running' | 'completed' | 'failed';

export interface TaskRow {
  run_id: string;
  task_id: string;
  role: string;
  /** The latest iteration started. */
  iteration: number;
  status: TaskStatus;
  /** The overall of the grade that completed the task. */
  final_overall: number | null;
  grade_id: string | null;
  failure_reason: string | null;
  review_id: string | null;
  started_at: string;
  ended_at: string | null;
  updated_seq: number;
}

export const TASKS = defineTable<TaskRow>({
  name: 'tasks',
  key: ['run_id', 'task_id'],
  columns: {
    run_id: 'text', task_id: 'text', role: 'text', iteration: 'int4', status: 'text', final_overall: 'float8', grade_id: 'text',
    failure_reason: 'text', review_id: 'text', started_at: 'timestamptz', ended_at: 'timestamptz', updated_seq: 'int8',
  },
});

const HANDLES = ['task.started', 'task.completed', 'task.failed'] as const;
type TaskEvent = EventOf<(typeof HANDLES)[number]>;

export function evolveTask(tasks: RowSet<TaskRow>, event: TaskEvent, seq: number): void {
  const runId = event.aggregateId;
  const existing = tasks.get(runId, event.data.taskId);
  switch (event.type) {
    case 'task.started':
      // Iterations only grow: a task.started for one already started (a replay under a new id, one
      // delivered after the task ended) would reopen an ended task.
      if (existing && event.data.iteration <= existing.iteration) return;
      tasks.put({
        run_id: runId, task_id: event.data.taskId, role: event.data.role, iteration: event.data.iteration, status: 'running',
        final_overall: null, grade_id: null, failure_reason: null, review_id: null,
        started_at: existing?.started_at ?? event.occurredAt, ended_at: null, updated_seq: seq,
      });
      return;
    // A task ends once an iteration: it completes once (an accepted review completes a failed one), and
    // fails only while running, so a replayed failure after the retry or the acceptance changes nothing.
    case 'task.completed':
      if (!existing || existing.status === 'completed') return;
      tasks.put({
        ...existing, status: 'completed', final_overall: event.data.overall, grade_id: event.data.gradeId,
        iteration: Math.max(existing.iteration, event.data.iterations), ended_at: event.occurredAt, updated_seq: seq,
      });
      return;
    case 'task.failed':
      if (!existing || existing.status !== 'running' || event.data.iterations < existing.iteration) return;
      tasks.put({
        ...existing, status: 'failed', failure_reason: event.data.reason, review_id: event.data.reviewId ?? null,
        ended_at: event.occurredAt, updated_seq: seq,
      });
      return;
    default: {
      const unreachable: never = event;
      throw new Error(`tasks: unhandled ${(unreachable as LoopEvent).type}`);
    }
  }
}

async function applyTasks(events: readonly SequencedEvent[], tx: EntityManager): Promise<void> {
  const typed = events as readonly { seq: number; event: TaskEvent }[];
  const tasks = await RowSet.load(tx, TASKS, typed.map(({ event }) => [event.aggregateId, event.data.taskId]));
  for (const { seq, event } of typed) evolveTask(tasks, event, seq);
  await tasks.save(tx);
}

/** One row per task of a run: role, latest iteration, status and the overall it ended with. */
export const tasksProjector = defineReadModel({
  name: 'tasks',
  version: 1,
  handles: HANDLES,
  tables: ['tasks'],
  applyMany: applyTasks,
});
