import type { z } from 'zod';
import { combineCalls } from '../model-call';
import type { AnswerRequest, AnswerResult, ModelCall } from '../provider';
import { AnswerIssue, UnusableAnswerError } from '../unusable-answer-error';
import { parseJsonText } from './json-text';

/** What a provider got back: structured input (a forced tool call) or text that should hold JSON. */
export type RawAnswer = { kind: 'json'; value: unknown } | { kind: 'text'; text: string };

export interface AttemptOutput {
  raw: RawAnswer;
  call: ModelCall;
}

/** One call to the model with the prompt to send; `attempt` is 1, or 2 for the retry. */
export type AnswerAttempt = (prompt: string, attempt: 1 | 2) => Promise<AttemptOutput>;

const MAX_ECHOED_ANSWER = 2_000;

/**
 * The contract every provider's `answer()` keeps: validate against the schema; on invalid JSON or
 * a schema mismatch ask once more with the issues appended to the prompt; then give up with
 * UnusableAnswerError. An unvalidated answer is never returned.
 */
export async function answerWithValidation<T>(
  req: Pick<AnswerRequest<T>, 'purpose' | 'prompt' | 'schema'>,
  attempt: AnswerAttempt,
): Promise<AnswerResult<T>> {
  const first = await attempt(req.prompt, 1);
  const firstCheck = checkAnswer(first.raw, req.schema);
  if (firstCheck.ok) return { ...combineCalls([first.call]), answer: firstCheck.value, attempts: 1 };

  const second = await attempt(retryPrompt(req.prompt, firstCheck.rawText, firstCheck.issues), 2);
  const spent = combineCalls([first.call, second.call]);
  const secondCheck = checkAnswer(second.raw, req.schema);
  if (secondCheck.ok) return { ...spent, answer: secondCheck.value, attempts: 2 };

  throw new UnusableAnswerError(req.purpose, [firstCheck.rawText, secondCheck.rawText], secondCheck.issues, spent);
}

type Check<T> = { ok: true; value: T } | { ok: false; rawText: string; issues: AnswerIssue[] };

export function checkAnswer<T>(raw: RawAnswer, schema: z.ZodType<T>): Check<T> {
  const rawText = raw.kind === 'text' ? raw.text : JSON.stringify(raw.value);
  let value: unknown;
  if (raw.kind === 'json') {
    value = raw.value;
  } else {
    const parsed = parseJsonText(raw.text);
    if (!parsed.ok) return { ok: false, rawText, issues: [{ path: '(root)', message: parsed.error }] };
    value = parsed.value;
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  return { ok: false, rawText, issues };
}

function retryPrompt(prompt: string, rawText: string, issues: readonly AnswerIssue[]): string {
  const echoed = rawText.length > MAX_ECHOED_ANSWER ? `${rawText.slice(0, MAX_ECHOED_ANSWER)}…` : rawText;
  return [
    prompt,
    '',
    'Your previous answer was rejected because it does not match the required JSON schema:',
    ...issues.map((i) => `- ${i.path}: ${i.message}`),
    `Previous answer: ${echoed}`,
    'Answer again with JSON that matches the schema exactly.',
  ].join('\n');
}
