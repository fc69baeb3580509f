import { resolve } from 'node:path';
import type { FeatureVector } from '@loopwright/checks';
import { createSimProvider, DEFAULT_WORKLOAD_PATH, DimensionAnswerSchema, GateAnswerSchema, loadWorkload, WorkloadSpec } from '@loopwright/models';
import { cachedCommandRunner, simulateDraft, SimulatedWork } from '@loopwright/testing';
import type { HistoryExample } from './history';
import { timeOrderedSplit } from './history';
import { evaluateResident, trainResident } from './resident-classifier';
import { DEFAULT_VALIDATION_THRESHOLDS, searchAndValidate } from './validation';

/**
 * The simulation's truth cannot be read off the features the miner searches: on every item a
 * hidden quality drives, the best single-feature predicate and the rule search itself fall short
 * of the bar a rule must clear, while the texts of the work carry what a text model can learn;
 * on the ambiguous item the frontier does not even agree with itself. Features are computed by
 * the grader's own functions from the sim agent's trace and a real re-run of the goal's tests.
 */
const LATENT_ITEMS: [string, 'gate' | 'dimension'][] = [
  ['claims_match_evidence', 'gate'],
  ['correctness', 'dimension'],
  ['smallest_coherent_change', 'dimension'],
  ['implementation_note_quality', 'dimension'],
  ['evidence_over_narration', 'dimension'],
  ['blocking_questions_only', 'dimension'],
  ['error_response_quality', 'dimension'],
  ['no_silent_degradation', 'gate'],
  ['no_fire_and_forget', 'gate'],
];
const WORKS = 500;
const SIDE_BY_SIDE = 4;
const BAR = DEFAULT_VALIDATION_THRESHOLDS.minAccuracy;

async function frontierVerdict(spec: WorkloadSpec, w: SimulatedWork, item: string, itemKind: 'gate' | 'dimension', decisionId: string): Promise<string | undefined> {
  const sim = {
    kind: 'judge' as const, decisionId, role: 'engineer', item, itemKind, rerunPassed: w.rerunPassed,
    work: { seed: String(w.ctx.seed), goalId: w.ctx.goal.id, taskId: w.ctx.taskId, iteration: w.ctx.iteration, route: { drafter: w.drafter, stream: 'draft' as const } },
  };
  const provider = createSimProvider({ workload: spec });
  try {
    if (itemKind === 'gate') return (await provider.answer({ purpose: item, system: '', prompt: '', schema: GateAnswerSchema, sim })).answer.passed ? 'pass' : 'fail';
    return String((await provider.answer({ purpose: item, system: '', prompt: '', schema: DimensionAnswerSchema, sim })).answer.score);
  } catch {
    return undefined;
  }
}

/** The best accuracy any one-feature predicate (equality, or a threshold on a number) reaches, with the best verdicts on each side. */
function bestSingleFeature(rows: readonly { features: FeatureVector; verdict: string }[]): { accuracy: number; predicate: string } {
  const verdicts = [...new Set(rows.map((r) => r.verdict))];
  let best = { accuracy: 0, predicate: '' };
  for (const name of new Set(rows.flatMap((r) => Object.keys(r.features)))) {
    for (const value of new Set(rows.map((r) => r.features[name]))) {
      const tests: [string, (x: unknown) => boolean][] = [[`${name} = ${String(value)}`, (x) => x === value]];
      if (typeof value === 'number') tests.push([`${name} <= ${value}`, (x) => typeof x === 'number' && x <= value]);
      for (const [text, holds] of tests) {
        for (const a of verdicts) {
          for (const b of verdicts) {
            const accuracy = rows.filter((r) => (holds(r.features[name]) ? a : b) === r.verdict).length / rows.length;
            if (accuracy > best.accuracy) best = { accuracy, predicate: `${text} → ${a} else ${b}` };
          }
        }
      }
    }
  }
  return best;
}

