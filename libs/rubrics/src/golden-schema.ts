import { z } from 'zod';
import { Claims, ProbeEvidenceRecord, Role, TraceStepKind, WorkProduced } from '@loopwright/events';

/** A trace step as written in a golden file: task, iteration and step number are filled in. */
export const GoldenStepSchema = z
  .object({
    /** v1 kinds (`model`, `tool` with a sandbox tool) are upcast; v2 kinds are taken as they are. */
    kind: z.union([z.enum(['model', 'tool']), TraceStepKind]).default('tool'),
    tool: z.string().optional(),
    input: z.string().default(''),
    output: z.string().default(''),
    exitCode: z.number().int().nullable().optional(),
    refused: z.string().optional(),
    path: z.string().optional(),
    editedBy: z.enum(['tool', 'shell']).optional(),
  })
  .strict();

/** A workspace file: its path, and its content when the checks read it (an artifact, a source file). */
export const GoldenFileSchema = z.union([
  z.string().min(1).transform((path) => ({ path, content: '' })),
  z.object({ path: z.string().min(1), content: z.string().default('') }).strict(),
  // An artifact written as YAML in the golden file, stored as the JSON the role would write.
  z.object({ path: z.string().min(1), json: z.unknown() }).strict().transform(({ path, json }) => ({ path, content: JSON.stringify(json, null, 1) })),
]);

export const GoldenWorkSchema = z
  .object({
    files: z.array(GoldenFileSchema).default([]),
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
    /** The role whose work it is (the rubric's first role when absent) and the goal's pipeline. */
    role: Role.optional(),
    pipeline: z.array(Role).optional(),
    /** The goal's text: probe plans quote it (`source: goal`). */
    goal: z.string().default('Implement sum(a, b) in src/sum.js: return a + b for numbers, throw a TypeError otherwise.'),
    labels: z.record(z.string(), z.string()).default({}),
    trace: z.array(GoldenStepSchema).default([]),
    /** The workspace the role started from (the previous role's hand-on); empty: the goal's seed. */
    base: z.array(GoldenFileSchema).default([]),
    work: GoldenWorkSchema,
    rerun: z.object({ exitCode: z.number().int().nullable(), output: z.string().default('') }).strict().nullable().default(null),
    /** The tester's probes as the grader would have run them. */
    probes: z.array(ProbeEvidenceRecord).default([]),
    /** For a deployer: the release gate the tester's accepted work got (absent: none was recorded). */
    upstreamGate: z.enum(['pass', 'fail']).optional(),
    /** Hand labels for every item that applies and has no built-in check. */
    judge: z.record(z.string(), JudgeLabelSchema).default({}),
    expect: z
      .object({
        /** Every gate's verdict: the gates a known-bad must fail, and that the rest pass. */
        gates: z.record(z.string(), z.boolean()),
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
