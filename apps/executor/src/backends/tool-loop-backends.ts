import type { GoalSubmitted } from '@loopwright/events';
import type { ModelProvider, SimAgentContext } from '@loopwright/models';
import { runAgentSession } from '../agent/agent-session';
import type { AgentAssignment } from '../domain/decide';
import type { ExecutorBackend } from './executor-backend';

/** The model behind a goal's tool loop. */
export type ProviderFor = (goal: GoalSubmitted, assignment: AgentAssignment) => ModelProvider;

/** `local`: the Messages API tool loop over the task's sandbox tools. */
export function localBackend(provider: ProviderFor): ExecutorBackend {
  return {
    name: 'local',
    runSession: (goal, assignment, deps) => runAgentSession(goal, assignment, { ...deps, provider }),
  };
}

/**
 * `sim`: the same tool loop driven by the seeded simulated agent. What the simulation needs to
 * know about the task is added here, to the simulated model's requests only.
 */
export function simBackend(provider: ProviderFor): ExecutorBackend {
  return {
    name: 'sim',
    runSession: (goal, assignment, deps) =>
      runAgentSession(goal, assignment, { ...deps, provider: () => withSimContext(provider(goal, assignment), simContext(goal, assignment)) }),
  };
}

function withSimContext(provider: ModelProvider, sim: SimAgentContext): ModelProvider {
  return { name: provider.name, answer: (req) => provider.answer(req), turn: (req) => provider.turn({ ...req, sim }) };
}

function simContext(goal: GoalSubmitted, assignment: AgentAssignment): SimAgentContext {
  return {
    seed: goal.labels['simSeed'] ?? '0',
    taskId: assignment.taskId,
    iteration: assignment.iteration,
    goal: { id: goal.labels['simGoal'] ?? goal.goalId, testCommand: goal.testCommand, allowedPaths: goal.allowedPaths, maxTurns: goal.maxTurns },
    feedback: assignment.feedback.map((f) => f.id),
  };
}