describe.each([
  ['engineer-default', DEFAULT_WORKLOAD_PATH],
  ['engineer-parsing', resolve(DEFAULT_WORKLOAD_PATH, '../engineer-parsing.yaml')],
])('the %s workload hides its truth from the features', (_name, path) => {
  const spec = loadWorkload(path);
  const works: SimulatedWork[] = [];

  beforeAll(async () => {
    const run = cachedCommandRunner();
    // Frontier and resident drafts, first drafts and revisions: the mix the grader sees. A few at
    // once, kept in order: each waits mostly on the commands it runs.
    const draft = (i: number) => {
      const goal = spec.goals[i % spec.goals.length];
      return simulateDraft(spec, { seed: 'latent', taskId: `t-${i}`, iteration: i % 4 === 3 ? 2 : 1, goalId: goal.id }, i % 2 === 0 ? 'frontier' : 'resident', run);
    };
    for (let start = 0; start < WORKS; start += SIDE_BY_SIDE) {
      const indices = Array.from({ length: Math.min(SIDE_BY_SIDE, WORKS - start) }, (_, k) => start + k);
      works.push(...(await Promise.all(indices.map(draft))));
    }
  }, 300_000);

  async function history(item: string, kind: 'gate' | 'dimension'): Promise<HistoryExample[]> {
    const examples: HistoryExample[] = [];
    for (const [i, w] of works.entries()) {
      const verdict = await frontierVerdict(spec, w, item, kind, `${w.ctx.taskId}:${item}`);
      if (verdict) examples.push({ decisionId: `d${i}`, seq: i, features: w.features, texts: w.texts, verdict });
    }
    return examples;
  }

  it.each(LATENT_ITEMS)('%s: no single feature, and no rule the search finds, reaches the bar', async (item, kind) => {
    const examples = await history(item, kind);
    const best = bestSingleFeature(examples);
    expect({ item, ...best, below: best.accuracy < BAR }).toMatchObject({ below: true });
    const { search, validation } = searchAndValidate({ history: examples, golden: [], thresholds: DEFAULT_VALIDATION_THRESHOLDS });
    expect(search.found && validation?.ok).toBeFalsy();
  });

  it('the texts carry what the features miss: a text model beats the same model on the features alone on most of those items', async () => {
    let better = 0;
    for (const [item, kind] of LATENT_ITEMS) {
      const examples = await history(item, kind);
      const { train, test } = timeOrderedSplit(examples, 0.7);
      const withTexts = trainResident(train, { seed: 3 });
      const featuresOnly = trainResident(train.map((e) => ({ ...e, texts: undefined })), { seed: 3 });
      if (!withTexts.trained || !featuresOnly.trained) continue;
      const a = evaluateResident(withTexts.model, test).accuracy;
      const b = evaluateResident(featuresOnly.model, test.map((e) => ({ ...e, texts: undefined }))).accuracy;
      if (a >= b + 0.02) better++;
    }
    expect(better).toBeGreaterThan(LATENT_ITEMS.length / 2);
  });

  it('the resident kept answers its own training examples as well as its calibration said it would, on every item', async () => {
    const shortfalls: string[] = [];
    for (const [item, kind] of LATENT_ITEMS) {
      const examples = await history(item, kind);
      const training = trainResident(examples);
      if (!training.trained) continue;
      const own = evaluateResident(training.model, examples).accuracy;
      if (own < training.report.accuracy - 0.01) shortfalls.push(`${item}: ${own.toFixed(3)} on its training examples, ${training.report.accuracy.toFixed(3)} out of fold`);
    }
    expect(shortfalls).toEqual([]);
  });

  it('efficiency is a judgement call: asked twice about the same work, the frontier disagrees with itself too often for any tier to hold the bar', async () => {
    let same = 0;
    let n = 0;
    for (const w of works.slice(0, 200)) {
      const [a, b] = [await frontierVerdict(spec, w, 'turn_economy', 'dimension', `${w.ctx.taskId}:a`), await frontierVerdict(spec, w, 'turn_economy', 'dimension', `${w.ctx.taskId}:b`)];
      if (!a || !b) continue;
      n++;
      if (a === b) same++;
    }
    expect(same / n).toBeLessThan(0.7);
  });
});
