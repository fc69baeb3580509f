import { GoalSubmitted } from '@loopwright/events';
import { DEFAULT_WORKLOAD_PATH } from '@loopwright/models';
import { checkModelEnv, modelBackends } from './model-backends';

const goal = (backend: 'sim' | 'local'): GoalSubmitted => GoalSubmitted.parse({
  goalId: 'g', title: 't', description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 'node t.js', budgetUsd: 1, backend,
});
const backends = (env: NodeJS.ProcessEnv) => modelBackends({ env, keyVariable: 'ANTHROPIC_API_KEY', defaultModel: 'claude-sonnet-4-6', workloadPath: DEFAULT_WORKLOAD_PATH });

describe('the models behind a goal, from one set of variables', () => {
  it('runs a simulated goal on the simulation at each tier, whatever the variables say', () => {
    const models = backends({ LOOPWRIGHT_MODEL_BACKEND: 'openai-compatible' });
    expect(models(goal('sim'), 'frontier').name).toBe('sim');
    expect(models(goal('sim'), 'resident')).not.toBe(models(goal('sim'), 'frontier'));
    expect(models(goal('sim'), 'resident')).toBe(models(goal('sim'), 'resident'));
  });

  it('runs the frontier on Anthropic with this service\'s own key by default, and says which variable to set without it', () => {
    expect(backends({ ANTHROPIC_API_KEY: 'sk-ant-test-key' })(goal('local'), 'frontier').name).toBe('anthropic');
    expect(() => backends({ GRADER_ANTHROPIC_API_KEY: 'someone-elses' })(goal('local'), 'frontier')).toThrow(/ANTHROPIC_API_KEY is not set/);
  });

  it('runs the resident on the model LOOPWRIGHT_RESIDENT_* names, and says what to set when none is configured', () => {
    const models = backends({ LOOPWRIGHT_RESIDENT_BACKEND: 'openai-compatible', LOOPWRIGHT_RESIDENT_BASE_URL: 'http://127.0.0.1:11434', LOOPWRIGHT_RESIDENT_ID: 'qwen2.5-coder:7b' });
    expect(models(goal('local'), 'resident').name).toBe('openai-compatible');
    expect(() => backends({})(goal('local'), 'resident')).toThrow(/set LOOPWRIGHT_RESIDENT_BACKEND/);
  });

  it('lets the frontier be any backend the variables name', () => {
    const models = backends({ LOOPWRIGHT_MODEL_BACKEND: 'openai-compatible', LOOPWRIGHT_MODEL_BASE_URL: 'http://127.0.0.1:8000', LOOPWRIGHT_MODEL_ID: 'big-local' });
    expect(models(goal('local'), 'frontier').name).toBe('openai-compatible');
  });

  it('refuses at start a configuration that cannot be built, naming the variable', () => {
    expect(() => checkModelEnv({ LOOPWRIGHT_RESIDENT_BACKEND: 'openai-compatible' })).toThrow(/LOOPWRIGHT_RESIDENT_BASE_URL is not set/);
    expect(() => checkModelEnv({ LOOPWRIGHT_RESIDENT_BACKEND: 'openai-compatible', LOOPWRIGHT_RESIDENT_BASE_URL: 'http://x', LOOPWRIGHT_RESIDENT_ID: 'm', LOOPWRIGHT_RESIDENT_PRICE: 'cheap' })).toThrow(/LOOPWRIGHT_RESIDENT_PRICE must be JSON/);
    expect(() => checkModelEnv({})).not.toThrow();
  });
});
