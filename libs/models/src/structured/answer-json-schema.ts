import { z } from 'zod';

/** The JSON schema of what the model must produce: the schema's input side, without the `$schema` tag. */
export function answerJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _tag, ...jsonSchema } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return jsonSchema;
}
