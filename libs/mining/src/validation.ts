import type { FeatureVector } from '@loopwright/checks';
import { BinaryRule, ruleVerdict } from './binary-rule';
import { HistoryExample, timeOrderedSplit } from './history';
import { evaluateResident, predict, ResidentModel } from './resident-classifier';
import { RuleSearchOptions, RuleSearchOutcome, searchRule } from './rule-search';
import { verdictFigures, verdictPair } from './verdict-metrics';

/** A hand-labeled example for one decision key, with the verdict it must keep. */
export interface GoldenExample {
  exampleId: string;
  label: 'known-good' | 'known-bad';
  features: FeatureVector;
  /** 'pass' | 'fail' for a gate, a score such as '4' for a dimension. */
  expectedVerdict: string;
  texts?: readonly string[];
  /**
   * Whether a verdict leaves the example's own verdict (its rubric passing or failing) unchanged.
   * Without it, only the expected verdict itself is accepted.
   */
  accepts?: (verdict: string) => boolean;
}

/** What a candidate must reach on the held-out, later part of the history. */
export interface ValidationThresholds {
  /** The share of the history (earliest first) the search may see; the rest is the test part. */
  trainShare: number;
  minPrecision: number;
  minRecall: number;
  minAccuracy: number;
  /** A smaller test part proves nothing: the candidate is rejected. */
  minTestExamples: number;
}

export const DEFAULT_VALIDATION_THRESHOLDS: ValidationThresholds = {
  trainShare: 0.7,
  minPrecision: 0.95,
  minRecall: 0.8,
  minAccuracy: 0.95,
  minTestExamples: 30,
};

/** The figures a validation is decided on; `golden` and `history` are the shape of `rule.validated`. */
export interface ValidationFigures {
  golden: { checked: number; changed: string[] };
  history: {
    /** About the minority verdict, on the test part. */
    precision: number;
    recall: number;
    accuracy: number;
    /** Examples in the test part. */
    n: number;
    trainN: number;
    /** Everything after this sequence is test. */
    lastTrainSeq: number;
    minorityVerdict: string;
    /** Resident models only: expected calibration error on the test part. */
    calibrationError?: number;
  };
}

/** Whether a candidate may go on, and if not, why, naming the golden examples it would change. */
export type ValidationResult =
  | { ok: true; figures: ValidationFigures }
  | { ok: false; reason: string; failedExamples: string[]; figures?: ValidationFigures };

/** A rule to validate; the minority verdict defaults to the rarer verdict of the train part. */
export type ValidationCandidate = BinaryRule & { minorityVerdict?: string };

/**
 * Validates a deterministic rule for one key: every golden example must keep its expected
 * verdict (one known-good it would fail, or known-bad it would pass, rejects the rule, naming
 * it), then on the test part of the time-ordered split of `history` (the last
 * `1 - trainShare` by sequence, which `searchAndValidate` never lets the search see) the rule
 * must reach the precision, recall and accuracy thresholds.
 */
export function validateCandidate(input: {
  candidate: ValidationCandidate;
  golden: readonly GoldenExample[];
  history: readonly HistoryExample[];
  thresholds: ValidationThresholds;
}): ValidationResult {
  const { candidate, golden, history, thresholds } = input;
  return validateDecider({
    decide: (features) => ruleVerdict(candidate, features),
    what: 'rule',
    minorityVerdict: candidate.minorityVerdict,
    golden,
    history,
    thresholds,
  });
}

/**
 * Validates a resident classifier the same way, on the same split (train it on the train part
 * only), and also requires its expected calibration error on the test part to be at most
 * `maxCalibrationError`.
 */
export function validateResident(input: {
  model: ResidentModel;
  golden: readonly GoldenExample[];
  history: readonly HistoryExample[];
  thresholds: ValidationThresholds & { maxCalibrationError: number };
}): ValidationResult {
  const { model, golden, history, thresholds } = input;
  const result = validateDecider({
    decide: (features, texts) => predict(model, features, texts).verdict,
    what: 'model',
    minorityVerdict: model.positiveVerdict,
    golden,
    history,
    thresholds,
  });
  if (!result.figures) return result;
  const { test } = timeOrderedSplit(history, thresholds.trainShare);
  const calibrationError = evaluateResident(model, test).calibrationError;
  const figures = { ...result.figures, history: { ...result.figures.history, calibrationError } };
  if (calibrationError > thresholds.maxCalibrationError) {
    const reason = `${result.ok ? '' : `${result.reason}; `}calibration error ${round(calibrationError)} > ${thresholds.maxCalibrationError}`;
    return { ok: false, reason, failedExamples: [], figures };
  }
  return result.ok ? { ok: true, figures } : { ...result, figures };
}

