import type { GoalBackend, GoalSubmitted, LoopEvent, WorkProduced } from '@loopwright/events';
import type { ArtifactStore, SpendGuard } from '@loopwright/eventlog';
import type { ModelCall } from '@loopwright/models';
import type { AgentAssignment } from '../domain/decide';

/** Every backend that runs agents: an imported run has none (its work comes from a transcript). */
export type ExecutorBackendName = Exclude<GoalBackend, 'import'>;

/** What a backend may do to the world: append to the run, store artifacts, read what the run already holds. */
export interface BackendDeps {
  append(event: LoopEvent): Promise<unknown>;
  artifacts: ArtifactStore;
  /** The run's events as the log holds them now: a restarted session resumes from them. */
  readRun(runId: string): Promise<readonly LoopEvent[]>;
  commandTimeoutMs: number;
  /** The shared budget a session holds each model call against before making it. */
  spend: SpendGuard;
  /** The most one model call may cost. */
  turnEstimateUsd: number;
}

/** How one task iteration's session ended. */
export interface BackendResult {
  workId: string;
  endedBy: WorkProduced['endedBy'];
  turns: number;
  call: ModelCall;
}

/**
 * The executor's port to whatever runs a role's agent: one task iteration in, its trace.step
 * events as they happen, then decision.completed and work.produced. Chosen per goal.
 */
export interface ExecutorBackend {
  readonly name: ExecutorBackendName;
  runSession(goal: GoalSubmitted, assignment: AgentAssignment, deps: BackendDeps): Promise<BackendResult>;
}

export type ExecutorBackends = Readonly<Record<ExecutorBackendName, ExecutorBackend>>;

/** The backend a goal names; an import never reaches here (the decider ignores it). */
export function backendFor(backends: ExecutorBackends, goal: GoalSubmitted): ExecutorBackend {
  if (goal.backend === 'import') throw new TypeError(`goal ${goal.goalId} is an imported run: no backend runs it`);
  return backends[goal.backend];
}
