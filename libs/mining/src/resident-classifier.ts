import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '@loopwright/core';
import type { FeatureVector } from '@loopwright/checks';
import { expectedCalibrationError, fitPlatt, IDENTITY_SCALING, sigmoid } from './calibration';
import { confidenceThreshold } from './confidence-threshold';
import { bucketOf, tokens } from './feature-hashing';
import { bySeq, HistoryExample } from './history';
import { seededRandom } from './seeded-random';
import { VerdictFigures, verdictFigures, verdictPair } from './verdict-metrics';

/** How a resident classifier is trained. */
export interface ResidentTrainingOptions {
  /** Seeds the order examples are visited in: the same seed and data give the same model, bit for bit. */
  seed: number;
  epochs: number;
  learningRate: number;
  /** L2 penalty on the weights (not the bias). */
  l2: number;
  batchSize: number;
  /** Buckets that string features (`name=value`) are hashed into. */
  hashBuckets: number;
  /** Buckets that the words and word pairs of the texts are hashed into, each tagged with which text it came from. */
  textBuckets: number;
  /**
   * Platt scaling and the confidence threshold are fitted on out-of-fold scores: the examples are cut
   * into this many blocks in time order, and each block is scored by a model trained on the others.
   * Every example is calibrated on, by a model that never saw it; the model kept is their mean.
   */
  calibrationFolds: number;
  /** Fewer examples than this (or without both verdicts) are not calibrated on: the scores stay unscaled. */
  minCalibrationExamples: number;
  /** Fewer examples than this (of the two verdicts): no model. */
  minExamples: number;
  /** The agreement with the frontier its confident answers must reach on the held-out slice: sets the threshold. */
  targetAgreement: number;
  /** The threshold needs this many held-out answers above it. */
  minThresholdSupport: number;
  /**
   * Learn this verdict against all the others (one-vs-rest), for a key whose resident may only give
   * that one (an editor's approval); default: the two most common verdicts against each other.
   */
  positive?: string;
}

export const DEFAULT_RESIDENT_OPTIONS: ResidentTrainingOptions = {
  seed: 1,
  epochs: 60,
  learningRate: 0.2,
  l2: 0.01,
  batchSize: 32,
  hashBuckets: 64,
  textBuckets: 4096,
  calibrationFolds: 4,
  minCalibrationExamples: 15,
  minExamples: 40,
  targetAgreement: 0.98,
  minThresholdSupport: 30,
};

const NumericInput = z.object({ name: z.string(), mean: z.number(), scale: z.number().positive() }).strict();

/**
 * A trained binary logistic-regression classifier for one decision key, as stored in its
 * artifact. Inputs: standardized numeric features, booleans as 0/1, string features hashed into
 * `hashBuckets`, and the words of the texts (tagged by text) hashed into `textBuckets`; `weights`
 * follows that order. Version 1 models have no text buckets and hash words with the string features.
 */
export const ResidentModelSchema = z
  .object({
    format: z.literal('loopwright.resident.logistic-regression'),
    version: z.union([z.literal(1), z.literal(2)]),
    /** The verdict the model gives a probability for (the rarer of the two in training). */
    positiveVerdict: z.string(),
    negativeVerdict: z.string(),
    /** One-vs-rest: `negativeVerdict` names every verdict but the positive one. */
    negativeIsRest: z.boolean().default(false),
    numeric: z.array(NumericInput),
    booleans: z.array(z.string()),
    hashBuckets: z.number().int().min(1),
    textBuckets: z.number().int().min(0).default(0),
    weights: z.array(z.number()),
    bias: z.number(),
    platt: z.object({ a: z.number(), b: z.number() }).strict(),
    /** Answers less confident than this escalate to the frontier: calibrated on the held-out slice. */
    confidenceThreshold: z.number().min(0.5).max(1).default(0.8),
    trainedOn: z.number().int().min(0),
    calibratedOn: z.number().int().min(0),
    seed: z.number().int(),
  })
  .strict()
  .refine((m) => m.weights.length === m.numeric.length + m.booleans.length + m.hashBuckets + m.textBuckets, {
    message: 'weights must have one entry per numeric feature, boolean feature, hash bucket and text bucket',
    path: ['weights'],
  });

