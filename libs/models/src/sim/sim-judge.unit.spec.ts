import { ValidationError } from '@loopwright/core';
import { PredicateSchema } from '@loopwright/events';
import type { FeatureVector } from '@loopwright/checks';
import { simWorkload } from '../testing/sim-workload-fixture';
import { UnusableAnswerError } from '../unusable-answer-error';
import { DimensionAnswerSchema, GateAnswerSchema } from './judge-answer-schemas';
import { ENGINEER_JUDGE_TRUTH } from './judge-truth';
import type { SimJudgeContext } from './sim-context';
import { createSimProvider } from './sim-provider';

const GOOD: FeatureVector = {
  claims_tests_pass: true,
  rerun_passed: true,
  out_of_scope_writes: 0,
  has_summary_section: true,
  has_tests_section: true,
  passing_test_runs: 1,
  turn_ratio: 0.4,
  max_identical_failures: 0,
};
const BAD: FeatureVector = {
  claims_tests_pass: true,
  rerun_passed: false,
  out_of_scope_writes: 2,
  has_summary_section: false,
  has_tests_section: false,
  passing_test_runs: 0,
  turn_ratio: 1,
  max_identical_failures: 3,
};

const judgeCtx = (item: string, features: FeatureVector, decisionId = `d-${item}`): SimJudgeContext => ({
  seed: 'judge-seed',
  decisionId,
  item,
  features,
  truth: ENGINEER_JUDGE_TRUTH[item],
});

async function ask(provider: ReturnType<typeof createSimProvider>, sim: SimJudgeContext) {
  const gate = sim.truth.kind === 'gate';
  const base = { purpose: `grader:engineer:${gate ? 'gate' : 'dimension'}:${sim.item}`, system: 'rubric', prompt: 'work', sim };
  return gate ? provider.answer({ ...base, schema: GateAnswerSchema }) : provider.answer({ ...base, schema: DimensionAnswerSchema });
}

describe('sim judge', () => {
  it('the engineer truth table holds valid predicates for every model-judged item', () => {
    expect(Object.keys(ENGINEER_JUDGE_TRUTH).sort()).toEqual(
      ['claims_match_evidence', 'communication', 'correctness', 'efficiency', 'scope_discipline', 'summary_quality', 'verification_discipline'],
    );
    for (const truth of Object.values(ENGINEER_JUDGE_TRUTH)) {
      expect(PredicateSchema.safeParse(truth.kind === 'gate' ? truth.pass : truth.high).success).toBe(true);
    }
  });

  it('follows the truth table when there is no noise', async () => {
    const provider = createSimProvider({ workload: simWorkload() });
    const expected: Record<string, [unknown, unknown]> = {
      claims_match_evidence: [{ passed: true }, { passed: false }],
      correctness: [{ score: 5 }, { score: 2 }],
      scope_discipline: [{ score: 5 }, { score: 2 }],
      summary_quality: [{ score: 5 }, { score: 3 }],
      verification_discipline: [{ score: 5 }, { score: 2 }],
      efficiency: [{ score: 5 }, { score: 3 }],
      communication: [{ score: 5 }, { score: 3 }],
    };
    for (const [item, [good, bad]] of Object.entries(expected)) {
      expect((await ask(provider, judgeCtx(item, GOOD))).answer).toMatchObject(good as object);
      expect((await ask(provider, judgeCtx(item, BAD))).answer).toMatchObject(bad as object);
    }
    const gate = await ask(provider, judgeCtx('claims_match_evidence', BAD));
    expect(gate.answer).toMatchObject({ evidence: expect.stringContaining('rerun_passed=false') });
  });

  it('a claim of passing tests is fine when the re-run passed, and so is no claim at all', async () => {
    const provider = createSimProvider({ workload: simWorkload() });
    const noClaim = { ...BAD, claims_tests_pass: false };
    expect((await ask(provider, judgeCtx('claims_match_evidence', noClaim))).answer).toMatchObject({ passed: true });
  });

  it('flips about `noise` of the verdicts, the same ones every time', async () => {
    const provider = createSimProvider({ workload: simWorkload({ judge: { noise: 0.1 } }) });
    let flips = 0;
    for (let i = 0; i < 2000; i++) {
      const result = await ask(provider, judgeCtx('claims_match_evidence', GOOD, `decision-${i}`));
      if ((result.answer as { passed: boolean }).passed === false) flips++;
    }
    expect(Math.abs(flips / 2000 - 0.1)).toBeLessThan(0.04);
    const again = await ask(provider, judgeCtx('correctness', GOOD, 'decision-17'));
    expect(await ask(provider, judgeCtx('correctness', GOOD, 'decision-17'))).toEqual(again);
  });

  it('with garbageRate 1 gives up with UnusableAnswerError after exactly one retry', async () => {
    const provider = createSimProvider({ workload: simWorkload({ judge: { garbageRate: 1 } }) });
    const error = (await ask(provider, judgeCtx('correctness', GOOD)).catch((e: unknown) => e)) as UnusableAnswerError;
    expect(error).toBeInstanceOf(UnusableAnswerError);
    expect(error.rawAnswers).toHaveLength(2);
    expect(error.spent).toMatchObject({ simulated: true, model: 'sim-frontier' });
    expect(error.spent.costUsd).toBeGreaterThan(0);
  });

  it('with some garbage, some answers need the retry and are still accepted', async () => {
    const provider = createSimProvider({ workload: simWorkload({ judge: { garbageRate: 0.3 } }) });
    const attempts = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      const result = await ask(provider, judgeCtx('scope_discipline', GOOD, `g-${i}`)).catch(() => undefined);
      if (result) attempts.set(result.attempts, (attempts.get(result.attempts) ?? 0) + 1);
    }
    expect(attempts.get(1)).toBeGreaterThan(0);
    expect(attempts.get(2)).toBeGreaterThan(0);
  });

  it('marks answers as simulated, priced at the chosen model, and named by tier', async () => {
    const frontier = await ask(createSimProvider({ workload: simWorkload() }), judgeCtx('correctness', GOOD));
    const resident = await ask(createSimProvider({ workload: simWorkload(), tier: 'resident' }), judgeCtx('correctness', GOOD));
    expect(frontier).toMatchObject({ simulated: true, model: 'sim-frontier', attempts: 1 });
    expect(resident).toMatchObject({ simulated: true, model: 'sim-resident' });
    expect(frontier.usage).toEqual(resident.usage);
    expect(frontier.costUsd).toBeGreaterThan(resident.costUsd);
    expect(() => createSimProvider({ workload: simWorkload(), priceModel: 'gpt-unknown' })).toThrow(/no price for model/);
  });

  it('refuses a request without the judge context', async () => {
    const provider = createSimProvider({ workload: simWorkload() });
    await expect(provider.answer({ purpose: 'p', system: '', prompt: '', schema: GateAnswerSchema })).rejects.toThrow(ValidationError);
  });
});
