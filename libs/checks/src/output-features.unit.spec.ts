import { computeOutputFeatures, OUTPUT_FEATURE_NAMES } from './output-features';

const finalMessage = '## Summary\nAdded sum.\n\n## Tests\nnode test/sum.test.js passes.';

describe('computeOutputFeatures', () => {
  it('names exactly the agreed features', () => {
    expect(Object.keys(computeOutputFeatures({ files: [], finalMessage: '' }, null)).sort()).toEqual(
      [...OUTPUT_FEATURE_NAMES].sort(),
    );
  });

  it('fails a re-run that exits 0 while its runner reports failed tests', () => {
    const rerun = (exitCode: number | null, output: string) => computeOutputFeatures({ files: [], finalMessage }, { exitCode, output });
    expect(rerun(0, '1..1\n# pass 0\n# fail 1\n')).toMatchObject({ rerun_exit_code: 0, rerun_passed: false });
    expect(rerun(0, '1..1\n# pass 1\n# fail 0\n').rerun_passed).toBe(true);
    expect(rerun(null, '# fail 0\n').rerun_passed).toBe(false);
  });

  it('reads a passing re-run and both sections', () => {
    expect(computeOutputFeatures({ files: ['src/sum.js'], finalMessage }, { exitCode: 0, output: 'ok' })).toEqual({
      rerun_exit_code: 0,
      rerun_passed: true,
      has_summary_section: true,
      has_tests_section: true,
      files_changed: 1,
      final_message_length: finalMessage.length,
    });
  });

  it('reads a failing, a killed and a missing re-run', () => {
    expect(computeOutputFeatures({ files: [], finalMessage }, { exitCode: 1, output: 'fail' })).toMatchObject({
      rerun_exit_code: 1,
      rerun_passed: false,
    });
    expect(computeOutputFeatures({ files: [], finalMessage }, { exitCode: null, output: '' })).toMatchObject({
      rerun_exit_code: -1,
      rerun_passed: false,
    });
    expect(computeOutputFeatures({ files: [], finalMessage }, null)).toMatchObject({
      rerun_exit_code: -1,
      rerun_passed: false,
    });
  });

  it.each([
    ['## summary\n## TESTS', true, true],
    ['Intro\n  ## Summary of changes\ntext\n## Testing\nran it', true, true],
    ['# Summary\n### Tests', false, false],
    ['Summary: added sum. Tests: pass.', false, false],
    ['text ## Summary inline', false, false],
  ])('finds headings in %j', (message, summary, tests) => {
    expect(computeOutputFeatures({ files: [], finalMessage: message }, null)).toMatchObject({
      has_summary_section: summary,
      has_tests_section: tests,
    });
  });
});
