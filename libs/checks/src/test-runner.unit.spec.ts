import { commandFailed, parseTestInvocation, simpleCommands, testOutcome } from './test-runner';

const runnerOf = (line: string, goal = '') => parseTestInvocation(line, goal)?.runner ?? null;

describe('parseTestInvocation', () => {
  it.each([
    ['pytest tests/test_sum.py -x', 'pytest'],
    ['cd /testbed && python -m pytest tests/utils -q', 'pytest'],
    ['PYTHONPATH=. timeout 300 python3 -m pytest -k sum', 'pytest'],
    ['tox -e py311', 'tox'],
    ['nox -s tests', 'nox'],
    ['./bin/test --parallel 1 forms_tests', 'bin/test'],
    ['cd tests && python runtests.py admin_views --verbosity 2', 'runtests.py'],
    ['./tests/runtests.py utils_tests', 'runtests.py'],
    ['npx jest src/sum.test.ts', 'jest'],
    ['yarn vitest run', 'vitest'],
    ['node_modules/.bin/mocha test/', 'mocha'],
    ['node --test test/', 'node --test'],
    ['npm test -- --watch=false', 'npm test'],
    ['npm run test:unit', 'npm test'],
    ['pnpm test', 'pnpm test'],
    ['go test ./... 2>&1 | tail -20', 'go test'],
    ['cargo test --lib parser', 'cargo test'],
    ['mvn -q test -Dtest=SumTest', 'mvn test'],
    ['./gradlew :core:test', 'gradle test'],
    ['ctest --output-on-failure', 'ctest'],
    ['make test', 'make test'],
    ['make -j2 check', 'make test'],
    ['bundle exec rspec spec/models', 'rspec'],
    ['vendor/bin/phpunit tests/Unit', 'phpunit'],
    ['python -m unittest discover', 'unittest'],
    ['python tests/test_sum.py', 'test file'],
    // seen in real agents' sessions: monorepo filters, framework runners, coverage wrappers
    ['pnpm --filter @shop/web test', 'pnpm test'],
    ['pnpm -C packages/cart test -- --run', 'pnpm test'],
    ['npm -w packages/cart test', 'npm test'],
    ['npm --prefix frontend run test', 'npm test'],
    ['yarn workspace @shop/web test', 'yarn test'],
    ['npx playwright test tests/e2e/checkout.spec.ts', 'playwright test'],
    ['npx cypress run --spec cypress/e2e/cart.cy.ts', 'cypress run'],
    ['deno test --allow-read', 'deno test'],
    ['npx nx test cart', 'nx test'],
    ['npx nx run cart:test', 'nx test'],
    ['npx turbo run test --filter=cart', 'turbo test'],
    ['python manage.py test orders.tests.test_checkout', 'manage.py test'],
    ['coverage run -m pytest tests/', 'pytest'],
    ['uv run --with pytest-cov pytest tests/', 'pytest'],
    ['bin/rails test test/models/order_test.rb', 'rails test'],
    ['mix test test/cart_test.exs', 'mix test'],
    ['swift test --filter CartTests', 'swift test'],
    ['php artisan test --filter=CheckoutTest', 'artisan test'],
  ])('recognizes %s as %s', (line, runner) => {
    expect(runnerOf(line)).toBe(runner);
  });

  it.each([
    'cat tests/test_sum.py',
    'grep -rn "def test_" tests/',
    "sed -n '1,40p' tests/test_sum.py",
    'ls tests',
    'python reproduce.py',
    'npm install',
    'git diff tests/',
    'find . -name "test_*.py"',
    'echo pytest',
    'python -m pytest --collect-only -q tests/rules',
    'npx jest --listTests',
    'go test -list . ./pkg',
    'cargo test -- --list',
    'pytest --help',
    'pnpm --filter @shop/web build',
    'npx nx run cart:build',
    'python manage.py migrate',
    'coverage report',
    'deno run main.ts',
    'npx playwright install',
  ])('does not take %s for a test run', (line) => {
    expect(runnerOf(line)).toBeNull();
  });

  it("counts the goal's own test command whatever runner it names", () => {
    expect(runnerOf('./scripts/check-all.sh --fast', './scripts/check-all.sh')).toBe('goal');
    expect(runnerOf('pytest -q', 'npm test')).toBe('pytest');
  });

  it('gives a retry with other flags the same runner and target', () => {
    const a = parseTestInvocation('pytest tests/test_sum.py -x');
    const b = parseTestInvocation('python -m pytest -vv --tb=short tests/test_sum.py');
    expect([a?.runner, a?.target]).toEqual([b?.runner, b?.target]);
    expect(a?.flags).not.toBe(b?.flags);
  });

  it('splits on pipes and && but not inside quotes', () => {
    expect(simpleCommands(`cd a && echo "x && y" | grep x; ls`)).toEqual([['cd', 'a'], ['echo', 'x && y'], ['grep', 'x'], ['ls']]);
  });
});

