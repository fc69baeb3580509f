import type Anthropic from '@anthropic-ai/sdk';
import type { z } from 'zod';
import { answerJsonSchema } from '../structured/answer-json-schema';

export const ANSWER_TOOL_NAME = 'answer';

/**
 * The answer as a forced call of a single tool: the model fills the tool's input, so the API
 * returns JSON rather than prose. Tool inputs must be objects, so any other schema is wrapped
 * as `{ answer: … }` and unwrapped on the way back.
 */
export function answerTool(schema: z.ZodType): {
  tool: Anthropic.Messages.Tool;
  unwrap: (input: unknown) => unknown;
} {
  const jsonSchema = answerJsonSchema(schema);
  const isObject = jsonSchema.type === 'object';
  const inputSchema = isObject
    ? jsonSchema
    : { type: 'object', properties: { answer: jsonSchema }, required: ['answer'], additionalProperties: false };
  return {
    tool: {
      name: ANSWER_TOOL_NAME,
      description: 'Give your answer. The input is the answer itself and must match this schema exactly.',
      input_schema: inputSchema as Anthropic.Messages.Tool.InputSchema,
    },
    unwrap: (input) =>
      !isObject && typeof input === 'object' && input !== null && 'answer' in input
        ? (input as { answer: unknown }).answer
        : input,
  };
}
