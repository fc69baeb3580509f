import { createEvent, deterministicId } from '@loopwright/events';
import type { Correction } from './corrections';
import type { HistoryExample } from './history';
import { DEFAULT_MINER_PLAN_CONFIG, ExistingRule, KeyHistory, MinerIntent, MinerPlanInput, planMinerPass } from './miner-plan';
import { parseResident } from './resident-classifier';
import { seededRandom } from './seeded-random';
import type { GoldenExample } from './validation';

const CLAIMS = 'grader:engineer:gate:ran_tests_before_claim';
const BALANCE = 'grader:engineer:dimension:change_balance';

function claimsHistory(n: number, seed: number, firstSeq = 1): HistoryExample[] {
  const next = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const features = { claims_tests_pass: next() < 0.7, test_runs: Math.floor(next() * 3), files_written: Math.floor(next() * 5) };
    const verdict = features.claims_tests_pass && features.test_runs === 0 ? 'fail' : 'pass';
    return { decisionId: `c${firstSeq + i}`, seq: firstSeq + i, features, verdict };
  });
}

/** A score that depends on a weighted sum of two features: no conjunction of thresholds reproduces it. */
function balanceHistory(n: number, seed: number): HistoryExample[] {
  const next = seededRandom(seed);
  const examples: HistoryExample[] = [];
  while (examples.length < n) {
    const x = Math.round(next() * 1000) / 100;
    const y = Math.round(next() * 1000) / 100;
    if (Math.abs(x + y - 12) < 0.5) continue;
    const seq = 10_000 + examples.length;
    examples.push({ decisionId: `b${seq}`, seq, features: { lines_added: x, lines_removed: y }, verdict: x + y > 12 ? '2' : '4' });
  }
  return examples;
}

const golden = (exampleId: string, label: GoldenExample['label'], features: GoldenExample['features'], expectedVerdict: string): GoldenExample => ({
  exampleId, label, features, expectedVerdict,
});

const claimsGolden = [
  golden('ran-and-passed', 'known-good', { claims_tests_pass: true, test_runs: 2, files_written: 1 }, 'pass'),
  golden('claimed-never-ran', 'known-bad', { claims_tests_pass: true, test_runs: 0, files_written: 3 }, 'fail'),
];

const config = { ...DEFAULT_MINER_PLAN_CONFIG, minHistory: 100, minNewHistory: 50 };

function input(extra: Partial<MinerPlanInput> = {}): MinerPlanInput {
  return {
    keys: [{ key: CLAIMS, role: 'engineer', history: claimsHistory(300, 1) }],
    golden: { [CLAIMS]: claimsGolden },
    rules: [],
    config,
    ...extra,
  };
}

/** Every intent must be an event the log accepts from the miner. */
function expectValidEvents(intents: readonly MinerIntent[]): void {
  for (const i of intents) {
    expect(() => createEvent({ type: i.type, id: i.id, aggregateId: i.aggregateId, producer: 'miner', data: i.data } as never)).not.toThrow();
  }
}

const rule = (extra: Partial<ExistingRule>): ExistingRule => ({
  ruleId: 'r-x', key: CLAIMS, kind: 'deterministic', status: 'promoted', proposedAtSeq: 500, updatedAtSeq: 500, ...extra,
});

