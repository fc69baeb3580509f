import { UpstreamModelError } from '@loopwright/core';
import type { ModelCall } from './provider';

export interface AnswerIssue {
  path: string;
  message: string;
}

/**
 * The model answered twice and neither answer was valid JSON matching the schema. Not retryable:
 * the caller escalates (another tier, a human) instead of asking the same model a third time.
 */
export class UnusableAnswerError extends UpstreamModelError {
  constructor(
    readonly purpose: string,
    /** Each attempt's answer as received (text, or the tool input as JSON). */
    readonly rawAnswers: readonly string[],
    /** What was wrong with the last answer. */
    readonly issues: readonly AnswerIssue[],
    /** What the rejected attempts cost: budgets still pay for them. */
    readonly spent: ModelCall,
  ) {
    super(
      `${purpose}: unusable answer after ${rawAnswers.length} attempts: ` +
        issues.map((i) => `${i.path}: ${i.message}`).join('; '),
      false,
    );
  }
}
