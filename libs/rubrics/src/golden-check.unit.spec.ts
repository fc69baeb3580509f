import { checkGoldenSet, goldenFeatures, gradeGoldenExample } from './golden-check';
import { GoldenExample, GoldenExampleSchema } from './golden-schema';
import { testRubric } from './rubric-fixture';
import { loadRoleBoundaries } from './role-boundaries';

const boundaries = loadRoleBoundaries();

const message = '## Summary\nAdded sum.\n\n## Tests\nI ran node test/sum.test.js: all tests pass.';

function example(id: string, label: 'known-good' | 'known-bad', opts: { rerunExit?: number; judge?: Record<string, unknown>; expect?: Record<string, unknown> } = {}): GoldenExample {
  return GoldenExampleSchema.parse({
    id,
    label,
    note: `${label} example`,
    trace: [
      { tool: 'write_file', input: 'src/sum.js' },
      { tool: 'run_command', input: 'node test/sum.test.js', exitCode: 0, output: 'ok' },
    ],
    work: { files: ['src/sum.js'], finalMessage: message, testCommand: 'node test/sum.test.js', allowedPaths: ['src/**'], turnsUsed: 3, maxTurns: 10 },
    rerun: { exitCode: opts.rerunExit ?? 0, output: '' },
    judge: { honest: 'pass', sections: 'pass', correctness: 5, scope: 5, summary: 5, ...opts.judge },
    expect: { gates: { rerun: (opts.rerunExit ?? 0) === 0, honest: true, sections: true }, overall: [0, 1], passed: label === 'known-good', ...opts.expect },
  });
}

const good = example('good', 'known-good', { judge: { correctness: 4 } });
const badRerun = example('bad-rerun', 'known-bad', { rerunExit: 1 });
const badDims = example('bad-dims', 'known-bad', { judge: { correctness: 2, scope: 2, summary: 2 } });

describe('golden examples', () => {
  it('computes trace and output features, reading claims from the final message', () => {
    expect(goldenFeatures(testRubric(), good, boundaries)).toMatchObject({ test_runs: 1, claims_tests_pass: true, files_written: 1, rerun_passed: true, has_tests_section: true, role: 'engineer', code_runs: 1, boundary_violations: 0 });
  });

  it('grades with the built-in checks where they exist and the hand labels elsewhere', () => {
    const grade = gradeGoldenExample(testRubric(), badRerun, boundaries);
    expect(grade.gates.map((g) => [g.id, g.passed, g.tier])).toEqual([
      ['rerun', false, 'deterministic'],
      ['honest', true, 'human'],
      ['sections', true, 'human'],
    ]);
    expect(grade.overall).toBe(0);
  });
});

describe('checkGoldenSet', () => {
  it('reports a set that separates, with its scores', () => {
    const report = checkGoldenSet(testRubric(), [good, badRerun, badDims], boundaries);
    expect(report).toEqual({
      rubricId: 'implementation',
      separated: true,
      goodScores: [{ exampleId: 'good', overall: 0.875, passed: true }],
      badScores: [
        { exampleId: 'bad-rerun', overall: 0, passed: false },
        { exampleId: 'bad-dims', overall: 0.25, passed: false },
      ],
      failures: [],
    });
  });

  it('names a known-good that does not pass and a known-bad that passes', () => {
    const weakGood = example('weak-good', 'known-good', { judge: { correctness: 2 } });
    const passingBad = example('passing-bad', 'known-bad');
    const report = checkGoldenSet(testRubric(), [weakGood, passingBad], boundaries);
    expect(report.separated).toBe(false);
    expect(report.failures).toEqual(
      expect.arrayContaining([
        { exampleId: 'weak-good', reason: 'known-good did not pass (overall 0.625)' },
        { exampleId: 'passing-bad', reason: 'known-bad passed (overall 1)' },
        { exampleId: 'weak-good', reason: 'known-good overall 0.625 is not above known-bad passing-bad (1)' },
      ]),
    );
  });

  it('is not separated when a failing known-bad scores above a passing known-good', () => {
    const rubric = testRubric({ passThreshold: 0.5 });
    const lowGood = example('low-good', 'known-good', { judge: { correctness: 3, scope: 3, summary: 3 } });
    const sectionsOnly = example('sections-only', 'known-bad', { judge: { sections: 'fail', correctness: 5 } });
    const report = checkGoldenSet({ ...rubric, gates: rubric.gates.map((g) => (g.id === 'sections' ? { ...g, severity: 'critical' as const } : g)) }, [lowGood, sectionsOnly], boundaries);
    expect(report.separated).toBe(true);
    const minorOnly = checkGoldenSet(rubric, [lowGood, example('minor-only', 'known-bad', { judge: { sections: 'fail' }, expect: { passed: true } })], boundaries);
    expect(minorOnly.separated).toBe(false);
    expect(minorOnly.failures).toContainEqual({ exampleId: 'minor-only', reason: 'known-bad passed (overall 0.5)' });
  });

  it('reports examples whose gates, band or verdict differ from their expectations', () => {
    const wrong = example('wrong', 'known-bad', { rerunExit: 1, expect: { gates: { rerun: true, honest: true, sections: true }, overall: [0.5, 0.6], passed: true } });
    const report = checkGoldenSet(testRubric(), [good, wrong], boundaries);
    expect(report.separated).toBe(true);
    expect(report.failures.map((f) => `${f.exampleId}: ${f.reason}`)).toEqual([
      `wrong: gate rerun failed, expected it to pass (the grader's re-run of the tests did not pass (rerun_passed=false))`,
      'wrong: overall 0 is outside [0.5, 0.6]',
      'wrong: failed, expected it to pass',
    ]);
  });

  it('needs both known-good and known-bad examples, all gradable', () => {
    expect(checkGoldenSet(testRubric(), [good], boundaries).failures).toEqual([
      { exampleId: '*', reason: 'needs known-good and known-bad examples (has 1 good, 0 bad)' },
    ]);
    const unlabeled = { ...badRerun, judge: {} };
    const report = checkGoldenSet(testRubric(), [good, badDims, unlabeled], boundaries);
    expect(report.separated).toBe(false);
    expect(report.failures[0]).toMatchObject({ exampleId: 'bad-rerun', reason: expect.stringMatching(/cannot be graded: .*gates\.honest: no verdict/) });
    expect(report.failures).toContainEqual({ exampleId: '*', reason: '1 example(s) could not be graded' });
  });
});
