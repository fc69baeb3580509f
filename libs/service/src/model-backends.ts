import { IllegalStateError, ValidationError } from '@loopwright/core';
import type { GoalSubmitted } from '@loopwright/events';
import { createProvider, DEFAULT_WORKLOAD_PATH, ModelProvider, providerConfigFromEnv } from '@loopwright/models';

export type ModelTier = 'frontier' | 'resident';

export interface ModelBackendSettings {
  /** The environment the model configuration is read from (see `modelBackends`). */
  env: NodeJS.ProcessEnv;
  /** This service's own API key variable: each service has its own (ANTHROPIC_API_KEY, GRADER_ANTHROPIC_API_KEY). */
  keyVariable: string;
  /** The frontier model when LOOPWRIGHT_MODEL_ID is unset. */
  defaultModel: string;
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
 * The model behind a goal at each tier. A `backend: sim` goal runs on the seeded simulation (its
 * frontier and its resident). Any other goal runs on the models the environment configures, the
 * same variables in every service:
 * - `LOOPWRIGHT_MODEL_*` the frontier: `_BACKEND` (default anthropic, on this service's own key),
 *   `_ID` (default `defaultModel`), `_BASE_URL`, `_PRICE`;
 * - `LOOPWRIGHT_RESIDENT_*` the resident model, for example a small model behind Ollama, vLLM or
 *   llama.cpp: `_BACKEND=openai-compatible`, `_BASE_URL`, `_ID`, `_PRICE`, `_API_KEY` (when the
 *   server wants one). Unset: no resident, and a goal routed to one fails saying what to set.
 * A configuration error is reported when a goal first needs the model. Providers are built once.
 */
export function modelBackends(settings: ModelBackendSettings): (goal: GoalSubmitted, tier?: ModelTier) => ModelProvider {
  const { env } = settings;
  const built = new Map<string, ModelProvider>();
  const once = (name: string, build: () => ModelProvider) => {
    let provider = built.get(name);
    if (!provider) built.set(name, (provider = build()));
    return provider;
  };
  return (goal, tier = 'frontier') => {
    if (goal.backend === 'sim') {
      return once(`sim-${tier}`, () => withLatency(createProvider({ backend: 'sim', workload: settings.workloadPath, tier }), settings.simLatencyMs ?? 0));
    }
    if (tier === 'resident') {
      if (!env['LOOPWRIGHT_RESIDENT_BACKEND']) {
        throw new IllegalStateError(
          `goal ${goal.goalId} was routed to a resident model, but none is configured: set LOOPWRIGHT_RESIDENT_BACKEND (e.g. openai-compatible), LOOPWRIGHT_RESIDENT_BASE_URL and LOOPWRIGHT_RESIDENT_ID`,
        );
      }
      return once('resident', () => createProvider(providerConfigFromEnv(env, { prefix: 'LOOPWRIGHT_RESIDENT', apiKey: env['LOOPWRIGHT_RESIDENT_API_KEY'] })));
    }
    const backend = env['LOOPWRIGHT_MODEL_BACKEND'] ?? 'anthropic';
    if (backend === 'anthropic' && !env[settings.keyVariable]) {
      throw new IllegalStateError(`goal ${goal.goalId} needs a model but ${settings.keyVariable} is not set: set it, or submit the goal with backend "sim"`);
    }
    return once('frontier', () =>
      createProvider(
        providerConfigFromEnv(env, { apiKey: env[settings.keyVariable], defaultBackend: 'anthropic', defaultAnthropicModel: settings.defaultModel }),
      ),
    );
  };
}

/** Fails at start when the model variables name something that cannot be built, instead of at the first goal. */
export function checkModelEnv(env: NodeJS.ProcessEnv): void {
  for (const prefix of ['LOOPWRIGHT_MODEL', 'LOOPWRIGHT_RESIDENT']) {
    const backend = env[`${prefix}_BACKEND`];
    if (backend === undefined || backend === 'anthropic') continue;
    try {
      providerConfigFromEnv(env, { prefix });
    } catch (error) {
      if (error instanceof ValidationError) throw new ValidationError(`model configuration: ${error.message}`, error.issues, { cause: error });
      throw error;
    }
  }
}

export function simLatencyFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env['LOOP_SIM_LATENCY_MS'] ?? 0);
}

export function workloadPathFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env['LOOP_SIM_WORKLOAD'] ?? DEFAULT_WORKLOAD_PATH;
}
