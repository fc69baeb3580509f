import type { FeatureVector } from '@loopwright/checks';
import type { Predicate } from '@loopwright/events';

/** What the sim agent reads on every turn; it keeps no state between calls. */
export interface SimAgentContext {
  seed: string | number;
  taskId: string;
  /** 1 for the first draft, n for the (n-1)th revision. */
  iteration: number;
  goal: { id: string; testCommand: string; allowedPaths: string[]; maxTurns: number };
  /** The grader's feedback for this iteration: empty on the first. */
  feedback: string[];
}

/** The truth a sim judge's verdict is computed from, before noise. */
export type SimTruth =
  | { kind: 'gate'; pass: Predicate }
  | { kind: 'dimension'; high: Predicate; highScore: number; lowScore: number };

/** What the sim judge reads: the decision's features and the truth for its rubric item. */
export interface SimJudgeContext {
  seed: string | number;
  /** Seeds the noise and garbage draws: the same decision always gets the same verdict. */
  decisionId: string;
  /** The rubric item, e.g. `claims_match_evidence`. */
  item: string;
  features: FeatureVector;
  truth: SimTruth;
}