describe('testOutcome', () => {
  it('reads the exit code, and a failure summary over an exit code of 0', () => {
    expect(testOutcome('===== 3 passed in 0.2s =====', 0)).toBe('passed');
    expect(testOutcome('===== 1 failed, 2 passed in 0.2s =====', 1)).toBe('failed');
    expect(testOutcome('===== 1 failed, 2 passed in 0.2s =====', 0)).toBe('failed');
    expect(testOutcome('Running checks\nFAILURE: sum(2, 2) returned 5', 0)).toBe('failed');
    expect(testOutcome('', null)).toBe('failed');
  });

  it('reads the summary line when the source recorded no exit code', () => {
    expect(testOutcome('Ran 12 tests in 0.3s\n\nOK', undefined)).toBe('passed');
    expect(testOutcome('Ran 12 tests in 0.3s\n\nFAILED (failures=2)', undefined)).toBe('failed');
    expect(testOutcome('Tests:       1 failed, 4 passed, 5 total', undefined)).toBe('failed');
    expect(testOutcome('test result: ok. 4 passed; 0 failed', undefined)).toBe('passed');
    expect(testOutcome('collecting ...', undefined)).toBe('unknown');
  });

  // `pytest -q | tail -1` exits 0 (the pipe's status is tail's) and prints the bare summary pytest -q ends with.
  it.each([
    ['1 failed, 4 passed in 0.31s', 0, 'failed'],
    ['4 passed, 1 error in 0.40s', 0, 'failed'],
    ['2 failed, 10 passed, 1 skipped, 3 warnings in 1.02s', undefined, 'failed'],
    ['12 passed, 2 warnings in 0.87s', undefined, 'passed'],
    ['12 passed in 0.87s', undefined, 'passed'],
    ['Running 6 tests using 2 workers\n\n  1 failed\n    [chromium] › checkout.spec.ts:12:5 › applies the discount\n  5 passed (4.2s)', 0, 'failed'],
    ['Running 6 tests using 2 workers\n\n  6 passed (4.0s)', undefined, 'passed'],
  ] as const)('reads %j (exit code %s) as %s', (output, exitCode, outcome) => {
    expect(testOutcome(output, exitCode)).toBe(outcome);
  });
});

describe('commandFailed', () => {
  it('reads the exit code, or an uncaught error when there is none', () => {
    expect(commandFailed('make', '', 2)).toBe(true);
    expect(commandFailed('ls', 'fine', 0)).toBe(false);
    expect(commandFailed('python x.py', 'Traceback (most recent call last):\n  File "x.py"\nValueError: bad', undefined)).toBe(true);
    expect(commandFailed('python x.py', 'done', undefined)).toBe(false);
  });

  it("reads a script's FAILURE line as a failure even when it exits 0, but not a grep that finds one", () => {
    expect(commandFailed('cd /testbed && python reproduce.py', 'FAILURE: still 5', 0)).toBe(true);
    expect(commandFailed('./check.sh', 'FAILED: 2 of 3', 0)).toBe(true);
    expect(commandFailed('grep -n FAILURE build.log', 'FAILURE: old run', 0)).toBe(false);
    expect(commandFailed('python reproduce.py', 'SUCCESS', 0)).toBe(false);
  });
});

describe("the goal's own test command", () => {
  it.each([
    ['echo "node test/sum.test.js"', false],
    ["printf 'npm test'", false],
    ['# npm test', false],
    ['cd app && npm test -- --ci', true],
    ['timeout 60 ./check-all 2>&1 | tail', true],
  ])('%s runs it: %s', (line, expected) => {
    const goal = line.includes('check-all') ? './check-all' : line.includes('npm') ? 'npm test' : 'node test/sum.test.js';
    expect(parseTestInvocation(line, goal) !== null).toBe(expected);
  });
});
