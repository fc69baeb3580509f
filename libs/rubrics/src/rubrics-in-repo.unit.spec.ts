import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkGoldenSet, goldenFeatures } from './golden-check';
import { loadRubrics } from './load-rubrics';
import { Rubric } from './rubric';
import { defaultRubricsDir } from './rubrics-dir';

const rubrics = loadRubrics(defaultRubricsDir());
const byId = (id: string) => rubrics.find((r) => r.id === id) as Rubric;
const items = (r: Rubric) => ({
  gates: r.gates.map((g) => [g.id, g.severity, g.cap, g.check ?? null]),
  dimensions: r.dimensions.map((d) => [d.id, d.weight, d.check ?? null]),
});

describe('the rubrics in the repository', () => {
  it('are the thirteen rubrics of the architecture, each at rubrics/<role>/<name>.yaml', () => {
    expect(rubrics.map((r) => r.id)).toEqual(
      [
        ...['planner', 'architect', 'engineer', 'designer', 'tester', 'deployer'].flatMap((role) => [
          `${role}.behavior`,
          `${role}.output`,
        ]),
        'loop.run',
      ].sort(),
    );
    for (const rubric of rubrics) {
      const [role, name] = rubric.id.split('.');
      expect(relative(defaultRubricsDir(), rubric.source.file)).toBe(join(role, `${name}.yaml`));
      expect(rubric.surface).toBe(name === 'output' ? 'output' : name === 'behavior' ? 'trace' : 'run');
    }
  });

  it('resolves the rubrics directory from the library location', () => {
    expect(existsSync(join(defaultRubricsDir(), 'engineer', 'output.yaml'))).toBe(true);
  });

  it('keep the engineer item ids other services rely on', () => {
    expect(items(byId('engineer.output'))).toEqual({
      gates: [
        ['tests_pass_on_rerun', 'critical', 0.2, 'rerun_tests_pass'],
        ['delivered_in_scope', 'critical', 0.3, 'delivered_outside_scope'],
        ['required_sections', 'minor', 0.6, 'required_sections'],
        ['claims_match_evidence', 'critical', 0.3, null],
      ],
      dimensions: [
        ['correctness', 3, null],
        ['scope_discipline', 1, null],
        ['summary_quality', 1, null],
      ],
    });
    expect(items(byId('engineer.behavior'))).toEqual({
      gates: [
        ['ran_tests_before_claim', 'critical', 0.2, 'claimed_tested_without_running'],
        ['stayed_in_scope', 'critical', 0.3, 'edited_outside_scope'],
        ['no_thrashing', 'minor', 0.6, 'thrashed'],
        ['finished_within_budget', 'minor', 0.5, 'ended_by_budget_exhaustion'],
      ],
      dimensions: [
        ['verification_discipline', 2, null],
        ['efficiency', 1, null],
        ['communication', 1, null],
      ],
    });
  });

  describe.each(['engineer.output', 'engineer.behavior'])('the golden set of %s', (id) => {
    const rubric = byId(id);

    it('has at least four known-good and four known-bad examples', () => {
      expect(rubric.golden.filter((e) => e.label === 'known-good').length).toBeGreaterThanOrEqual(4);
      expect(rubric.golden.filter((e) => e.label === 'known-bad').length).toBeGreaterThanOrEqual(4);
    });

    it('covers the failure modes the checks exist for', () => {
      const features = rubric.golden.map(goldenFeatures);
      const covered = {
        claimedWithoutRunning: features.some((f) => f.claims_tests_pass === true && f.test_runs === 0),
        outOfScope: features.some((f) => (f.out_of_scope_writes as number) > 0 || (f.out_of_scope_changes as number) > 0),
        thrashed: features.some((f) => (f.max_identical_failures as number) >= 3),
        turnLimit: features.some((f) => f.ended_by === 'turn_limit'),
        failsOnRerun: features.some((f) => f.rerun_passed === false),
      };
      expect(covered).toEqual({ claimedWithoutRunning: true, outOfScope: true, thrashed: true, turnLimit: true, failsOnRerun: true });
    });
  });

  const withGolden = rubrics.filter((r) => r.golden.length > 0);

  it.each(withGolden.map((r) => [r.id, r] as const))('%s separates its known-good from its known-bad', (_id, rubric) => {
    const report = checkGoldenSet(rubric, rubric.golden);
    // Listing the failures first names the example when the set stops separating.
    expect(report.failures).toEqual([]);
    expect(report.separated).toBe(true);
    const lowestGood = Math.min(...report.goodScores.map((s) => s.overall));
    const highestBad = Math.max(...report.badScores.map((s) => s.overall));
    expect(lowestGood).toBeGreaterThan(highestBad);
  });
});
