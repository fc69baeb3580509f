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
  /** Precision and recall about the minority verdict mean nothing on fewer of its examples: the candidate waits for more. */
  minMinorityExamples: number;
}

export const DEFAULT_VALIDATION_THRESHOLDS: ValidationThresholds = {
  trainShare: 0.7,
  minPrecision: 0.95,
  minRecall: 0.8,
  minAccuracy: 0.95,
  minTestExamples: 30,
  minMinorityExamples: 5,
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
    /** Resident models only: the share of the test part it answers by itself, and how often those answers agree. */
    coverage?: number;
    confidentAccuracy?: number;
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

/** What a resident must reach besides a rule's bar. */
export interface ResidentThresholds extends ValidationThresholds {
  /** Expected calibration error on the test part, at most. */
  maxCalibrationError: number;
  /** Agreement with the frontier of the answers it gives by itself (at or above its threshold), on the test part. */
  minConfidentAccuracy: number;
  /** The share of the test part it answers by itself: a model that escalates nearly everything is not worth a rule. */
  minCoverage: number;
}

/**
 * Validates a resident classifier on the same split as a rule (train it on the train part only).
 * It answers by itself only at or above its calibrated threshold and escalates the rest to the
 * frontier, so it is judged as it will run: no golden example may change among the answers it
 * gives; on the test part its own answers must agree with the frontier at least
 * `minConfidentAccuracy` of the time over at least `minCoverage` of the decisions; the verdicts
 * the key ends up with (its answers, the frontier's where it escalates) must reach the rule's
 * precision, recall and accuracy bar; and its calibration error must stay within bounds.
 */
export function validateResident(input: {
  model: ResidentModel;
  golden: readonly GoldenExample[];
  history: readonly HistoryExample[];
  thresholds: ResidentThresholds;
  /** When it may answer by itself (default: always, any verdict); otherwise it escalates. */
  policy?: ResidentPolicy;
}): ValidationResult {
  const { model, golden, history, thresholds } = input;
  const answers = (e: { features: FeatureVector; texts?: readonly string[] }) => residentAnswer(model, e.features, e.texts, input.policy);
  const changed = golden
    .map((g) => ({ g, p: predict(model, g.features, g.texts) }))
    .filter(({ g, p }) => answers(g) !== undefined && !(g.accepts ? g.accepts(p.verdict) : p.verdict === g.expectedVerdict));
  const goldenFigures = { checked: golden.length, changed: changed.map(({ g }) => g.exampleId) };
  if (changed.length > 0) {
    return goldenRejection('model', changed.map(({ g, p }) => `${g.label} ${g.exampleId} (expected '${g.expectedVerdict}', model says '${p.verdict}' at ${round(p.confidence)})`), goldenFigures.changed);
  }

  const { train, test, lastTrainSeq } = timeOrderedSplit(history, thresholds.trainShare);
  const short = shortTestPart(test, history, thresholds);
  if (short) return short;
  const few = tooFewMinority(test, model.positiveVerdict, thresholds);
  if (few) return { ok: false, reason: few, failedExamples: [] };
  const calibrationError = evaluateResident(model, test).calibrationError;
  const own = test.map(answers);
  const answered = own.filter((v) => v !== undefined).length;
  const agreed = own.filter((v, i) => v !== undefined && v === test[i].verdict).length;
  const figures = { calibrationError, coverage: answered / test.length, confidentAccuracy: answered === 0 ? 1 : agreed / answered };
  const asRun = own.map((v, i) => v ?? test[i].verdict);
  const system = verdictFigures(asRun, test.map((e) => e.verdict), model.positiveVerdict);
  const result: ValidationFigures = {
    golden: goldenFigures,
    history: {
      precision: system.precision,
      recall: system.recall,
      accuracy: system.accuracy,
      n: test.length,
      trainN: train.length,
      lastTrainSeq,
      minorityVerdict: model.positiveVerdict,
      calibrationError: figures.calibrationError,
      coverage: figures.coverage,
      confidentAccuracy: figures.confidentAccuracy,
    },
  };
  const shortfalls = [
    figures.coverage < thresholds.minCoverage ? `answers ${round(figures.coverage)} of the decisions by itself < ${thresholds.minCoverage}` : null,
    figures.confidentAccuracy < thresholds.minConfidentAccuracy
      ? `its own answers agree ${round(figures.confidentAccuracy)} < ${thresholds.minConfidentAccuracy}`
      : null,
    system.precision < thresholds.minPrecision ? `precision ${round(system.precision)} < ${thresholds.minPrecision}` : null,
    system.recall < thresholds.minRecall ? `recall ${round(system.recall)} < ${thresholds.minRecall}` : null,
    system.accuracy < thresholds.minAccuracy ? `accuracy ${round(system.accuracy)} < ${thresholds.minAccuracy}` : null,
    figures.calibrationError > thresholds.maxCalibrationError ? `calibration error ${round(figures.calibrationError)} > ${thresholds.maxCalibrationError}` : null,
  ].filter((x): x is string => x !== null);
  if (shortfalls.length > 0) {
    return {
      ok: false,
      reason: `on the ${test.length} decisions after seq ${lastTrainSeq} (threshold ${round(model.confidenceThreshold)}): ${shortfalls.join(', ')}`,
      failedExamples: [],
      figures: result,
    };
  }
  return { ok: true, figures: result };
}

/**
 * When a key's resident may answer by itself: only with some verdicts (an editor may approve, never
 * patch), and only when a feature holds (an editor never approves a draft the lint threw out).
 */
export interface ResidentPolicy {
  answers?: readonly string[];
  requires?: { feature: string; eq: boolean | number | string };
}

/** The verdict a resident gives by itself for a request, or undefined when it escalates (not confident, or its policy says no). */
export function residentAnswer(model: ResidentModel, features: FeatureVector, texts?: readonly string[], policy: ResidentPolicy = {}): string | undefined {
  if (policy.requires && features[policy.requires.feature] !== policy.requires.eq) return undefined;
  const p = predict(model, features, texts);
  return p.confident && (!policy.answers || policy.answers.includes(p.verdict)) ? p.verdict : undefined;
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
    return goldenRejection(what, changed.map(({ g, verdict }) => `${g.label} ${g.exampleId} (expected '${g.expectedVerdict}', ${what} says '${verdict}')`), goldenFigures.changed);
  }

  const { train, test, lastTrainSeq } = timeOrderedSplit(history, thresholds.trainShare);
  const short = shortTestPart(test, history, thresholds);
  if (short) return short;
  const minorityVerdict = input.minorityVerdict ?? verdictPair(train.map((e) => e.verdict))?.minority ?? verdictPair(test.map((e) => e.verdict))!.minority;
  const few = tooFewMinority(test, minorityVerdict, thresholds);
  if (few) return { ok: false, reason: few, failedExamples: [] };
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

function goldenRejection(what: 'rule' | 'model', named: readonly string[], failedExamples: string[]): ValidationResult {
  const n = named.length;
  return { ok: false, reason: `the ${what} would change ${n} golden verdict${n === 1 ? '' : 's'}: ${named.join('; ')}`, failedExamples };
}

function shortTestPart(test: readonly HistoryExample[], history: readonly HistoryExample[], thresholds: ValidationThresholds): ValidationResult | undefined {
  if (test.length >= thresholds.minTestExamples) return undefined;
  const reason = `the test part has ${test.length} examples (the last ${percent(1 - thresholds.trainShare)} of ${history.length}); validation needs at least ${thresholds.minTestExamples}`;
  return { ok: false, reason, failedExamples: [] };
}

function tooFewMinority(test: readonly HistoryExample[], minority: string, thresholds: ValidationThresholds): string | undefined {
  const n = test.filter((e) => e.verdict === minority).length;
  return n < thresholds.minMinorityExamples
    ? `the test part has ${n} '${minority}' verdicts; precision and recall about it need at least ${thresholds.minMinorityExamples}`
    : undefined;
}

function round(x: number): string {
  return x.toFixed(3);
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
