import { ValidationError } from '@loopwright/core';
import { createEvent } from '@loopwright/events';
import { refuseSecrets, secretPath, secretsFromEnv } from './secret-guard';

const KEY = 'sk-ant-0123456789abcdef';

describe('secretsFromEnv', () => {
  it('takes the values of keys, tokens, secrets and passwords, and the NATS password', () => {
    const env = {
      ANTHROPIC_API_KEY: KEY, GRADER_ANTHROPIC_API_KEY: 'grader-key-0123', GITHUB_TOKEN: 'ghp_abcdefgh', APP_SECRET: 'secret-value',
      LOOPWRIGHT_NATS_PASSWORD: 'nats-pass-1', LOOPWRIGHT_NATS_PASSWORD_GRADER: 'grader-nats-pw', PATH: '/usr/bin:/bin:/sbin', HOME: '/root/home',
    };
    expect(secretsFromEnv(env, ['connection-pw']).sort()).toEqual(
      [KEY, 'grader-key-0123', 'ghp_abcdefgh', 'secret-value', 'nats-pass-1', 'grader-nats-pw', 'connection-pw'].sort(),
    );
  });

  it('ignores values shorter than 8 characters, which would match ordinary text', () => {
    expect(secretsFromEnv({ SHORT_KEY: 'abc1234', DB_PASSWORD: '' }, ['pw', undefined])).toEqual([]);
  });
});

describe('secretPath', () => {
  it('names the JSON path of the first string holding a secret', () => {
    expect(secretPath({ data: { items: [{ evidence: 'fine' }, { evidence: `key was ${KEY}!` }] } }, [KEY])).toBe('data.items[1].evidence');
    expect(secretPath({ data: { output: 'nothing here' } }, [KEY])).toBeUndefined();
  });
});

describe('refuseSecrets', () => {
  const step = (input: string) => createEvent({
    type: 'trace.step', aggregateId: 'r1', producer: 'executor',
    data: { taskId: 'r1-engineer', iteration: 1, step: 0, kind: 'command', tool: 'run_command', input },
  });

  it('refuses an event carrying a secret with a validation error naming the type and the field, never the secret', () => {
    let error: unknown;
    try {
      refuseSecrets(step(`curl -H "x-api-key: ${KEY}"`), [KEY]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/trace\.step.*data\.input/);
    expect((error as ValidationError).issues).toEqual([{ path: 'data.input', message: expect.any(String) }]);
    expect(JSON.stringify(error) + (error as Error).message + String((error as Error).stack)).not.toContain(KEY);
  });

  it('lets an event without secrets through', () => {
    expect(() => refuseSecrets(step('ls'), [KEY])).not.toThrow();
  });
});