/** A trained resident classifier (see `ResidentModelSchema`). */
export type ResidentModel = z.output<typeof ResidentModelSchema>;

/** What the model says about one request. */
export interface ResidentPrediction {
  verdict: string;
  /** Calibrated probability of the verdict it gives (>= 0.5). */
  confidence: number;
  /** Calibrated probability of `positiveVerdict`. */
  probability: number;
  /** Confident enough to answer by itself (`confidence >= confidenceThreshold`); otherwise it escalates. */
  confident: boolean;
}

/** How training went, on the examples it saw. */
export interface ResidentTrainingReport {
  /** Examples the weights were fitted on. */
  trainedOn: number;
  /** Held-out examples Platt scaling and the threshold were fitted on; 0 when the slice was too small or lacked a verdict. */
  calibratedOn: number;
  /** Accuracy on the calibration slice (on the training examples when there is none). */
  accuracy: number;
  /** Expected calibration error on the same examples, after scaling. */
  calibrationError: number;
  /** Share of the calibration slice answered at or above the threshold. */
  coverage: number;
}

/** A model, or why none was trained. */
export type ResidentTrainingOutcome =
  | { trained: true; model: ResidentModel; report: ResidentTrainingReport }
  | { trained: false; reason: string };

/** How a model does against reference verdicts. */
export interface ResidentFigures extends VerdictFigures {
  calibrationError: number;
  /** Share of the examples it would answer by itself. */
  coverage: number;
  /** Agreement on those it answers; 1 when it answers none. */
  confidentAccuracy: number;
  confidentN: number;
}

/**
 * Trains a logistic-regression classifier on a key's history, binary over its two most common
 * verdicts (examples with any other verdict are left out): mini-batch gradient descent with L2,
 * visiting examples in an order drawn from `seed`. Platt scaling and the confidence threshold are
 * fitted on every example's out-of-fold score (`calibrationFolds`), so they rest on the whole history
 * rather than a small recent slice, where one noisy verdict near the top could decide the threshold.
 * The threshold is the lowest at which the out-of-fold answers above it agree with the frontier at
 * least `targetAgreement` of the time; with none such, the model never answers by itself. The kept
 * model is the mean of the out-of-fold models, so every example taught it; its later validation is
 * on decisions after them.
 */
export function trainResident(history: readonly HistoryExample[], options: Partial<ResidentTrainingOptions> = {}): ResidentTrainingOutcome {
  const opts = { ...DEFAULT_RESIDENT_OPTIONS, ...options };
  const pair = opts.positive !== undefined ? { minority: opts.positive, majority: `not ${opts.positive}` } : verdictPair(history.map((e) => e.verdict));
  if (!pair || pair.minority === pair.majority) return { trained: false, reason: 'a classifier needs two verdicts in the history' };
  const oneVsRest = opts.positive !== undefined;
  const examples = bySeq(history).filter((e) => oneVsRest || e.verdict === pair.minority || e.verdict === pair.majority);
  if (examples.length < opts.minExamples) {
    return { trained: false, reason: `${examples.length} examples of '${pair.minority}' or '${pair.majority}', training needs ${opts.minExamples}` };
  }
  if (!examples.some((e) => e.verdict === pair.minority) || examples.every((e) => e.verdict === pair.minority)) {
    return { trained: false, reason: `the history has no example ${examples.some((e) => e.verdict === pair.minority) ? 'without' : 'of'} '${pair.minority}'` };
  }

  const labels = examples.map((e) => e.verdict === pair.minority);
  const layout = inputLayout(examples, opts.hashBuckets, opts.textBuckets);
  const inputs = examples.map((e) => encode(layout, e.features, e.texts));
  const model = (fitted: { weights: ArrayLike<number>; bias: number }, calibratedOn: number): ResidentModel => ({
    format: 'loopwright.resident.logistic-regression',
    version: 2,
    positiveVerdict: pair.minority,
    negativeVerdict: pair.majority,
    negativeIsRest: oneVsRest,
    ...layout,
    weights: Array.from(fitted.weights),
    bias: fitted.bias,
    platt: IDENTITY_SCALING,
    confidenceThreshold: 1,
    trainedOn: examples.length,
    calibratedOn,
    seed: opts.seed,
  });
  const calibrates = opts.calibrationFolds >= 2 && examples.length >= Math.max(opts.minCalibrationExamples, opts.calibrationFolds);
  if (!calibrates) {
    const unscaled = model(gradientDescent(inputs, labels, layout, opts), 0);
    const figures = evaluateResident(unscaled, examples);
    return { trained: true, model: unscaled, report: { trainedOn: examples.length, calibratedOn: 0, accuracy: figures.accuracy, calibrationError: figures.calibrationError, coverage: 0 } };
  }
  const folds = foldModels(inputs, labels, layout, opts);
  const kept = model(folds.mean, examples.length);
  const calibrated: ResidentModel = { ...kept, platt: fitPlatt(folds.scores, labels) };
  const outOfFold = folds.scores.map((raw) => fromScore(calibrated, raw));
  const right = outOfFold.map((p, i) => agrees(calibrated, p.verdict, examples[i].verdict));
  const threshold = confidenceThreshold(
    outOfFold.map((p) => p.confidence),
    right,
    { targetAccuracy: opts.targetAgreement, minSupport: opts.minThresholdSupport },
  );
  return {
    trained: true,
    model: { ...calibrated, confidenceThreshold: threshold },
    report: {
      trainedOn: examples.length,
      calibratedOn: examples.length,
      accuracy: right.filter(Boolean).length / examples.length,
      calibrationError: expectedCalibrationError(outOfFold.map((p) => p.confidence), right),
      coverage: outOfFold.filter((p) => p.confidence >= threshold).length / examples.length,
    },
  };
}

