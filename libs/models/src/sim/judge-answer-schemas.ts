import { z } from 'zod';

/** The answer to a gate: did the work pass it, and what shows it. */
export const GateAnswerSchema = z.object({ passed: z.boolean(), evidence: z.string() });
export type GateAnswer = z.infer<typeof GateAnswerSchema>;

/** The answer to a dimension: a 1–5 score with its evidence and reasoning. */
export const DimensionAnswerSchema = z.object({
  score: z.number().int().min(1).max(5),
  evidence: z.string(),
  reasoning: z.string(),
});
export type DimensionAnswer = z.infer<typeof DimensionAnswerSchema>;
