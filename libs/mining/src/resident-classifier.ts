import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '@loopwright/core';
import type { FeatureVector } from '@loopwright/checks';
import { expectedCalibrationError, fitPlatt, IDENTITY_SCALING, PlattScaling, sigmoid } from './calibration';
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
  /** Buckets that string features (`name=value`) and text tokens are hashed into. */
  hashBuckets: number;
  /** The most recent share of the examples, held out to fit Platt scaling on. */
  calibrationShare: number;
  /** A smaller held-out slice (or one without both verdicts) is not calibrated on: the scores stay unscaled. */
  minCalibrationExamples: number;
  /** Fewer examples than this (of the two verdicts): no model. */
  minExamples: number;
}

export const DEFAULT_RESIDENT_OPTIONS: ResidentTrainingOptions = {
  seed: 1,
  epochs: 200,
  learningRate: 0.1,
  l2: 1e-3,
  batchSize: 32,
  hashBuckets: 64,
  calibrationShare: 0.2,
  minCalibrationExamples: 20,
  minExamples: 40,
};

const NumericInput = z.object({ name: z.string(), mean: z.number(), scale: z.number().positive() }).strict();

/**
 * A trained binary logistic-regression classifier for one decision key, as stored in its
 * artifact. Inputs: standardized numeric features, booleans as 0/1, and string features and
 * text tokens hashed into `hashBuckets`. `weights` follows that order.
 */