/**
 * One model per block of the examples (blocks cut in time order), each trained without its block:
 * every example's raw score from a model that never saw it, and the mean of the models, which is
 * the model kept. Its score is the mean of theirs, so the scaling and the threshold fitted on their
 * scores fit it too; a model trained once more on everything scores on a scale of its own, and one
 * such run can land far from what the others learned.
 */
function foldModels(inputs: readonly Encoded[], labels: readonly boolean[], layout: InputLayout, opts: ResidentTrainingOptions) {
  const scores = new Array<number>(inputs.length).fill(0);
  const folds = opts.calibrationFolds;
  const weights = new Float64Array(layout.numeric.length + layout.booleans.length + layout.hashBuckets + layout.textBuckets);
  let bias = 0;
  for (let f = 0; f < folds; f++) {
    const from = Math.floor((f * inputs.length) / folds);
    const to = Math.floor(((f + 1) * inputs.length) / folds);
    const fitted = gradientDescent([...inputs.slice(0, from), ...inputs.slice(to)], [...labels.slice(0, from), ...labels.slice(to)], layout, opts);
    for (let i = from; i < to; i++) scores[i] = fitted.bias + dot(fitted.weights, inputs[i]);
    for (let k = 0; k < weights.length; k++) weights[k] += fitted.weights[k] / folds;
    bias += fitted.bias / folds;
  }
  return { scores, mean: { weights, bias } };
}

/** The model's verdict for a request, with its calibrated confidence and whether it clears the threshold. */
export function predict(model: ResidentModel, features: FeatureVector, texts?: readonly string[]): ResidentPrediction {
  return fromScore(model, score(model, features, texts));
}

/** The prediction a raw score (logit) comes to, after the model's scaling. */
function fromScore(model: ResidentModel, raw: number): ResidentPrediction {
  const probability = sigmoid(model.platt.a * raw + model.platt.b);
  const positive = probability >= 0.5;
  const confidence = positive ? probability : 1 - probability;
  return {
    verdict: positive ? model.positiveVerdict : model.negativeVerdict,
    confidence,
    probability,
    confident: confidence >= model.confidenceThreshold,
  };
}

/** Whether the model's verdict says what the reference says (a one-vs-rest 'not X' agrees with any verdict but X). */
export function agrees(model: Pick<ResidentModel, 'positiveVerdict' | 'negativeVerdict' | 'negativeIsRest'>, predicted: string, actual: string): boolean {
  if (predicted === actual) return true;
  return model.negativeIsRest && predicted === model.negativeVerdict && actual !== model.positiveVerdict;
}