/** The outcome of searching the train part and validating on the test part. */
export interface SearchAndValidateResult {
  split: { trainN: number; testN: number; lastTrainSeq: number };
  search: RuleSearchOutcome;
  /** Null when the search found nothing. */
  validation: ValidationResult | null;
}

/**
 * Splits the history in time, searches a rule on the train part only, and validates it against
 * the golden examples and the test part: the one way the miner proposes a rule.
 */
export function searchAndValidate(input: {
  history: readonly HistoryExample[];
  golden: readonly GoldenExample[];
  thresholds: ValidationThresholds;
  search?: Partial<RuleSearchOptions>;
}): SearchAndValidateResult {
  const { train, test, lastTrainSeq } = timeOrderedSplit(input.history, input.thresholds.trainShare);
  const search = searchRule(train, input.search);
  const split = { trainN: train.length, testN: test.length, lastTrainSeq };
  if (!search.found) return { split, search, validation: null };
  const validation = validateCandidate({ candidate: search.candidate, golden: input.golden, history: input.history, thresholds: input.thresholds });
  return { split, search, validation };
}

/** Where a candidate stands in its shadow phase, from the share of shadow checks it agreed on. */
export type ShadowVerdict = 'pending' | 'pass' | 'fail';

/** 'pending' until `minN` checks, then 'pass' when agreements / n reaches `threshold`, else 'fail'. */
export function shadowVerdict(input: { agreements: number; n: number; threshold: number; minN: number }): ShadowVerdict {
  const { agreements, n, threshold, minN } = input;
  if (n < Math.max(1, minN)) return 'pending';
  return agreements / n >= threshold ? 'pass' : 'fail';
}

function validateDecider(input: {
  decide: (features: FeatureVector, texts?: readonly string[]) => string;
  what: 'rule' | 'model';
  minorityVerdict?: string;
  golden: readonly GoldenExample[];
  history: readonly HistoryExample[];
  thresholds: ValidationThresholds;
}): ValidationResult {
  const { decide, what, golden, history, thresholds } = input;
  const changed = golden
    .map((g) => ({ g, verdict: decide(g.features, g.texts) }))
    .filter(({ g, verdict }) => !(g.accepts ? g.accepts(verdict) : verdict === g.expectedVerdict));
  const goldenFigures = { checked: golden.length, changed: changed.map(({ g }) => g.exampleId) };
  if (changed.length > 0) {
    const named = changed.map(({ g, verdict }) => `${g.label} ${g.exampleId} (expected '${g.expectedVerdict}', ${what} says '${verdict}')`);
    return {
      ok: false,
      reason: `the ${what} would change ${changed.length} golden verdict${changed.length === 1 ? '' : 's'}: ${named.join('; ')}`,
      failedExamples: goldenFigures.changed,
    };
  }

  const { train, test, lastTrainSeq } = timeOrderedSplit(history, thresholds.trainShare);
  if (test.length < thresholds.minTestExamples) {
    return {
      ok: false,
      reason: `the test part has ${test.length} examples (the last ${percent(1 - thresholds.trainShare)} of ${history.length}); validation needs at least ${thresholds.minTestExamples}`,
      failedExamples: [],
    };
  }
  const minorityVerdict = input.minorityVerdict ?? verdictPair(train.map((e) => e.verdict))?.minority ?? verdictPair(test.map((e) => e.verdict))!.minority;
  const figures = verdictFigures(test.map((e) => decide(e.features, e.texts)), test.map((e) => e.verdict), minorityVerdict);
  const result: ValidationFigures = {
    golden: goldenFigures,
    history: {
      precision: figures.precision,
      recall: figures.recall,
      accuracy: figures.accuracy,
      n: test.length,
      trainN: train.length,
      lastTrainSeq,
      minorityVerdict,
    },
  };
  const shortfalls = [
    figures.precision < thresholds.minPrecision ? `precision ${round(figures.precision)} < ${thresholds.minPrecision}` : null,
    figures.recall < thresholds.minRecall ? `recall ${round(figures.recall)} < ${thresholds.minRecall}` : null,
    figures.accuracy < thresholds.minAccuracy ? `accuracy ${round(figures.accuracy)} < ${thresholds.minAccuracy}` : null,
  ].filter((s): s is string => s !== null);
  if (shortfalls.length > 0) {
    return {
      ok: false,
      reason: `on the ${test.length} decisions after seq ${lastTrainSeq} (about '${minorityVerdict}'): ${shortfalls.join(', ')}`,
      failedExamples: [],
      figures: result,
    };
  }
  return { ok: true, figures: result };
}

function round(x: number): string {
  return x.toFixed(3);
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
