import { z } from 'zod';
import { Claims, ToolName, WorkProduced } from '@loopwright/events';

/** A trace step as written in a golden file: task, iteration and step number are filled in. */
export const GoldenStepSchema = z
  .object({
    /** Golden files are written in the trace.step v1 shape: they are upcast before the features are computed. */
    kind: z.enum(['model', 'tool', 'message', 'question']).default('tool'),
    tool: ToolName.optional(),
    input: z.string().default(''),
    output: z.string().default(''),
    exitCode: z.number().int().nullable().optional(),
    refused: z.string().optional(),
  })
  .strict();

export const GoldenWorkSchema = z
  .object({
    files: z.array(z.string()).default([]),
    /** When absent, the claims are read from the final message with `extractClaims`. */
    claims: Claims.optional(),
    finalMessage: z.string(),
    testCommand: z.string().min(1),
    allowedPaths: z.array(z.string().min(1)).min(1),
    endedBy: WorkProduced.shape.endedBy.default('finished'),
    turnsUsed: z.number().int().min(0),
    maxTurns: z.number().int().min(1),
  })
  .strict();

/** A hand label: pass | fail for a gate, a score 1..5 for a dimension. */
export const JudgeLabelSchema = z.union([z.enum(['pass', 'fail']), z.number().int().min(1).max(5)]);

const Unit = z.number().min(0).max(1);

export const GoldenExampleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and "-"'),
    label: z.enum(['known-good', 'known-bad']),
    /** Why the example is good or bad, for the person who reads a failure. */
    note: z.string().trim().min(1),
    trace: z.array(GoldenStepSchema).default([]),
    work: GoldenWorkSchema,
    rerun: z.object({ exitCode: z.number().int().nullable(), output: z.string().default('') }).strict().nullable().default(null),
    /** Hand labels for every item that has no built-in check. */
    judge: z.record(z.string(), JudgeLabelSchema).default({}),
    expect: z
      .object({
        gates: z.record(z.string(), z.boolean()).default({}),
        overall: z.tuple([Unit, Unit]).refine(([min, max]) => min <= max, 'must be [min, max] with min <= max'),
        passed: z.boolean(),
      })
      .strict(),
  })
  .strict();

/** A rubric's golden set, kept beside it as `<name>.golden.yaml`. */
export const GoldenSetSchema = z
  .object({
    rubric: z.string().min(1),
    examples: z.array(GoldenExampleSchema).min(1),
  })
  .strict();

export type GoldenStep = z.output<typeof GoldenStepSchema>;
export type GoldenWork = z.output<typeof GoldenWorkSchema>;
export type JudgeLabel = z.output<typeof JudgeLabelSchema>;
export type GoldenExample = z.output<typeof GoldenExampleSchema>;
export type GoldenSet = z.output<typeof GoldenSetSchema>;