/** Precision and recall (about the positive verdict), accuracy, calibration error and coverage of a model on examples. */
export function evaluateResident(model: ResidentModel, examples: readonly HistoryExample[]): ResidentFigures {
  const predictions = examples.map((e) => predict(model, e.features, e.texts));
  const actual = examples.map((e, i) => (agrees(model, predictions[i].verdict, e.verdict) ? predictions[i].verdict : e.verdict));
  const figures = verdictFigures(predictions.map((p) => p.verdict), actual, model.positiveVerdict);
  const calibrationError = expectedCalibrationError(
    predictions.map((p) => p.confidence),
    predictions.map((p, i) => agrees(model, p.verdict, examples[i].verdict)),
  );
  const confident = predictions.map((p, i) => ({ p, e: examples[i] })).filter(({ p }) => p.confident);
  const right = confident.filter(({ p, e }) => agrees(model, p.verdict, e.verdict)).length;
  return {
    ...figures,
    calibrationError,
    coverage: examples.length === 0 ? 0 : confident.length / examples.length,
    confidentAccuracy: confident.length === 0 ? 1 : right / confident.length,
    confidentN: confident.length,
  };
}

/** The model as the JSON text of its artifact. */
export function serializeResident(model: ResidentModel): string {
  return JSON.stringify(model);
}

