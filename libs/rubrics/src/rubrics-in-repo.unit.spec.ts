import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkGoldenSet, goldenFeatures, gradeGoldenExample } from './golden-check';
import { loadRubrics } from './load-rubrics';
import { Rubric } from './rubric';
import { defaultRubricsDir } from './rubrics-dir';

const rubrics = loadRubrics(defaultRubricsDir());
const byId = (id: string) => rubrics.find((r) => r.id === id) as Rubric;
const items = (r: Rubric) => ({
  gates: r.gates.map((g) => [g.id, g.severity, g.check ?? null]),
  dimensions: r.dimensions.map((d) => [d.id, d.weight, d.check ?? null]),
});

const ARTIFACT = ['task-plan', 'review-report', 'implementation', 'handoff', 'probe-plan', 'release-gate', 'deployment-report'];
const ROLES = ['planner', 'architect', 'engineer', 'designer', 'tester', 'deployer'] as const;
const THIRTEEN = [...ARTIFACT, ...ROLES.map((role) => `${role}.trajectory`)];

describe('the rubrics in the repository', () => {
  it('are the thirteen rubrics of the sources, and the run rubric beside them, each where its surface says', () => {
    expect(rubrics.map((r) => r.id)).toEqual([...THIRTEEN, 'loop.run'].sort());
    for (const rubric of rubrics) {
      const place =
        rubric.surface === 'output' ? join('artifacts', `${rubric.id}.yaml`)
          : rubric.surface === 'trace' ? join('trajectories', `${rubric.roles[0]}.yaml`)
            : join('run', 'loop.yaml');
      expect(relative(defaultRubricsDir(), rubric.source.file)).toBe(place);
    }
  });

  it('grade every role on one artifact rubric or more, one trajectory rubric, and the handoff when it hands on', () => {
    for (const role of ROLES) {
      const mine = rubrics.filter((r) => r.roles.includes(role));
      expect(mine.filter((r) => r.surface === 'trace').map((r) => r.id)).toEqual([`${role}.trajectory`]);
      expect(mine.filter((r) => r.surface === 'output').map((r) => r.id)).toContain('handoff');
    }
    expect(byId('implementation').roles).toEqual(['engineer', 'designer']);
    expect(rubrics.filter((r) => r.roles.includes('tester') && r.surface === 'output').map((r) => r.id).sort()).toEqual(['handoff', 'probe-plan', 'release-gate']);
  });

  it('start every behavior rubric advisory, and gate every artifact rubric', () => {
    for (const rubric of rubrics) expect([rubric.id, rubric.activation]).toEqual([rubric.id, rubric.surface === 'trace' ? 'advisory' : 'gating']);
  });

  it('follow the format: 4 to 8 dimensions, integer weights 4..10 with a rationale, the thresholds of the sources', () => {
    for (const rubric of rubrics) {
      expect(rubric.dimensions.length).toBeGreaterThanOrEqual(3);
      expect(rubric.dimensions.length).toBeLessThanOrEqual(8);
      expect(rubric.weightRationale).toEqual(expect.any(String));
      const heaviest = [...rubric.dimensions].sort((a, b) => b.weight - a.weight)[0];
      expect(rubric.weightRationale).toContain(heaviest.id);
      expect(rubric.passThreshold).toBe(['probe-plan', 'deployment-report'].includes(rubric.id) ? 0.8 : 0.7);
    }
  });

  it('decide in code the behavior gates the sources decide in code', () => {
    const checkOf = (id: string, gate: string) => byId(id).gates.find((g) => g.id === gate)?.check;
    expect(checkOf('planner.trajectory', 'ended_explicitly')).toBe('ended_explicitly');
    expect(checkOf('planner.trajectory', 'no_code_artifacts')).toBe('wrote_implementation_code');
    expect(checkOf('architect.trajectory', 'no_implementation_code')).toBe('wrote_implementation_code');
    expect(checkOf('engineer.trajectory', 'verified_before_complete')).toBe('completed_without_running_code');
    expect(checkOf('tester.trajectory', 'harness_run_before_findings')).toBe('findings_before_harness');
    expect(checkOf('deployer.trajectory', 'release_gate_read_before_deploy')).toBe('deployed_without_reading_gate');
    expect(checkOf('deployer.trajectory', 'live_verify_after_deploy')).toBe('deployed_without_verifying');
    for (const role of ROLES) {
      expect(checkOf(`${role}.trajectory`, 'ended_explicitly')).toBe('ended_explicitly');
      expect(checkOf(`${role}.trajectory`, 'stayed_in_boundary') ?? checkOf(`${role}.trajectory`, 'no_code_artifacts')).toBeDefined();
    }
  });

  it('resolves the rubrics directory from the library location', () => {
    expect(existsSync(join(defaultRubricsDir(), 'artifacts', 'implementation.yaml'))).toBe(true);
  });

  it('keep the engineer item ids that decision keys and mined rules carry', () => {
    expect(items(byId('implementation')).dimensions.map(([id]) => id)).toEqual(['correctness', 'smallest_coherent_change', 'error_response_quality', 'implementation_note_quality']);
    expect(items(byId('implementation')).gates.slice(0, 4)).toEqual([
      ['file_ownership', 'critical', 'outside_role_boundary'],
      ['module_loads', 'critical', 'completed_without_running_code'],
      ['tests_pass_on_rerun', 'critical', 'rerun_tests_pass'],
      ['claims_match_evidence', 'critical', null],
    ]);
  });

  const thirteen = rubrics.filter((r) => THIRTEEN.includes(r.id));

  describe.each(thirteen.map((r) => [r.id, r] as const))('the golden set of %s', (_id, rubric) => {
    it('has hand-labeled known-good and known-bad examples (at least three of each)', () => {
      expect(rubric.golden.filter((e) => e.label === 'known-good').length).toBeGreaterThanOrEqual(3);
      expect(rubric.golden.filter((e) => e.label === 'known-bad').length).toBeGreaterThanOrEqual(3);
    });

    it('separates its known-good from its known-bad, each on the gates and in the band it was labeled with', () => {
      const report = checkGoldenSet(rubric, rubric.golden);
      // Listing the failures first names the example when the set stops separating.
      expect(report.failures).toEqual([]);
      expect(report.separated).toBe(true);
      expect(Math.min(...report.goodScores.map((s) => s.overall))).toBeGreaterThan(Math.max(...report.badScores.map((s) => s.overall)));
    });

    it('makes every gate decided by code fail in some known-bad, and pass in every known-good', () => {
      const grades = rubric.golden.map((example) => ({ example, grade: gradeGoldenExample(rubric, example) }));
      for (const gate of rubric.gates.filter((g) => g.check)) {
        const failedBy = grades.filter(({ grade }) => grade.gates.some((g) => g.id === gate.id && !g.passed)).map(({ example }) => example.label);
        expect({ gate: gate.id, failsSomeKnownBad: failedBy.includes('known-bad'), failsAKnownGood: failedBy.includes('known-good') }).toEqual({
          gate: gate.id, failsSomeKnownBad: true, failsAKnownGood: false,
        });
      }
    });
  });

  describe.each(['implementation', 'engineer.trajectory'])('the golden set of %s', (id) => {
    const rubric = byId(id);
    it('covers the failure modes a worker uses to game the checks', () => {
      const features = rubric.golden.map((example) => goldenFeatures(rubric, example));
      const covered = {
        claimedWithoutRunning: features.some((f) => f.claims_tests_pass === true && f.test_runs === 0),
        outOfBoundary: features.some((f) => (f.boundary_violations as number) > 0),
        thrashed: features.some((f) => (f.max_identical_failures as number) >= 3),
        turnLimit: features.some((f) => f.ended_by === 'turn_limit'),
        failsOnRerun: features.some((f) => f.rerun_passed === false && f.rerun_available === true),
      };
      expect(covered).toEqual({ claimedWithoutRunning: true, outOfBoundary: true, thrashed: true, turnLimit: true, failsOnRerun: true });
    });
  });
});
