import { z } from 'zod';
import type { ModelCall } from '../provider';
import { UnusableAnswerError } from '../unusable-answer-error';
import { parseJsonText } from './json-text';
import { answerWithValidation, RawAnswer } from './validated-answer';

const call = (costUsd: number): ModelCall => ({
  usage: { inputTokens: 10, outputTokens: 2, cacheReadTokens: 1, cacheWriteTokens: 0 },
  costUsd,
  model: 'm',
  latencyMs: 5,
  simulated: false,
});

function scripted(answers: RawAnswer[]) {
  const prompts: string[] = [];
  return {
    prompts,
    attempt: async (prompt: string) => {
      prompts.push(prompt);
      return { raw: answers[prompts.length - 1], call: call(0.01) };
    },
  };
}

const req = { purpose: 'p', prompt: 'Grade this.', schema: z.object({ passed: z.boolean() }) };

describe('answerWithValidation', () => {
  it('returns the first valid answer after one call', async () => {
    const s = scripted([{ kind: 'json', value: { passed: true } }]);
    const result = await answerWithValidation(req, s.attempt);
    expect(result).toMatchObject({ answer: { passed: true }, attempts: 1, costUsd: 0.01 });
    expect(s.prompts).toEqual(['Grade this.']);
  });

  it('retries once with the issues and adds up both calls', async () => {
    const s = scripted([{ kind: 'text', text: 'sure' }, { kind: 'text', text: '{"passed": false}' }]);
    const result = await answerWithValidation(req, s.attempt);
    expect(result).toMatchObject({ answer: { passed: false }, attempts: 2, costUsd: 0.02, latencyMs: 10 });
    expect(result.usage).toEqual({ inputTokens: 20, outputTokens: 4, cacheReadTokens: 2, cacheWriteTokens: 0 });
    expect(s.prompts[1]).toContain('(root): the answer is not JSON');
    expect(s.prompts[1]).toContain('Previous answer: sure');
  });

  it('never makes a third call and never returns an unvalidated answer', async () => {
    const s = scripted([{ kind: 'json', value: { passed: 1 } }, { kind: 'json', value: { passed: 'no' } }, { kind: 'json', value: { passed: true } }]);
    const error = (await answerWithValidation(req, s.attempt).catch((e: unknown) => e)) as UnusableAnswerError;
    expect(error).toBeInstanceOf(UnusableAnswerError);
    expect(error.issues).toEqual([{ path: 'passed', message: expect.any(String) }]);
    expect(error.spent.costUsd).toBeCloseTo(0.02);
    expect(s.prompts).toHaveLength(2);
  });
});

describe('parseJsonText', () => {
  it.each([
    ['{"a": 1}', { a: 1 }],
    ['```json\n{"a": 2}\n```', { a: 2 }],
    ['Here you go: {"a": 3} — done', { a: 3 }],
    ['[1, 2]', [1, 2]],
  ])('reads %j', (text, value) => {
    expect(parseJsonText(text)).toEqual({ ok: true, value });
  });

  it('says why when there is no JSON', () => {
    expect(parseJsonText('  ')).toEqual({ ok: false, error: 'the answer is empty' });
    expect(parseJsonText('{"a": tr')).toEqual({ ok: false, error: 'the answer is not JSON' });
  });
});