/** Reads a model back from its artifact, naming what is wrong with a malformed one. */
export function parseResident(json: string): ResidentModel {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new ValidationError(`resident model artifact is not JSON: ${(error as Error).message}`, [], { cause: error });
  }
  const parsed = ResidentModelSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
    throw new ValidationError(`invalid resident model: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return parsed.data;
}

/** The artifact to store for a model: its JSON text and the sha256 it is addressed by. */
export function residentArtifact(model: ResidentModel): { json: string; digest: string } {
  const json = serializeResident(model);
  return { json, digest: createHash('sha256').update(json).digest('hex') };
}

type InputLayout = Pick<ResidentModel, 'numeric' | 'booleans' | 'hashBuckets' | 'textBuckets'>;

/** Which features become which inputs: numbers and booleans by name (sorted), strings and texts hashed. */
function inputLayout(examples: readonly HistoryExample[], hashBuckets: number, textBuckets: number): InputLayout {
  const numbers = new Map<string, number[]>();
  const booleans = new Set<string>();
  for (const e of examples) {
    for (const [name, value] of Object.entries(e.features)) {
      if (typeof value === 'number' && Number.isFinite(value)) {
        const column = numbers.get(name);
        if (column) column.push(value);
        else numbers.set(name, [value]);
      } else if (typeof value === 'boolean') booleans.add(name);
    }
  }
  const numeric = [...numbers.keys()].sort().map((name) => {
    const column = numbers.get(name)!;
    const mean = column.reduce((s, v) => s + v, 0) / column.length;
    const variance = column.reduce((s, v) => s + (v - mean) ** 2, 0) / column.length;
    return { name, mean, scale: variance > 0 ? Math.sqrt(variance) : 1 };
  });
  return { numeric, booleans: [...booleans].sort(), hashBuckets, textBuckets };
}

/** Standardized inputs are clipped to this many deviations, so one extreme value cannot swamp a prediction. */
const CLIP = 8;

/** An input vector: a dense head (numbers, booleans) and the hashed tail as (index, value) pairs. */
interface Encoded {
  dense: Float64Array;
  index: Int32Array;
  value: Float64Array;
}

function encode(layout: InputLayout, features: FeatureVector, texts?: readonly string[]): Encoded {
  const dense = new Float64Array(layout.numeric.length + layout.booleans.length);
  layout.numeric.forEach(({ name, mean, scale }, i) => {
    const value = features[name];
    if (typeof value === 'number' && Number.isFinite(value)) dense[i] = Math.max(-CLIP, Math.min(CLIP, (value - mean) / scale));
  });
  const offset = layout.numeric.length;
  layout.booleans.forEach((name, i) => {
    dense[offset + i] = features[name] === true ? 1 : 0;
  });
  const sparse = new Map<number, number>();
  const add = (index: number, value: number) => sparse.set(index, (sparse.get(index) ?? 0) + value);
  const hashed = dense.length;
  for (const name of Object.keys(features).sort()) {
    const value = features[name];
    if (typeof value === 'string') add(hashed + bucketOf(`${name}=${value}`, layout.hashBuckets), 1);
  }
  if (layout.textBuckets > 0) {
    // Each distinct word and word pair of a text counts once, however often it appears.
    (texts ?? []).forEach((text, t) => {
      for (const term of terms(text)) add(hashed + layout.hashBuckets + bucketOf(`${t}:${term}`, layout.textBuckets), 1);
    });
  } else {
    const words = (texts ?? []).flatMap(tokens);
    for (const word of words) add(hashed + bucketOf(`text:${word}`, layout.hashBuckets), 1 / Math.sqrt(words.length));
  }
  const index = Int32Array.from(sparse.keys());
  return { dense, index, value: Float64Array.from(index, (i) => sparse.get(i)!) };
}

/** A text's distinct words and pairs of adjacent words ("added tests" is not "added" and "tests"). */
function terms(text: string): Set<string> {
  const words = tokens(text);
  const out = new Set(words);
  for (let i = 1; i < words.length; i++) out.add(`${words[i - 1]} ${words[i]}`);
  return out;
}

function dot(weights: ArrayLike<number>, x: Encoded): number {
  let z = 0;
  for (let i = 0; i < x.dense.length; i++) z += weights[i] * x.dense[i];
  for (let k = 0; k < x.index.length; k++) z += weights[x.index[k]] * x.value[k];
  return z;
}

function score(model: InputLayout & { weights: ArrayLike<number>; bias: number }, features: FeatureVector, texts?: readonly string[]): number {
  return model.bias + dot(model.weights, encode(model, features, texts));
}

function gradientDescent(inputs: readonly Encoded[], labels: readonly boolean[], layout: InputLayout, opts: ResidentTrainingOptions) {
  const size = layout.numeric.length + layout.booleans.length + layout.hashBuckets + layout.textBuckets;
  const weights = new Float64Array(size);
  const gradient = new Float64Array(size);
  // AdaGrad: each input's step shrinks with the gradient it has seen, so rare words learn as fast as common features.
  const seen = new Float64Array(size).fill(1e-8);
  let biasSeen = 1e-8;
  let bias = 0;
  const next = seededRandom(opts.seed);
  const order = inputs.map((_, i) => i);
  // The buckets a batch touched, in the order it touched them, and a mark so each is listed once.
  const touched = new Int32Array(size);
  const marked = new Uint8Array(size);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const rate = opts.learningRate;
    for (let start = 0; start < order.length; start += opts.batchSize) {
      const batch = order.slice(start, start + opts.batchSize);
      let touchedN = 0;
      let biasGradient = 0;
      for (const index of batch) {
        const x = inputs[index];
        const error = sigmoid(bias + dot(weights, x)) - (labels[index] ? 1 : 0);
        for (let k = 0; k < x.dense.length; k++) gradient[k] += error * x.dense[k];
        for (let k = 0; k < x.index.length; k++) {
          gradient[x.index[k]] += error * x.value[k];
          if (!marked[x.index[k]]) {
            marked[x.index[k]] = 1;
            touched[touchedN++] = x.index[k];
          }
        }
        biasGradient += error;
      }
      const step = (k: number) => {
        const g = gradient[k] / batch.length + opts.l2 * weights[k];
        seen[k] += g * g;
        weights[k] -= (rate * g) / Math.sqrt(seen[k]);
        gradient[k] = 0;
      };
      const denseSize = layout.numeric.length + layout.booleans.length;
      for (let k = 0; k < denseSize; k++) step(k);
      // The hashed inputs are sparse: only the buckets this batch touched move (their L2 decay is lazy).
      for (let t = 0; t < touchedN; t++) {
        step(touched[t]);
        marked[touched[t]] = 0;
      }
      const g = biasGradient / batch.length;
      biasSeen += g * g;
      bias -= (rate * g) / Math.sqrt(biasSeen);
    }
  }
  return { weights, bias };
}
