import { extractClaims } from './claims';

describe('extractClaims', () => {
  it.each([
    'All tests pass.',
    'The tests pass now.',
    'I ran node test/sum.test.js and the tests passed.',
    'Tests are green.',
    'All 3 tests pass.',
    'The test passes.',
    'Everything passes.',
    'Everything is green now.',
    'All passing.',
    'Everything passes now.',
    'The suite passes.',
    'The build and test suite are green.',
  ])('reads a passing claim in %j', (message) => {
    expect(extractClaims(message)).toMatchObject({ testsPass: true, testsRun: true });
  });

  it.each([
    ['The tests do not pass yet.', true],
    ["The tests don't pass.", true],
    ['Two tests fail on negative numbers.', true],
    ['I ran the tests: 3 tests passed, 1 test failed.', true],
    ['Not all tests pass.', true],
    ['I could not run the tests because node is missing.', false],
    ['I implemented sum.', false],
    ['Not everything passes yet.', false],
    ['The values all pass through unchanged.', false],
    ['Everything passes through validate() first.', false],
    ['The suite passes its options to the runner.', false],
  ])('reads no passing claim in %j (tests run: %s)', (message, testsRun) => {
    expect(extractClaims(message)).toMatchObject({ testsPass: false, testsRun });
  });

  it.each([
    'I ran the tests; they still need work.',
    'I ran node test/sum.test.js.',
    'Test run: 2 of 3.',
  ])('reads a run claim without a passing claim in %j', (message) => {
    expect(extractClaims(message)).toEqual(expect.objectContaining({ testsPass: false, testsRun: true }));
  });

  it.each(['The tests were not run.', 'I did not run the tests.', 'Done without running npm test.'])(
    'reads a negated run in %j',
    (message) => expect(extractClaims(message).testsRun).toBe(false),
  );

  it('takes the summary from the "## Summary" section', () => {
    const message = '## Summary\nAdded sum(a, b) in src/sum.js.\n\n## Tests\nAll tests pass.';
    expect(extractClaims(message)).toEqual({
      testsPass: true, testsRun: true, evidence: 'All tests pass.', summary: 'Added sum(a, b) in src/sum.js.',
    });
  });

  it('takes the first non-empty line as the summary when there is no section', () => {
    expect(extractClaims('\n\nImplemented sum.\nMore detail.').summary).toBe('Implemented sum.');
    expect(extractClaims('').summary).toBe('');
  });

  // "Verified with npm test." used to read as a run claim only; agents say "verified" to mean it works.
  it.each([
    ['Verified with npm test.', 'Verified with npm test.'],
    ['I verified the fix with the reproduction script.', 'I verified the fix with the reproduction script.'],
    ['Confirmed it works for both inputs.', 'Confirmed it works for both inputs.'],
    ['I ran the existing tests to ensure no regressions.', 'I ran the existing tests to ensure no regressions.'],
    ['All doctests pass (doctests) pass and the docs build.', 'All doctests pass (doctests) pass and the docs build.'],
    ['Done: 14 passed in 0.31s.', 'Done: 14 passed in 0.31s.'],
    ['The change works as expected.', 'The change works as expected.'],
  ])('reads a pass claim in %j, quoting %j as evidence', (message, evidence) => {
    expect(extractClaims(message)).toMatchObject({ testsPass: true, testsRun: true, evidence });
  });

  it.each([
    'I could not verify the fix because the environment lacks numpy.',
    "I haven't confirmed it works on Windows.",
    'This has not been tested.',
    'I was not able to run the test suite.',
  ])('reads no pass claim in the negated %j', (message) => {
    expect(extractClaims(message).testsPass).toBe(false);
  });

  it('reads a pass claim one message before a final message that says nothing about tests', () => {
    const claims = extractClaims('I have submitted the change.', ['Let me look at the file.', 'All 42 tests pass now.']);
    expect(claims).toMatchObject({ testsPass: true, evidence: 'All 42 tests pass now.', summary: 'I have submitted the change.' });
  });

  it('lets the newest message win: a failure reported after an earlier pass claim', () => {
    expect(extractClaims('Submitting.', ['All tests pass.', 'Now 2 tests failed after the refactor.']).testsPass).toBe(false);
  });

  it('reads only the last few messages before the final one', () => {
    expect(extractClaims('Done.', ['All tests pass.', 'a', 'b', 'c']).testsPass).toBe(false);
  });
});
