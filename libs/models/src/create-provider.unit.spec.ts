import { ValidationError } from '@loopwright/core';
import { createProvider, DEFAULT_ANTHROPIC_MODEL, DEFAULT_WORKLOAD_PATH, providerConfigFromEnv } from './index';
import { simWorkload } from './testing/sim-workload-fixture';

describe('provider config from the environment', () => {
  const executorEnv = { ANTHROPIC_API_KEY: 'executor-key', GRADER_ANTHROPIC_API_KEY: 'grader-key' };

  it('uses only the key the service passes in, never another service’s', () => {
    const env = { ...executorEnv, LOOPWRIGHT_MODEL_BACKEND: 'anthropic' };
    expect(providerConfigFromEnv(env, { apiKey: env.GRADER_ANTHROPIC_API_KEY })).toEqual({
      backend: 'anthropic',
      apiKey: 'grader-key',
      model: DEFAULT_ANTHROPIC_MODEL,
    });
    expect(() => providerConfigFromEnv(env)).toThrow(ValidationError);
    expect(() => providerConfigFromEnv(env)).toThrow(/passed in as apiKey/);
  });

  it('reads model, base URL and price for the anthropic backend', () => {
    const env = {
      LOOPWRIGHT_MODEL_BACKEND: 'anthropic',
      LOOPWRIGHT_MODEL_ID: 'claude-next',
      LOOPWRIGHT_MODEL_BASE_URL: 'http://127.0.0.1:9999',
      LOOPWRIGHT_MODEL_PRICE: '{"input": 2, "output": 10}',
    };
    expect(providerConfigFromEnv(env, { apiKey: 'k' })).toEqual({
      backend: 'anthropic',
      apiKey: 'k',
      model: 'claude-next',
      baseURL: 'http://127.0.0.1:9999',
      prices: { 'claude-next': { input: 2, output: 10, cacheWrite: 0, cacheRead: 0 } },
    });
  });

  it('reads a resident provider under its own prefix', () => {
    const env = {
      LOOPWRIGHT_MODEL_BACKEND: 'anthropic',
      LOOPWRIGHT_RESIDENT_BACKEND: 'openai-compatible',
      LOOPWRIGHT_RESIDENT_BASE_URL: 'http://127.0.0.1:11434',
      LOOPWRIGHT_RESIDENT_ID: 'qwen2.5:3b',
    };
    expect(providerConfigFromEnv(env, { prefix: 'LOOPWRIGHT_RESIDENT' })).toEqual({
      backend: 'openai-compatible',
      baseURL: 'http://127.0.0.1:11434',
      model: 'qwen2.5:3b',
    });
  });

  it('reads replay and record configs', () => {
    expect(providerConfigFromEnv({ LOOPWRIGHT_MODEL_BACKEND: 'replay', LOOPWRIGHT_MODEL_CASSETTE: 'c.json' })).toEqual({
      backend: 'replay',
      mode: 'replay',
      cassettePath: 'c.json',
    });
    const record = providerConfigFromEnv({
      LOOPWRIGHT_MODEL_BACKEND: 'replay',
      LOOPWRIGHT_MODEL_CASSETTE: 'c.json',
      LOOPWRIGHT_MODEL_CASSETTE_MODE: 'record',
      LOOPWRIGHT_MODEL_RECORD_BACKEND: 'sim',
    });
    expect(record).toEqual({
      backend: 'replay',
      mode: 'record',
      cassettePath: 'c.json',
      inner: { backend: 'sim', workload: DEFAULT_WORKLOAD_PATH, tier: 'frontier' },
    });
  });

  it('refuses to guess: no backend, an unknown one, or a missing setting is an error naming the variable', () => {
    expect(() => providerConfigFromEnv({})).toThrow(/LOOPWRIGHT_MODEL_BACKEND is not set/);
    expect(providerConfigFromEnv({}, { defaultBackend: 'sim' })).toMatchObject({ backend: 'sim' });
    expect(() => providerConfigFromEnv({ LOOPWRIGHT_MODEL_BACKEND: 'gpt' })).toThrow(/LOOPWRIGHT_MODEL_BACKEND=gpt is not one of/);
    expect(() => providerConfigFromEnv({ LOOPWRIGHT_MODEL_BACKEND: 'openai-compatible' })).toThrow(/LOOPWRIGHT_MODEL_BASE_URL is not set/);
    expect(() => providerConfigFromEnv({ LOOPWRIGHT_MODEL_BACKEND: 'sim', LOOPWRIGHT_MODEL_SIM_TIER: 'mid' })).toThrow(/SIM_TIER=mid/);
    expect(() =>
      providerConfigFromEnv({ LOOPWRIGHT_MODEL_BACKEND: 'anthropic', LOOPWRIGHT_MODEL_PRICE: '3 dollars' }, { apiKey: 'k' }),
    ).toThrow(/LOOPWRIGHT_MODEL_PRICE must be JSON/);
  });
});

describe('createProvider', () => {
  it('builds each backend from its config', () => {
    expect(createProvider({ backend: 'anthropic', apiKey: 'k', model: 'claude-haiku-4-5' }).name).toBe('anthropic');
    expect(createProvider({ backend: 'openai-compatible', baseURL: 'http://127.0.0.1:1', model: 'm' }).name).toBe('openai-compatible');
    expect(createProvider({ backend: 'sim', workload: simWorkload() }).name).toBe('sim');
  });

  it('refuses an anthropic model without a price', () => {
    expect(() => createProvider({ backend: 'anthropic', apiKey: 'k', model: 'claude-next' })).toThrow(/no price for model "claude-next"/);
  });
});
