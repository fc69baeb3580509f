import { evaluatePredicate, FeatureVector } from '@loopwright/checks';
import type { Predicate } from '@loopwright/events';
import { seededRandom } from './prng';
import type { SimJudgeContext } from './sim-context';
import type { WorkloadSpec } from './workload';

export type JudgeParams = WorkloadSpec['judge'];

/** What a judge without noise would answer: the truth evaluated on the features. */
export function trueVerdict(ctx: SimJudgeContext): boolean {
  return evaluatePredicate(ctx.truth.kind === 'gate' ? ctx.truth.pass : ctx.truth.high, ctx.features);
}

/**
 * The sim judge's raw text for one attempt. The verdict is the truth, flipped with probability
 * `noise` (one draw per decision, so a retry gives the same verdict); with probability
 * `garbageRate` per attempt the text is unusable instead.
 */
export function simJudgeText(ctx: SimJudgeContext, judge: JudgeParams, attempt: number): string {
  const garbage = seededRandom(String(ctx.seed), ctx.decisionId, 'garbage', attempt);
  if (garbage() < judge.garbageRate) return GARBAGE[Math.floor(garbage() * GARBAGE.length)];

  const flipped = seededRandom(String(ctx.seed), ctx.decisionId, 'noise')() < judge.noise;
  const verdict = trueVerdict(ctx) !== flipped;
  const predicate = ctx.truth.kind === 'gate' ? ctx.truth.pass : ctx.truth.high;
  const evidence = `${ctx.item}: ${describeFeatures(predicate, ctx.features)}`;
  const rerunPassed = ctx.features['rerun_passed'] === true;
  if (ctx.truth.kind === 'gate') return JSON.stringify({ passed: verdict, evidence, rerunPassed });
  const score = verdict ? ctx.truth.highScore : ctx.truth.lowScore;
  return JSON.stringify({ score, evidence, reasoning: `${verdict ? 'meets' : 'falls short of'} the bar for ${ctx.item}`, rerunPassed });
}

/** Answers no reasonable schema accepts: prose, cut-off JSON, the wrong shape. */
const GARBAGE = [
  'Looking at the work, I think it is mostly fine.',
  '{"passed": tr',
  '{"verdict": "unclear"}',
];

function describeFeatures(predicate: Predicate, features: FeatureVector): string {
  return featureNames(predicate)
    .map((name) => `${name}=${Object.prototype.hasOwnProperty.call(features, name) ? String(features[name]) : 'absent'}`)
    .join(', ');
}

function featureNames(predicate: Predicate): string[] {
  if ('all' in predicate) return [...new Set(predicate.all.flatMap(featureNames))];
  if ('any' in predicate) return [...new Set(predicate.any.flatMap(featureNames))];
  if ('not' in predicate) return featureNames(predicate.not);
  return [predicate.feature];
}