export const ResidentModelSchema = z
  .object({
    format: z.literal('loopwright.resident.logistic-regression'),
    version: z.literal(1),
    /** The verdict the model gives a probability for (the rarer of the two in training). */
    positiveVerdict: z.string(),
    negativeVerdict: z.string(),
    numeric: z.array(NumericInput),
    booleans: z.array(z.string()),
    hashBuckets: z.number().int().min(1),
    weights: z.array(z.number()),
    bias: z.number(),
    platt: z.object({ a: z.number(), b: z.number() }).strict(),
    trainedOn: z.number().int().min(0),
    calibratedOn: z.number().int().min(0),
    seed: z.number().int(),
  })
  .strict()
  .refine((m) => m.weights.length === m.numeric.length + m.booleans.length + m.hashBuckets, {
    message: 'weights must have one entry per numeric feature, boolean feature and hash bucket',
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
}

/** How training went, on the examples it saw. */
export interface ResidentTrainingReport {
  /** Examples the weights were fitted on. */
  trainedOn: number;
  /** Held-out examples Platt scaling was fitted on; 0 when the slice was too small or lacked a verdict. */
  calibratedOn: number;
  /** Accuracy on the calibration slice (on the training examples when there is none). */
  accuracy: number;
  /** Expected calibration error on the same examples, after scaling. */
  calibrationError: number;
}

/** A model, or why none was trained. */
export type ResidentTrainingOutcome =
  | { trained: true; model: ResidentModel; report: ResidentTrainingReport }
  | { trained: false; reason: string };

/** How a model does against reference verdicts. */
export interface ResidentFigures extends VerdictFigures {
  calibrationError: number;
}

/**
 * Trains a logistic-regression classifier on a key's history, binary over its two most common
 * verdicts (examples with any other verdict are left out): mini-batch gradient descent with L2,
 * visiting examples in an order drawn from `seed`, then Platt scaling fitted on the most recent
 * `calibrationShare` of the examples, which the weights never saw.
 */
export function trainResident(history: readonly HistoryExample[], options: Partial<ResidentTrainingOptions> = {}): ResidentTrainingOutcome {
  const opts = { ...DEFAULT_RESIDENT_OPTIONS, ...options };
  const pair = verdictPair(history.map((e) => e.verdict));
  if (!pair || pair.minority === pair.majority) return { trained: false, reason: 'a classifier needs two verdicts in the history' };
  const examples = bySeq(history).filter((e) => e.verdict === pair.minority || e.verdict === pair.majority);
  if (examples.length < opts.minExamples) {
    return { trained: false, reason: `${examples.length} examples of '${pair.minority}' or '${pair.majority}', training needs ${opts.minExamples}` };
  }

  const cut = Math.round(examples.length * (1 - opts.calibrationShare));
  const fit = examples.slice(0, cut);
  const held = examples.slice(cut);
  const layout = inputLayout(fit, opts.hashBuckets);
  const inputs = fit.map((e) => encode(layout, e.features, e.texts));
  const labels = fit.map((e) => e.verdict === pair.minority);
  const { weights, bias } = gradientDescent(inputs, labels, opts);

  const unscaled: ResidentModel = {
    format: 'loopwright.resident.logistic-regression',
    version: 1,
    positiveVerdict: pair.minority,
    negativeVerdict: pair.majority,
    ...layout,
    weights: Array.from(weights),
    bias,
    platt: IDENTITY_SCALING,
    trainedOn: fit.length,
    calibratedOn: 0,
    seed: opts.seed,
  };
  const heldLabels = held.map((e) => e.verdict === pair.minority);
  const calibrates = held.length >= opts.minCalibrationExamples && heldLabels.includes(true) && heldLabels.includes(false);
  const model: ResidentModel = calibrates
    ? {
        ...unscaled,
        platt: fitPlatt(held.map((e) => score(unscaled, e.features, e.texts)), heldLabels),
        calibratedOn: held.length,
      }
    : unscaled;
  const figures = evaluateResident(model, calibrates ? held : fit);
  return {
    trained: true,
    model,
    report: { trainedOn: fit.length, calibratedOn: model.calibratedOn, accuracy: figures.accuracy, calibrationError: figures.calibrationError },
  };
}

/** The model's verdict for a request, with its calibrated confidence. */
export function predict(model: ResidentModel, features: FeatureVector, texts?: readonly string[]): ResidentPrediction {
  const raw = score(model, features, texts);
  const probability = sigmoid(model.platt.a * raw + model.platt.b);
  const positive = probability >= 0.5;
  return {
    verdict: positive ? model.positiveVerdict : model.negativeVerdict,
    confidence: positive ? probability : 1 - probability,
    probability,
  };
}

/** Precision and recall (about the positive verdict), accuracy and calibration error of a model on examples. */
export function evaluateResident(model: ResidentModel, examples: readonly HistoryExample[]): ResidentFigures {
  const predictions = examples.map((e) => predict(model, e.features, e.texts));
  const figures = verdictFigures(predictions.map((p) => p.verdict), examples.map((e) => e.verdict), model.positiveVerdict);
  const calibrationError = expectedCalibrationError(
    predictions.map((p) => p.confidence),
    predictions.map((p, i) => p.verdict === examples[i].verdict),
  );
  return { ...figures, calibrationError };
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

type InputLayout = Pick<ResidentModel, 'numeric' | 'booleans' | 'hashBuckets'>;

/** Which features become which inputs: numbers and booleans by name (sorted), strings and texts hashed. */
function inputLayout(examples: readonly HistoryExample[], hashBuckets: number): InputLayout {
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
  return { numeric, booleans: [...booleans].sort(), hashBuckets };
}

/** Standardized inputs are clipped to this many deviations, so one extreme value cannot swamp a prediction. */
const CLIP = 8;

function encode(layout: InputLayout, features: FeatureVector, texts?: readonly string[]): Float64Array {
  const x = new Float64Array(layout.numeric.length + layout.booleans.length + layout.hashBuckets);
  layout.numeric.forEach(({ name, mean, scale }, i) => {
    const value = features[name];
    if (typeof value === 'number' && Number.isFinite(value)) x[i] = Math.max(-CLIP, Math.min(CLIP, (value - mean) / scale));
  });
  const offset = layout.numeric.length;
  layout.booleans.forEach((name, i) => {
    x[offset + i] = features[name] === true ? 1 : 0;
  });
  const hashed = offset + layout.booleans.length;
  for (const name of Object.keys(features).sort()) {
    const value = features[name];
    if (typeof value === 'string') x[hashed + bucketOf(`${name}=${value}`, layout.hashBuckets)] += 1;
  }
  const words = (texts ?? []).flatMap(tokens);
  // Each token weighs 1/sqrt(count): a long text does not outweigh the structured features.
  for (const word of words) x[hashed + bucketOf(`text:${word}`, layout.hashBuckets)] += 1 / Math.sqrt(words.length);
  return x;
}

function score(model: Pick<ResidentModel, keyof InputLayout | 'weights' | 'bias'>, features: FeatureVector, texts?: readonly string[]): number {
  const x = encode(model, features, texts);
  let z = model.bias;
  for (let i = 0; i < x.length; i++) z += model.weights[i] * x[i];
  return z;
}

function gradientDescent(inputs: readonly Float64Array[], labels: readonly boolean[], opts: ResidentTrainingOptions) {
  const size = inputs[0]?.length ?? 0;
  const weights = new Float64Array(size);
  const gradient = new Float64Array(size);
  let bias = 0;
  const next = seededRandom(opts.seed);
  const order = inputs.map((_, i) => i);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const rate = opts.learningRate / (1 + 0.01 * epoch);
    for (let start = 0; start < order.length; start += opts.batchSize) {
      const batch = order.slice(start, start + opts.batchSize);
      gradient.fill(0);
      let biasGradient = 0;
      for (const index of batch) {
        const x = inputs[index];
        let z = bias;
        for (let k = 0; k < size; k++) z += weights[k] * x[k];
        const error = sigmoid(z) - (labels[index] ? 1 : 0);
        for (let k = 0; k < size; k++) gradient[k] += error * x[k];
        biasGradient += error;
      }
      for (let k = 0; k < size; k++) weights[k] -= rate * (gradient[k] / batch.length + opts.l2 * weights[k]);
      bias -= (rate * biasGradient) / batch.length;
    }
  }
  return { weights, bias };
}