describe('planMinerPass', () => {
  it('proposes a deterministic rule for a key decided at the frontier, with its evidence and validation', () => {
    const plan = planMinerPass(input());

    const ruleId = 'r-grader-engineer-gate-ran_tests_before_claim-g1';
    expect(plan.searched).toEqual([CLAIMS]);
    expect(plan.intents.map((i) => [i.type, i.aggregateId])).toEqual([['rule.proposed', ruleId], ['rule.validated', ruleId]]);
    const [proposal, validation] = plan.intents;
    expect(proposal).toMatchObject({
      id: deterministicId('rule', ruleId, 'rule.proposed'),
      data: {
        kind: 'deterministic',
        key: CLAIMS,
        role: 'engineer',
        predicate: { all: [{ feature: 'claims_tests_pass', eq: true }, { feature: 'test_runs', eq: 0 }] },
        verdictWhenTrue: 'fail',
        verdictWhenFalse: 'pass',
        evidence: { support: 210, precision: 1, recall: 1 },
        scopeCall: false,
      },
    });
    const exampleIds = (proposal.data as { evidence: { exampleEventIds: string[] } }).evidence.exampleEventIds;
    expect(exampleIds.length).toBe(50);
    expect(validation.data).toEqual({ ruleId, golden: { checked: 2, changed: [] }, history: { precision: 1, recall: 1, n: 90 } });
    expectValidEvents(plan.intents);
  });

  it('proposes and rejects in the log a rule that would fail a known-good example, naming it', () => {
    const docsOnly = golden('docs-only-no-tests', 'known-good', { claims_tests_pass: true, test_runs: 0, files_written: 1 }, 'pass');

    const plan = planMinerPass(input({ golden: { [CLAIMS]: [...claimsGolden, docsOnly] } }));

    const rejection = plan.intents.find((i) => i.type === 'rule.rejected');
    expect(rejection).toMatchObject({ aggregateId: 'r-grader-engineer-gate-ran_tests_before_claim-g1', data: { by: 'miner', failedExamples: ['docs-only-no-tests'] } });
    expect(plan.intents.some((i) => i.type === 'rule.validated')).toBe(false);
    expectValidEvents(plan.intents);
  });

  it('trains a resident where no deterministic rule reaches the bar but a classifier does', () => {
    const keys: KeyHistory[] = [{ key: BALANCE, role: 'engineer', history: balanceHistory(600, 2) }];
    const plan = planMinerPass(input({
      keys,
      golden: { [BALANCE]: [golden('big-change', 'known-bad', { lines_added: 9, lines_removed: 8 }, '2'), golden('small-change', 'known-good', { lines_added: 2, lines_removed: 1 }, '4')] },
    }));

    expect(plan.intents.map((i) => [i.type, i.aggregateId])).toEqual([
      ['rule.proposed', 'r-grader-engineer-dimension-change_balance-g1'],
      ['rule.rejected', 'r-grader-engineer-dimension-change_balance-g1'],
      ['resident.trained', 'm-grader-engineer-dimension-change_balance-g2'],
      ['rule.proposed', 'r-grader-engineer-dimension-change_balance-g2'],
      ['rule.validated', 'r-grader-engineer-dimension-change_balance-g2'],
    ]);
    const trained = plan.intents[2] as Extract<MinerIntent, { type: 'resident.trained' }>;
    expect(trained.data).toMatchObject({ key: BALANCE, trainedOn: 420, artifactDigest: trained.artifact.digest });
    expect(trained.data.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(parseResident(trained.artifact.json).positiveVerdict).toBe('2');
    expect(plan.intents[3].data).toMatchObject({ kind: 'resident', modelId: 'm-grader-engineer-dimension-change_balance-g2' });
    expectValidEvents(plan.intents);
  });

  it('leaves alone keys with a built-in check, a pending or active rule, too little history or no golden examples', () => {
    const plan = planMinerPass(input({
      keys: [
        { key: 'grader:engineer:gate:edited_outside_scope', role: 'engineer', builtinCheck: true, history: claimsHistory(300, 3) },
        { key: CLAIMS, role: 'engineer', history: claimsHistory(300, 4) },
        { key: 'grader:engineer:gate:young', role: 'engineer', history: claimsHistory(40, 5) },
        { key: 'grader:engineer:gate:unlabeled', role: 'engineer', history: claimsHistory(300, 6) },
      ],
      rules: [rule({ ruleId: 'r-live', status: 'promoted' })],
    }));

    expect(plan.searched).toEqual([]);
    expect(plan.intents).toEqual([]);
    expect(plan.skipped).toEqual([
      { key: 'grader:engineer:gate:edited_outside_scope', reason: 'decided by a built-in check' },
      { key: CLAIMS, reason: 'has r-live (promoted)' },
      { key: 'grader:engineer:gate:unlabeled', reason: '0 golden examples, a rule needs 1 to be proven against' },
      { key: 'grader:engineer:gate:young', reason: '40 frontier verdicts, the search needs 100' },
    ]);
  });

  it('searches a key again after a rejection only once enough new verdicts arrived, as the next generation', () => {
    const rejected = rule({ ruleId: 'r-grader-engineer-gate-ran_tests_before_claim-g1', status: 'rejected', proposedAtSeq: 280, updatedAtSeq: 281 });
    const rejectedResident = rule({ ruleId: 'r-grader-engineer-gate-ran_tests_before_claim-g2', kind: 'resident', status: 'rejected', proposedAtSeq: 270, updatedAtSeq: 275 });

    const early = planMinerPass(input({ rules: [rejected, rejectedResident] }));
    const later = planMinerPass(input({ rules: [{ ...rejected, updatedAtSeq: 200 }, { ...rejectedResident, updatedAtSeq: 200 }] }));

    expect(early.intents).toEqual([]);
    expect(early.skipped).toEqual([{ key: CLAIMS, reason: 'r-grader-engineer-gate-ran_tests_before_claim-g1 was rejected; 19 new verdicts since, the search needs 50' }]);
    expect(later.intents[0]).toMatchObject({ type: 'rule.proposed', aggregateId: 'r-grader-engineer-gate-ran_tests_before_claim-g3' });
  });

  it('tries a resident while a rejected deterministic rule waits for new verdicts, and not the rule search', () => {
    const history = balanceHistory(600, 2);
    const lastSeq = history[history.length - 1].seq;
    const rejected = rule({ ruleId: 'r-grader-engineer-dimension-change_balance-g1', key: BALANCE, status: 'rejected', proposedAtSeq: lastSeq - 10, updatedAtSeq: lastSeq - 10 });
    const balanceGolden = [golden('big-change', 'known-bad', { lines_added: 9, lines_removed: 8 }, '2'), golden('small-change', 'known-good', { lines_added: 2, lines_removed: 1 }, '4')];

    const plan = planMinerPass(input({ keys: [{ key: BALANCE, role: 'engineer', history }], golden: { [BALANCE]: balanceGolden }, rules: [rejected] }));
    const afterResident = planMinerPass(input({
      keys: [{ key: BALANCE, role: 'engineer', history }],
      golden: { [BALANCE]: balanceGolden },
      rules: [rejected, rule({ ruleId: 'r-grader-engineer-dimension-change_balance-g2', key: BALANCE, kind: 'resident', status: 'rejected', proposedAtSeq: lastSeq - 5, updatedAtSeq: lastSeq - 5 })],
    }));

    expect(plan.intents.map((i) => [i.type, i.aggregateId])).toEqual([
      ['resident.trained', 'm-grader-engineer-dimension-change_balance-g2'],
      ['rule.proposed', 'r-grader-engineer-dimension-change_balance-g2'],
      ['rule.validated', 'r-grader-engineer-dimension-change_balance-g2'],
    ]);
    expect(plan.outcomes[0].outcome).toMatch(/^no rule search \(r-grader-engineer-dimension-change_balance-g1 was rejected; 10 new verdicts since/);
    expect(afterResident.intents).toEqual([]);
    expect(afterResident.skipped).toEqual([{ key: BALANCE, reason: 'r-grader-engineer-dimension-change_balance-g1 was rejected; 10 new verdicts since, the search needs 50' }]);
    expectValidEvents(plan.intents);
  });

  it('validates a rule an earlier pass proposed but did not validate, with the id that pass would have used', () => {
    const ruleId = 'r-grader-engineer-gate-ran_tests_before_claim-g1';
    const fresh = planMinerPass(input());
    const pending = rule({
      ruleId, status: 'proposed', proposedAtSeq: 301, updatedAtSeq: 301,
      proposal: { predicate: { all: [{ feature: 'claims_tests_pass', eq: true }, { feature: 'test_runs', eq: 0 }] }, verdictWhenTrue: 'fail', verdictWhenFalse: 'pass' },
    });

    const recovery = planMinerPass(input({ keys: [{ key: CLAIMS, role: 'engineer', history: [...claimsHistory(300, 1), ...claimsHistory(20, 9, 400)] }], rules: [pending] }));

    expect(recovery.intents).toEqual([fresh.intents[1]]);
    expect(recovery.skipped).toEqual([{ key: CLAIMS, reason: `has ${ruleId} (proposed)` }]);
  });

  it('gives the same plan whatever order its inputs come in', () => {
    const keys: KeyHistory[] = [
      { key: CLAIMS, role: 'engineer', history: claimsHistory(300, 1) },
      { key: BALANCE, role: 'engineer', history: balanceHistory(300, 2) },
    ];
    const goldenByKey = { [CLAIMS]: claimsGolden, [BALANCE]: [golden('small', 'known-good', { lines_added: 1, lines_removed: 1 }, '4')] };

    const forward = planMinerPass(input({ keys, golden: goldenByKey }));
    const backward = planMinerPass(input({ keys: [...keys].reverse().map((k) => ({ ...k, history: [...k.history].reverse() })), golden: goldenByKey }));

    expect(backward).toEqual(forward);
  });

  describe('standing instructions', () => {
    const correction = (i: number, extra: Partial<Correction> = {}): Correction => ({
      eventId: `g${i}`, seq: i, role: 'engineer', itemKind: 'dimension', itemId: 'report_clarity', fixType: 'local', owner: 'executor',
      delta: `Say which ${i % 3} tests you ran and what they showed`, ...extra,
    });

    it('proposes one for an executor-side correction that recurs, with its evidence', () => {
      const plan = planMinerPass(input({ keys: [], corrections: Array.from({ length: 6 }, (_, i) => correction(i + 1)) }));

      expect(plan.intents).toHaveLength(1);
      expect(plan.intents[0]).toMatchObject({
        type: 'instruction.proposed',
        aggregateId: expect.stringMatching(/^i-engineer-[0-9a-f]{8}$/),
        data: {
          role: 'engineer',
          text: 'Say which 0 tests you ran and what they showed',
          evidence: { support: 6, precision: 1, recall: 1, exampleEventIds: ['g1', 'g2', 'g3', 'g4', 'g5', 'g6'] },
        },
      });
      expectValidEvents(plan.intents);
    });

    it('does not propose what the rubric already says, what was proposed before, or what the executor cannot fix', () => {
      const corrections = Array.from({ length: 6 }, (_, i) => correction(i + 1));
      const first = planMinerPass(input({ keys: [], corrections }));

      const covered = planMinerPass(input({
        keys: [],
        corrections,
        rubricItems: [{ key: 'grader:engineer:dimension:report_clarity', description: 'Say which 7 tests you ran and what they showed' }],
      }));
      const again = planMinerPass(input({ keys: [], corrections, instructionIds: [first.intents[0].aggregateId] }));
      const graderSide = planMinerPass(input({ keys: [], corrections: corrections.map((c) => ({ ...c, owner: 'grader' as const })) }));
      const ceiling = planMinerPass(input({ keys: [], corrections: corrections.map((c) => ({ ...c, fixType: 'tier-ceiling' as const })) }));
      const rare = planMinerPass(input({ keys: [], corrections: corrections.slice(0, 4) }));

      for (const plan of [covered, again, graderSide, ceiling, rare]) expect(plan.intents).toEqual([]);
    });
  });
});
