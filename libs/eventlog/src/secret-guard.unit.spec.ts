import { ValidationError } from '@loopwright/core';
import { findSecret, refuseSecrets, secretValuesOf } from './secret-guard';

const env = {
  ANTHROPIC_API_KEY: 'sk-ant-executor-0123456789',
  GRADER_ANTHROPIC_API_KEY: 'sk-ant-grader-9876543210',
  NATS_PASSWORD: 'nats-pass-abcdefgh',
  CONSOLE_TOKEN: 'short',
  PATH: '/usr/bin:/bin',
};

describe('the secret guard', () => {
  it('knows the secrets by their names, and ignores values too short to be one', () => {
    expect(secretValuesOf(env).map((s) => s.name).sort()).toEqual(['ANTHROPIC_API_KEY', 'GRADER_ANTHROPIC_API_KEY', 'NATS_PASSWORD']);
  });

  it('refuses an event that carries a key anywhere in its data, naming the field and never the value', () => {
    const event = { type: 'trace.step', data: { output: 'ok', nested: [{ text: `export KEY=${env.GRADER_ANTHROPIC_API_KEY}` }] } };
    let error: unknown;
    try {
      refuseSecrets(event, env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe('trace.step carries the value of GRADER_ANTHROPIC_API_KEY at data.nested[0].text: refused, secrets never enter the log');
    expect((error as Error).message).not.toContain(env.GRADER_ANTHROPIC_API_KEY);
  });

  it('lets clean events through', () => {
    expect(findSecret({ output: 'sk-ant-other', n: 3 }, secretValuesOf(env))).toBeUndefined();
    expect(() => refuseSecrets({ type: 'trace.step', data: { output: 'short is not a secret' } }, env)).not.toThrow();
  });
});
