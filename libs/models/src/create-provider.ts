import { AnthropicProviderOptions, createAnthropicProvider } from './anthropic/anthropic-provider';
import { createOpenAICompatibleProvider, OpenAICompatibleProviderOptions } from './openai/openai-compatible-provider';
import type { ModelProvider } from './provider';
import { createReplayProvider } from './replay/replay-provider';
import { createSimProvider, SimProviderOptions } from './sim/sim-provider';
import { loadWorkload, WorkloadSpec } from './sim/workload';

export const BACKENDS = ['anthropic', 'openai-compatible', 'replay', 'sim'] as const;
export type Backend = (typeof BACKENDS)[number];

/** A backend that answers by itself, so it can sit inside a recording replay provider. */
export type DirectProviderConfig =
  | ({ backend: 'anthropic' } & AnthropicProviderOptions)
  | ({ backend: 'openai-compatible' } & OpenAICompatibleProviderOptions)
  | ({ backend: 'sim'; workload: WorkloadSpec | string } & Omit<SimProviderOptions, 'workload'>);

export type ProviderConfig =
  | DirectProviderConfig
  | { backend: 'replay'; mode: 'replay'; cassettePath: string }
  | { backend: 'replay'; mode: 'record'; cassettePath: string; inner: DirectProviderConfig | ModelProvider };

/** Builds the provider a config names. A sim `workload` may be a spec or the path of a YAML file. */
export function createProvider(config: ProviderConfig): ModelProvider {
  switch (config.backend) {
    case 'anthropic': {
      const { backend: _backend, ...options } = config;
      return createAnthropicProvider(options);
    }
    case 'openai-compatible': {
      const { backend: _backend, ...options } = config;
      return createOpenAICompatibleProvider(options);
    }
    case 'sim': {
      const { backend: _backend, workload, ...options } = config;
      return createSimProvider({ ...options, workload: typeof workload === 'string' ? loadWorkload(workload) : workload });
    }
    case 'replay':
      if (config.mode === 'replay') return createReplayProvider(config);
      return createReplayProvider({
        mode: 'record',
        cassettePath: config.cassettePath,
        inner: 'backend' in config.inner ? createProvider(config.inner) : config.inner,
      });
    default: {
      const unknownBackend: never = config;
      throw new TypeError(`unknown model backend ${JSON.stringify(unknownBackend)}`);
    }
  }
}
