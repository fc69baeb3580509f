import { IllegalStateError } from '@loopwright/core';
import type { GoalSubmitted } from '@loopwright/events';
import { createProvider, DEFAULT_WORKLOAD_PATH, ModelProvider } from '@loopwright/models';

export interface ModelBackendSettings {
  /** Whose key this is, for the error message: each service has its own. */
  keyVariable: string;
  apiKey?: string;
  baseURL?: string;
  model: string;
  workloadPath: string;
  /** Real time each simulated call takes (default 0): for demos that should look like model work, and crash tests. */
  simLatencyMs?: number;
}

/** Makes every call of a provider take at least `ms` of wall time. */
export function withLatency(provider: ModelProvider, ms: number): ModelProvider {
  if (ms <= 0) return provider;
  const pause = () => new Promise((resolve) => setTimeout(resolve, ms));
  return {
    name: provider.name,
    answer: async (req) => {
      await pause();
      return provider.answer(req);
    },
    turn: async (req) => {
      await pause();
      return provider.turn(req);
    },
  };
}

/**
 * The model behind a goal: the seeded simulation for `backend: sim` goals, the Anthropic API on
 * this service's own key otherwise. Providers are built once and reused.
 */
export function modelBackends(settings: ModelBackendSettings): (goal: GoalSubmitted) => ModelProvider {
  let sim: ModelProvider | undefined;
  let anthropic: ModelProvider | undefined;
  return (goal) => {
    if (goal.backend === 'sim') {
      sim ??= withLatency(createProvider({ backend: 'sim', workload: settings.workloadPath }), settings.simLatencyMs ?? 0);
      return sim;
    }
    if (!settings.apiKey) {
      throw new IllegalStateError(
        `goal ${goal.goalId} needs a model but ${settings.keyVariable} is not set: set it, or submit the goal with backend "sim"`,
      );
    }
    anthropic ??= createProvider({ backend: 'anthropic', apiKey: settings.apiKey, baseURL: settings.baseURL, model: settings.model });
    return anthropic;
  };
}

export function simLatencyFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env['LOOP_SIM_LATENCY_MS'] ?? 0);
}

export function workloadPathFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env['LOOP_SIM_WORKLOAD'] ?? DEFAULT_WORKLOAD_PATH;
}
