import { z } from 'zod';
import {
  DecisionCompleted, DecisionRequested, DecisionRouted, GoalSubmitted, GradeRecorded, RubricCalibrated, RunEnded, RunGraded, TaskCompleted,
  TaskFailed, TaskStarted, TraceStep, WorkProduced, WorkVerified,
} from './run-events';
import {
  InstructionProposed, ResidentTrained, RuleApproved, RuleDemoted, RulePromoted, RuleProposed, RuleRejected,
  RuleValidated,
} from './rule-events';
import { AuditCheckpoint, BudgetExhausted, EventQuarantined, MinerPassCompleted, ReviewRequested, ReviewResolved } from './other-events';
import { AgentSessionOpened, TraceAbandoned } from './agent-session-events';
import { Aggregate, Producer } from './vocabulary';

interface CatalogEntry {
  /** The current schema version; older versions reach it through upcasters. */
  readonly version: number;
  readonly aggregate: Aggregate;
  /** Who may publish it: the NATS permissions follow the same table. */
  readonly producers: readonly Producer[];
  /** Those of the producers that may publish it only in a run they imported (see isImportedRun). */
  readonly onlyWhenImported?: readonly Producer[];
  readonly data: z.ZodType;
}

const SERVICES = ['executor', 'grader', 'router', 'miner'] as const;

/** Every event type Loopwright knows: its aggregate, who owns it, and the schema of its data. */
export const catalog = {
  'goal.submitted': { version: 2, aggregate: 'run', producers: ['submitter'], data: GoalSubmitted },
  // `loopwright import` (as the submitter) turns an existing transcript into a run's task, steps and work:
  // in any other run they are the executor's alone.
  'task.started': { version: 1, aggregate: 'run', producers: ['executor', 'submitter'], onlyWhenImported: ['submitter'], data: TaskStarted },
  'task.completed': { version: 1, aggregate: 'run', producers: ['executor'], data: TaskCompleted },
  'task.failed': { version: 1, aggregate: 'run', producers: ['executor'], data: TaskFailed },
  // An agent runtime's session for a task iteration: where a restarted executor reattaches.
  'agent.session.opened': { version: 1, aggregate: 'run', producers: ['executor'], data: AgentSessionOpened },
  'trace.step': { version: 2, aggregate: 'run', producers: ['executor', 'submitter'], onlyWhenImported: ['submitter'], data: TraceStep },
  // A session that died mid-iteration runs again as a new attempt: the abandoned attempt's steps are marked, never graded.
  'trace.abandoned': { version: 1, aggregate: 'run', producers: ['executor'], data: TraceAbandoned },
  'work.produced': { version: 1, aggregate: 'run', producers: ['executor', 'submitter'], onlyWhenImported: ['submitter'], data: WorkProduced },
  'work.verified': { version: 1, aggregate: 'run', producers: ['grader'], data: WorkVerified },
  'decision.requested': { version: 1, aggregate: 'run', producers: ['executor', 'grader'], data: DecisionRequested },
  'decision.routed': { version: 1, aggregate: 'run', producers: ['router'], data: DecisionRouted },
  'decision.completed': { version: 1, aggregate: 'run', producers: ['executor', 'grader'], data: DecisionCompleted },
  'grade.recorded': { version: 1, aggregate: 'run', producers: ['grader'], data: GradeRecorded },
  // The executor's last word on a run: done, stuck, gate failed, or blocked on a person's answer.
  'run.ended': { version: 1, aggregate: 'run', producers: ['executor'], data: RunEnded },
  'run.graded': { version: 1, aggregate: 'run', producers: ['grader'], data: RunGraded },
  'review.requested': {
    version: 1, aggregate: 'review', producers: ['executor', 'grader', 'router', 'miner'], data: ReviewRequested,
  },
  'review.resolved': { version: 1, aggregate: 'review', producers: ['submitter'], data: ReviewResolved },
  'rule.proposed': { version: 1, aggregate: 'rule', producers: ['miner'], data: RuleProposed },
  'rule.validated': { version: 1, aggregate: 'rule', producers: ['miner'], data: RuleValidated },
  'rule.rejected': { version: 1, aggregate: 'rule', producers: ['miner', 'submitter'], data: RuleRejected },
  'rule.approved': { version: 1, aggregate: 'rule', producers: ['submitter'], data: RuleApproved },
  'rule.promoted': { version: 1, aggregate: 'rule', producers: ['miner'], data: RulePromoted },
  'rule.demoted': { version: 1, aggregate: 'rule', producers: ['miner'], data: RuleDemoted },
  'resident.trained': { version: 1, aggregate: 'rule', producers: ['miner'], data: ResidentTrained },
  'instruction.proposed': { version: 1, aggregate: 'rule', producers: ['miner'], data: InstructionProposed },
  // The grader calibrates its own behavior rubrics from its own grades: it alone applies the result.
  'rubric.calibrated': { version: 1, aggregate: 'rule', producers: ['grader'], data: RubricCalibrated },
  'budget.exhausted': { version: 1, aggregate: 'budget', producers: ['router', 'executor'], data: BudgetExhausted },
  'audit.checkpoint': { version: 1, aggregate: 'audit', producers: ['miner'], data: AuditCheckpoint },
  // What a pass read through: a run that must not outpace the outer loop (the demo) waits for it.
  'miner.pass.completed': { version: 1, aggregate: 'system', producers: ['miner'], data: MinerPassCompleted },
  // only a service's consumer quarantines, and a notice ends the run it names: never the submitter's to publish
  'system.event.quarantined': { version: 1, aggregate: 'system', producers: SERVICES, data: EventQuarantined },
} as const satisfies Record<string, CatalogEntry>;

export type Catalog = typeof catalog;
export type EventType = keyof Catalog;
export const EVENT_TYPES = Object.keys(catalog) as EventType[];

/** The data of an event type, after defaults are applied. */
export type EventData<T extends EventType> = z.output<Catalog[T]['data']>;
/** The data as a producer writes it: fields with defaults may be left out. */
export type EventDataInput<T extends EventType> = z.input<Catalog[T]['data']>;

export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(catalog, type);
}

/** True when `producer` may publish events of `type` at all: what its NATS user may publish. */
export function producerMayPublish(type: EventType, producer: string): boolean {
  return (catalog[type].producers as readonly string[]).includes(producer);
}

/**
 * A run imported from a transcript (`loopwright import`) is known by its id alone, so every reader
 * can tell from an event's subject, without the run's history, who may have published it.
 */
export const IMPORTED_RUN_PREFIX = 'imp-';

export function isImportedRun(runId: string): boolean {
  return runId.startsWith(IMPORTED_RUN_PREFIX);
}

/**
 * Why the catalog does not let `producer` publish this event of `type` in `aggregateId`, or
 * undefined when it does. `createEvent` and every reader of the log apply this one rule.
 */
export function producerRefusal(type: EventType, producer: string, aggregateId: string): string | undefined {
  const entry: CatalogEntry = catalog[type];
  if (!producerMayPublish(type, producer)) return `${producer} may not publish ${type}; owners: ${entry.producers.join(', ')}`;
  if ((entry.onlyWhenImported as readonly string[] | undefined)?.includes(producer) && !isImportedRun(aggregateId)) {
    return `${producer} may publish ${type} only in a run it imported, not in run ${aggregateId} (an imported run's id starts ${IMPORTED_RUN_PREFIX})`;
  }
  return undefined;
}
