import { DEFAULT_DRAFTING_PLAN_CONFIG, DraftingHistory, planDrafting } from './drafting-plan';
import type { ExistingRule } from './miner-plan';

const drafts = (n: number, passEvery = 2): DraftingHistory['drafts'] =>
  Array.from({ length: n }, (_, i) => ({ decisionId: `t${i}-draft-1`, seq: 10 + i, passed: i % passEvery === 0, caughtByCheck: i % passEvery !== 0 && i % 3 === 0 }));
const history = (over: Partial<DraftingHistory> = {}): DraftingHistory => ({ key: 'executor:engineer:draft', role: 'engineer', drafts: drafts(40), gradedAgainstTests: true, ...over });
const rule = (status: ExistingRule['status']): ExistingRule => ({ ruleId: 'r-executor-engineer-draft-g1', key: 'executor:engineer:draft', kind: 'resident', status, proposedAtSeq: 1, updatedAtSeq: 2 });

describe('planDrafting', () => {
  it('proposes and validates drafting by the resident once the frontier drafts are graded often enough, carrying their pass rate as the bar', () => {
    const plan = planDrafting(history(), [], DEFAULT_DRAFTING_PLAN_CONFIG);
    expect(plan.intents.map((i) => i.type)).toEqual(['rule.proposed', 'rule.validated']);
    expect(plan.intents[0]).toMatchObject({
      aggregateId: 'r-executor-engineer-draft-g1',
      data: { kind: 'resident', key: 'executor:engineer:draft', modelId: 'resident-drafter', evidence: { support: 40, precision: 0.5 } },
    });
    expect(plan.intents[1]).toMatchObject({ data: { golden: { checked: 0, changed: [] }, history: { n: 12, precision: 0.5 } } });
    expect(plan.outcome).toMatch(/of 12 frontier drafts after seq 37, 0\.500 passed their first grade/);
  });

  it('waits for enough graded drafts, and for work the grader re-runs tests on', () => {
    expect(planDrafting(history({ drafts: drafts(29) }), [], DEFAULT_DRAFTING_PLAN_CONFIG)).toEqual({ intents: [], skipped: '29 graded frontier drafts, drafting needs 30' });
    expect(planDrafting(history({ gradedAgainstTests: false }), [], DEFAULT_DRAFTING_PLAN_CONFIG).skipped).toMatch(/not graded against tests/);
  });

  it('leaves a key with a rule on its way or in force alone, and does not try again after a demotion', () => {
    expect(planDrafting(history(), [rule('promoted')], DEFAULT_DRAFTING_PLAN_CONFIG).skipped).toMatch(/has r-executor-engineer-draft-g1 \(promoted\)/);
    expect(planDrafting(history(), [rule('demoted')], DEFAULT_DRAFTING_PLAN_CONFIG).skipped).toMatch(/a person decides/);
  });
});
