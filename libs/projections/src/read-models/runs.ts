import type { EntityManager } from 'typeorm';
import type { EventOf, LoopEvent, RunEnded } from '@loopwright/events';
import { defineReadModel, SequencedEvent } from '../projector';
import { completionKey, FoldedKeys, foldedKeysTable } from '../folded-keys';
import { RowSet } from '../row-set';
import { defineTable } from '../row-table';

/**
 * In progress (submitted, running), waiting on a person (review), ended as run.ended says (done,
 * stuck, gate-failed, blocked-on-questions), or ended as inferred from its tasks in a log written
 * before run.ended existed (completed, failed).
 */
export type RunStatus = 'submitted' | 'running' | 'review' | RunEnded['status'] | 'completed' | 'failed';

export interface RunRow {
  run_id: string;
  goal_id: string;
  title: string;
  roles: string[];
  backend: string;
  simulated: boolean;
  budget_usd: number;
  status: RunStatus;
  /** Task iterations started across the run's roles, each (task, iteration) once. */
  iterations: number;
  roles_completed: string[];
  /** Sum of decision.completed costs, shadow spot-checks included (they are spent too); each completion once. */
  cost_usd: number;
  /** 1 for the first goal.submitted in the log, 2 for the next, … */
  run_ordinal: number;
  submitted_at: string;
  started_at: string | null;
  ended_at: string | null;
  open_review_id: string | null;
  /** The reason and each role's state run.ended gave; null while the run has not ended, or since it resumed. */
  end_reason: string | null;
  role_states: RunEnded['tasks'] | null;
  /** The sequence of the latest run.ended applied. */
  ended_seq: number | null;
  /** Every run.ended applied, by event id: a copy delivered again later does not end a resumed run. */
  end_event_ids: string[];
  submitted_seq: number;
  updated_seq: number;
}

export const RUNS = defineTable<RunRow>({
  name: 'runs',
  key: ['run_id'],
  columns: {
    run_id: 'text', goal_id: 'text', title: 'text', roles: 'jsonb', backend: 'text', simulated: 'bool',
    budget_usd: 'float8', status: 'text', iterations: 'int4', roles_completed: 'jsonb', cost_usd: 'float8',
    run_ordinal: 'int4', submitted_at: 'timestamptz', started_at: 'timestamptz', ended_at: 'timestamptz',
    open_review_id: 'text', end_reason: 'text', role_states: 'jsonb', ended_seq: 'int8', end_event_ids: 'jsonb', submitted_seq: 'int8',
    updated_seq: 'int8',
  },
});

/** The task iterations and endings, decision completions and review requests folded into a run: a second event for one changes nothing. */
export const RUNS_FOLDED = foldedKeysTable('runs_folded');

const HANDLES = [
  'goal.submitted', 'task.started', 'task.completed', 'task.failed', 'decision.completed', 'review.requested', 'review.resolved', 'run.ended',
] as const;
type RunEvent = EventOf<(typeof HANDLES)[number]>;

/** The run a handled event belongs to, when the event itself says (review.resolved does not). */
function runIdOf(event: RunEvent): string | undefined {
  if (event.type === 'review.requested') return event.data.runId;
  if (event.type === 'review.resolved') return undefined;
  return event.aggregateId;
}

/**
 * The business key of an event the run folds once (iterations, cost, a task's ending or a review's
 * request, which a replay after the review's resolution would hold the run again), or undefined.
 */
function countedKeyOf(event: RunEvent): string | undefined {
  if (event.type === 'task.started') return `started:${event.data.taskId}:${event.data.iteration}`;
  if (event.type === 'task.completed') return `task-completed:${event.data.taskId}:${event.data.iterations}`;
  if (event.type === 'task.failed') return `task-failed:${event.data.taskId}:${event.data.iterations}`;
  if (event.type === 'decision.completed') return completionKey(event.data.decisionId, event.data.shadow);
  if (event.type === 'review.requested') return `requested:${event.data.reviewId}`;
  return undefined;
}

