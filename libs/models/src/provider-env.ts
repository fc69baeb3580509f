import { ValidationError } from '@loopwright/core';
import { z } from 'zod';
import { Backend, BACKENDS, DirectProviderConfig, ProviderConfig } from './create-provider';
import type { ModelPrice } from './pricing';
import { DEFAULT_WORKLOAD_PATH } from './sim/workload';

export interface ProviderEnvOptions {
  /**
   * This service's own API key, read by the caller from its own variable (the grader from
   * GRADER_ANTHROPIC_API_KEY). The environment is never searched for a key here, so no service
   * can end up using another's.
   */
  apiKey?: string;
  /** Variable prefix. Default `LOOPWRIGHT_MODEL`; e.g. `LOOPWRIGHT_RESIDENT` for a second, resident provider. */
  prefix?: string;
  /** Used when `<prefix>_BACKEND` is unset. With neither, the config is refused rather than guessed. */
  defaultBackend?: Backend;
  /** Default model id for the anthropic backend. */
  defaultAnthropicModel?: string;
}

export const DEFAULT_ANTHROPIC_MODEL = 'claude-sonnet-4-6';

const PriceSchema = z.object({
  input: z.number().min(0),
  output: z.number().min(0),
  cacheWrite: z.number().min(0).default(0),
  cacheRead: z.number().min(0).default(0),
});

/**
 * The provider config from environment variables (with prefix P = `LOOPWRIGHT_MODEL`):
 * `P_BACKEND` = anthropic | openai-compatible | replay | sim; `P_ID` the model id; `P_BASE_URL`;
 * `P_PRICE` as JSON `{"input":…,"output":…}` in USD per million tokens; `P_CASSETTE` and
 * `P_CASSETTE_MODE` = replay | record with `P_RECORD_BACKEND` for what is recorded;
 * `P_SIM_WORKLOAD` (a YAML path) and `P_SIM_TIER` = frontier | resident.
 */
export function providerConfigFromEnv(env: Readonly<Record<string, string | undefined>>, options: ProviderEnvOptions = {}): ProviderConfig {
  const prefix = options.prefix ?? 'LOOPWRIGHT_MODEL';
  const read = (name: string) => {
    const value = env[`${prefix}_${name}`]?.trim();
    return value === '' ? undefined : value;
  };
  const backend = oneOf(`${prefix}_BACKEND`, read('BACKEND') ?? options.defaultBackend, BACKENDS);
  if (backend !== 'replay') return directConfig(backend, read, prefix, options);

  const cassettePath = required(`${prefix}_CASSETTE`, read('CASSETTE'));
  const mode = oneOf(`${prefix}_CASSETTE_MODE`, read('CASSETTE_MODE') ?? 'replay', ['replay', 'record'] as const);
  if (mode === 'replay') return { backend: 'replay', mode, cassettePath };
  const recorded = oneOf(`${prefix}_RECORD_BACKEND`, read('RECORD_BACKEND'), ['anthropic', 'openai-compatible', 'sim'] as const);
  return { backend: 'replay', mode, cassettePath, inner: directConfig(recorded, read, prefix, options) };
}

function directConfig(
  backend: Exclude<Backend, 'replay'>,
  read: (name: string) => string | undefined,
  prefix: string,
  options: ProviderEnvOptions,
): DirectProviderConfig {
  const price = read('PRICE') === undefined ? undefined : parsePrice(`${prefix}_PRICE`, read('PRICE')!);
  switch (backend) {
    case 'anthropic': {
      if (!options.apiKey) {
        throw new ValidationError('the anthropic backend needs this service’s API key, passed in as apiKey', [
          { path: 'apiKey', message: 'required' },
        ]);
      }
      const model = read('ID') ?? options.defaultAnthropicModel ?? DEFAULT_ANTHROPIC_MODEL;
      return {
        backend,
        apiKey: options.apiKey,
        model,
        ...(read('BASE_URL') ? { baseURL: read('BASE_URL') } : {}),
        ...(price ? { prices: { [model]: price } } : {}),
      };
    }
    case 'openai-compatible':
      return {
        backend,
        baseURL: required(`${prefix}_BASE_URL`, read('BASE_URL')),
        model: required(`${prefix}_ID`, read('ID')),
        ...(options.apiKey ? { apiKey: options.apiKey } : {}),
        ...(price ? { price } : {}),
      };
    case 'sim':
      return {
        backend,
        workload: read('SIM_WORKLOAD') ?? DEFAULT_WORKLOAD_PATH,
        tier: oneOf(`${prefix}_SIM_TIER`, read('SIM_TIER') ?? 'frontier', ['frontier', 'resident'] as const),
      };
  }
}

function required(name: string, value: string | undefined): string {
  if (value === undefined) throw new ValidationError(`${name} is not set`, [{ path: name, message: 'required' }]);
  return value;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T {
  if (value === undefined) {
    throw new ValidationError(`${name} is not set (one of ${allowed.join(', ')})`, [{ path: name, message: 'required' }]);
  }
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(`${name}=${value} is not one of ${allowed.join(', ')}`, [{ path: name, message: 'invalid value' }]);
  }
  return value as T;
}

function parsePrice(name: string, text: string): ModelPrice {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const parsed = PriceSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ValidationError(`${name} must be JSON like {"input":0.2,"output":0.6} (USD per million tokens)`, [
      { path: name, message: 'invalid price' },
    ]);
  }
  return parsed.data;
}
