import type { GoalSubmitted } from '@loopwright/events';
import type { ModelProvider } from '@loopwright/models';
import { runAgentSession, Tier } from '../agent/agent-session';
import type { ExecutorBackend } from './executor-backend';

/** The model behind a goal's tool loop at a tier. */
export type ProviderFor = (goal: GoalSubmitted, tier: Tier) => ModelProvider;

/** `local`: the Messages API tool loop over the task's sandbox tools. */
export function localBackend(provider: ProviderFor): ExecutorBackend {
  return {
    name: 'local',
    runSession: (goal, assignment, deps) => runAgentSession(goal, assignment, { ...deps, provider }),
  };
}

/** `sim`: the same tool loop driven by the seeded simulated agent (the session adds what the simulation needs to its requests). */
export function simBackend(provider: ProviderFor): ExecutorBackend {
  return {
    name: 'sim',
    runSession: (goal, assignment, deps) => runAgentSession(goal, assignment, { ...deps, provider }),
  };
}