/** Folds one event into the run it concerns. Pure apart from the row and key sets it mutates. */
export function evolveRun(runs: RowSet<RunRow>, folded: FoldedKeys, event: RunEvent, seq: number, nextOrdinal: () => number): void {
  if (event.type === 'goal.submitted') {
    if (runs.get(event.aggregateId)) return;
    const { data } = event;
    runs.put({
      run_id: event.aggregateId, goal_id: data.goalId, title: data.title, roles: [...data.roles], backend: data.backend,
      simulated: data.backend === 'sim', budget_usd: data.budgetUsd, status: 'submitted', iterations: 0, roles_completed: [],
      cost_usd: 0, run_ordinal: nextOrdinal(), submitted_at: event.occurredAt, started_at: null, ended_at: null,
      open_review_id: null, end_reason: null, role_states: null, ended_seq: null, end_event_ids: [], submitted_seq: seq, updated_seq: seq,
    });
    return;
  }
  const run =
    event.type === 'review.resolved'
      ? [...runs.values()].find((r) => r.open_review_id === event.data.reviewId)
      : runs.get(runIdOf(event));
  if (!run) return;
  const counted = countedKeyOf(event);
  if (counted !== undefined && !folded.firstTime(counted)) return;
  switch (event.type) {
    case 'task.started':
      run.iterations += 1;
      run.started_at ??= event.occurredAt;
      if (run.status === 'submitted' || run.status === 'running') run.status = 'running';
      break;
    case 'task.completed':
      if (!run.roles_completed.includes(event.data.role)) run.roles_completed = [...run.roles_completed, event.data.role];
      if (run.roles.every((role) => run.roles_completed.includes(role))) {
        run.status = 'completed';
        run.ended_at = event.occurredAt;
      }
      break;
    case 'task.failed':
      if (event.data.reviewId) {
        run.status = 'review';
        run.open_review_id = event.data.reviewId;
      } else {
        run.status = 'failed';
        run.ended_at = event.occurredAt;
      }
      break;
    case 'decision.completed':
      run.cost_usd += event.data.costUsd;
      break;
    case 'review.requested':
      run.status = 'review';
      run.open_review_id = event.data.reviewId;
      break;
    case 'review.resolved':
      run.open_review_id = null;
      if (event.data.resolution === 'reject') {
        run.status = 'failed';
        run.ended_at = event.occurredAt;
      } else {
        // Accepted or retried, the executor goes on with the run: the task's completion or its next iteration follows.
        resume(run);
      }
      break;
    case 'run.ended':
      if (run.end_event_ids.includes(event.id)) return;
      run.status = event.data.status;
      run.end_reason = event.data.reason;
      run.role_states = event.data.tasks;
      run.ended_at = event.occurredAt;
      run.ended_seq = seq;
      run.end_event_ids = [...run.end_event_ids, event.id];
      break;
    default: {
      const unreachable: never = event;
      throw new Error(`runs: unhandled ${(unreachable as LoopEvent).type}`);
    }
  }
  run.updated_seq = seq;
  runs.put(run);
}

function resume(run: RunRow): void {
  run.status = 'running';
  run.ended_at = null;
  run.end_reason = null;
  run.role_states = null;
}

async function applyRuns(events: readonly SequencedEvent[], tx: EntityManager): Promise<void> {
  const typed = events as readonly { seq: number; event: RunEvent }[];
  const ids = typed.map(({ event }) => runIdOf(event)).filter((id): id is string => id !== undefined);
  const reviewIds = typed.flatMap(({ event }) => (event.type === 'review.resolved' ? [event.data.reviewId] : []));
  if (reviewIds.length > 0) {
    const underReview: { run_id: string }[] = await tx.query('SELECT run_id FROM runs WHERE open_review_id = ANY($1::text[])', [reviewIds]);
    ids.push(...underReview.map((r) => r.run_id));
  }
  const runs = await RowSet.load(tx, RUNS, ids.map((id) => [id]));
  const folded = await FoldedKeys.load(tx, RUNS_FOLDED, typed.flatMap(({ event }) => countedKeyOf(event) ?? []));
  let ordinal: number | undefined;
  const nextOrdinal = (): number => (ordinal = (ordinal ?? 0) + 1);
  if (typed.some(({ event }) => event.type === 'goal.submitted')) {
    const [{ max }]: { max: number | null }[] = await tx.query('SELECT max(run_ordinal) AS max FROM runs');
    ordinal = max ?? 0;
  }
  for (const { seq, event } of typed) evolveRun(runs, folded, event, seq, nextOrdinal);
  await runs.save(tx);
  await folded.save(tx);
}

/** One row per run: the goal, its pipeline, status (how it ended, role by role), iterations, cost, and its ordinal in the log. */
export const runsProjector = defineReadModel({
  name: 'runs',
  version: 1,
  handles: HANDLES,
  tables: ['runs', RUNS_FOLDED.name],
  applyMany: applyRuns,
});
