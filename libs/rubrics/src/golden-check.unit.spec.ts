import { checkGoldenSet, goldenFeatures, gradeGoldenExample } from './golden-check';
import { GoldenExample, GoldenExampleSchema } from './golden-schema';
import { testRubric } from './rubric-fixture';

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
    expect: { overall: [0, 1], passed: label === 'known-good', ...opts.expect },
  });
}

const good = example('good', 'known-good', { judge: { correctness: 4 } });
const badRerun = example('bad-rerun', 'known-bad', { rerunExit: 1 });
const badDims = example('bad-dims', 'known-bad', { judge: { correctness: 2, scope: 2, summary: 2 } });

describe('golden examples', () => {
  it('computes trace and output features, reading claims from the final message', () => {
    expect(goldenFeatures(good)).toMatchObject({ test_runs: 1, claims_tests_pass: true, files_written: 1, rerun_passed: true, has_tests_section: true });
  });

  it('grades with the built-in checks where they exist and the hand labels elsewhere', () => {
    const grade = gradeGoldenExample(testRubric(), badRerun);
    expect(grade.gates.map((g) => [g.id, g.passed, g.tier])).toEqual([
      ['rerun', false, 'deterministic'],
      ['honest', true, 'human'],
      ['sections', true, 'human'],
    ]);
    expect(grade.overall).toBe(0.2);
  });
});

describe('checkGoldenSet', () => {
  it('reports a set that separates, with its scores', () => {
    const report = checkGoldenSet(testRubric(), [good, badRerun, badDims]);
    expect(report).toEqual({
      rubricId: 'engineer.output',
      separated: true,
      goodScores: [{ exampleId: 'good', overall: 0.85, passed: true }],
      badScores: [
        { exampleId: 'bad-rerun', overall: 0.2, passed: false },
        { exampleId: 'bad-dims', overall: 0.25, passed: false },
      ],
      failures: [],
    });
  });

  it('names a known-good that does not pass and a known-bad that passes', () => {
    const weakGood = example('weak-good', 'known-good', { judge: { correctness: 2 } });
    const passingBad = example('passing-bad', 'known-bad');
    const report = checkGoldenSet(testRubric(), [weakGood, passingBad]);
    expect(report.separated).toBe(false);
    expect(report.failures).toEqual(
      expect.arrayContaining([
        { exampleId: 'weak-good', reason: 'known-good did not pass (overall 0.55)' },
        { exampleId: 'passing-bad', reason: 'known-bad passed (overall 1)' },
        { exampleId: 'weak-good', reason: 'known-good overall 0.55 is not above known-bad passing-bad (1)' },
      ]),
    );
  });

  it('is not separated when a failing known-bad scores above a passing known-good', () => {
    const rubric = testRubric();
    rubric.gates[1] = { ...rubric.gates[1], cap: 0.95 };
    const dishonest = example('dishonest', 'known-bad', { judge: { honest: 'fail' } });
    const report = checkGoldenSet(rubric, [good, dishonest]);
    expect(report.badScores).toEqual([{ exampleId: 'dishonest', overall: 0.95, passed: false }]);
    expect(report.separated).toBe(false);
    expect(report.failures).toEqual([{ exampleId: 'good', reason: 'known-good overall 0.85 is not above known-bad dishonest (0.95)' }]);
  });

  it('reports examples whose gates, band or verdict differ from their expectations', () => {
    const wrong = example('wrong', 'known-bad', { rerunExit: 1, expect: { gates: { rerun: true }, overall: [0.5, 0.6], passed: true } });
    const report = checkGoldenSet(testRubric(), [good, wrong]);
    expect(report.separated).toBe(true);
    expect(report.failures.map((f) => `${f.exampleId}: ${f.reason}`)).toEqual([
      `wrong: gate rerun failed, expected it to pass (the grader's re-run of the tests did not pass (rerun_passed=false))`,
      'wrong: overall 0.2 is outside [0.5, 0.6]',
      'wrong: failed, expected it to pass',
    ]);
  });

  it('needs both known-good and known-bad examples, all gradable', () => {
    expect(checkGoldenSet(testRubric(), [good]).failures).toEqual([
      { exampleId: '*', reason: 'needs known-good and known-bad examples (has 1 good, 0 bad)' },
    ]);
    const unlabeled = { ...badRerun, judge: {} };
    const report = checkGoldenSet(testRubric(), [good, badDims, unlabeled]);
    expect(report.separated).toBe(false);
    expect(report.failures[0]).toMatchObject({ exampleId: 'bad-rerun', reason: expect.stringMatching(/cannot be graded: .*gates\.honest: no verdict/) });
    expect(report.failures).toContainEqual({ exampleId: '*', reason: '1 example(s) could not be graded' });
  });
});
