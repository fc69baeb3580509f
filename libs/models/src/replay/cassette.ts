import { ValidationError } from '@loopwright/core';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

const UsageSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
});

const ModelCallShape = {
  usage: UsageSchema,
  costUsd: z.number(),
  model: z.string(),
  latencyMs: z.number(),
  simulated: z.boolean(),
};

const ContentBlockSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('tool_result'), tool_use_id: z.string(), content: z.string(), is_error: z.boolean().optional() }),
]);

export const CassetteEntrySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('answer'),
    purpose: z.string(),
    /** Validated again on replay against the request's schema. */
    result: z.object({ ...ModelCallShape, answer: z.unknown(), attempts: z.number().int().min(1) }),
  }),
  z.object({
    kind: z.literal('turn'),
    purpose: z.string(),
    result: z.object({
      ...ModelCallShape,
      content: z.array(ContentBlockSchema),
      stopReason: z.enum(['end_turn', 'tool_use', 'max_tokens']),
    }),
  }),
]);
export type CassetteEntry = z.infer<typeof CassetteEntrySchema>;

/** A cassette file: recorded responses keyed by the request's hash. */
export const CassetteSchema = z.object({
  version: z.literal(1),
  entries: z.record(z.string().regex(/^[0-9a-f]{64}$/), CassetteEntrySchema),
});
export type Cassette = z.infer<typeof CassetteSchema>;

export function emptyCassette(): Cassette {
  return { version: 1, entries: {} };
}

export function readCassette(path: string): Cassette {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ValidationError(`cassette ${path} cannot be read: ${(error as Error).message}`, [], { cause: error });
  }
  const parsed = CassetteSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
    throw new ValidationError(`cassette ${path} is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return parsed.data;
}

export function readCassetteIfExists(path: string): Cassette {
  return existsSync(path) ? readCassette(path) : emptyCassette();
}

/** Written to a temporary file and renamed, so a reader never sees half a cassette. Keys are sorted for stable diffs. */
export async function writeCassette(path: string, cassette: Cassette): Promise<void> {
  const sorted: Cassette = {
    version: 1,
    entries: Object.fromEntries(Object.keys(cassette.entries).sort().map((k) => [k, cassette.entries[k]])),
  };
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(sorted, null, 2)}\n`);
  await rename(temporary, path);
}
