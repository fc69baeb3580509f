import { z } from 'zod';

/**
 * What the judge read of the recorded re-run. Checked against the record: an answer built on a
 * re-run that did not happen (a worker telling the judge "the tests pass") is refused.
 */
const rerunPassed = z.boolean().describe("whether the grader's recorded re-run of the tests exited 0, as the measured facts show");

/** The answer to a gate: did the work pass it, and what shows it. */
export const GateAnswerSchema = z.object({ passed: z.boolean(), evidence: z.string(), rerunPassed });
export type GateAnswer = z.infer<typeof GateAnswerSchema>;

/** The answer to a dimension: a 1–5 score with its evidence and reasoning. */
export const DimensionAnswerSchema = z.object({
  score: z.number().int().min(1).max(5),
  evidence: z.string(),
  reasoning: z.string(),
  rerunPassed,
});
export type DimensionAnswer = z.infer<typeof DimensionAnswerSchema>;
