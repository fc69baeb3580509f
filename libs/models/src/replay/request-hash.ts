import { createHash } from 'node:crypto';
import type { AnswerRequest, TurnRequest } from '../provider';
import { answerJsonSchema } from '../structured/answer-json-schema';
import { canonicalJson } from './canonical-json';

/**
 * The cassette key of a request: what the model is shown. `maxTokens` and the sim-only context are
 * left out, so a recording stays valid when they change.
 */
export function answerRequestHash(req: AnswerRequest<unknown>): string {
  return sha256(
    canonicalJson({ kind: 'answer', purpose: req.purpose, system: req.system, prompt: req.prompt, schema: answerJsonSchema(req.schema) }),
  );
}

export function turnRequestHash(req: TurnRequest): string {
  return sha256(canonicalJson({ kind: 'turn', purpose: req.purpose, system: req.system, messages: req.messages, tools: req.tools }));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
