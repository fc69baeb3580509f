import { extractClaims } from './claims';

describe('extractClaims', () => {
  it.each([
    'All tests pass.',
    'The tests pass now.',
    'I ran node test/sum.test.js and the tests passed.',
    'Tests are green.',
    'All 3 tests pass.',
    'The test passes.',
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
  ])('reads no passing claim in %j (tests run: %s)', (message, testsRun) => {
    expect(extractClaims(message)).toMatchObject({ testsPass: false, testsRun });
  });

  it.each([
    'I ran the tests; they still need work.',
    'I ran node test/sum.test.js.',
    'Test run: 2 of 3.',
    'Verified with npm test.',
  ])('reads a run claim without a passing claim in %j', (message) => {
    expect(extractClaims(message)).toEqual(expect.objectContaining({ testsPass: false, testsRun: true }));
  });

  it.each(['The tests were not run.', 'I did not run the tests.', 'Done without running npm test.'])(
    'reads a negated run in %j',
    (message) => expect(extractClaims(message).testsRun).toBe(false),
  );

  it('takes the summary from the "## Summary" section', () => {
    const message = '## Summary\nAdded sum(a, b) in src/sum.js.\n\n## Tests\nAll tests pass.';
    expect(extractClaims(message)).toEqual({ testsPass: true, testsRun: true, summary: 'Added sum(a, b) in src/sum.js.' });
  });

  it('takes the first non-empty line as the summary when there is no section', () => {
    expect(extractClaims('\n\nImplemented sum.\nMore detail.').summary).toBe('Implemented sum.');
    expect(extractClaims('').summary).toBe('');
  });
});
