import { inScratchArea, isScopeRefusal, pathAllowed, SCOPE_REFUSAL } from './path-scope';

describe('pathAllowed', () => {
  const allowed = ['src/**', 'README.md'];

  it.each([
    ['src/sum.js'],
    ['src/lib/deep/file.ts'],
    ['./src/sum.js'],
    ['src//sum.js'],
    ['README.md'],
  ])('allows %s', (path) => expect(pathAllowed(path, allowed)).toBe(true));

  it.each([
    ['test/sum.test.js', 'outside every pattern'],
    ['src', 'the prefix itself is a directory, not a file below it'],
    ['srcx/sum.js', 'a sibling that shares the prefix'],
    ['README.md.bak', 'an exact path matches exactly'],
    ['/etc/passwd', 'absolute'],
    ['/work/repo/src/sum.js', 'absolute, even when it ends inside the scope'],
    ['C:\\src\\sum.js', 'a drive-absolute path'],
    ['src/../package.json', 'climbs out with ..'],
    ['src/../src/sum.js', 'any .. segment is refused'],
    ['..\\src\\sum.js', 'backslash escapes too'],
    ['', 'empty'],
    ['.', 'the root itself'],
  ])('refuses %s (%s)', (path) => expect(pathAllowed(path, allowed)).toBe(false));

  // Globs used to be literal apart from a trailing /**; real goals need `*`, exclusions and allow-all.
  it('reads * as one segment and ** as any number of them', () => {
    expect(pathAllowed('src/sum.js', ['src/*.js'])).toBe(true);
    expect(pathAllowed('src/lib/sum.js', ['src/*.js'])).toBe(false);
    expect(pathAllowed('django/utils/text.py', ['django/**/*.py'])).toBe(true);
    expect(pathAllowed('django/text.py', ['django/**/*.py'])).toBe(true);
  });

  it('excludes what a ! pattern matches, whatever the order', () => {
    const scope = ['!**/tests/**', 'django/**'];
    expect(pathAllowed('django/forms/fields.py', scope)).toBe(true);
    expect(pathAllowed('django/forms/tests/test_fields.py', scope)).toBe(false);
    expect(pathAllowed('tests/test_fields.py', ['**', '!**/tests/**'])).toBe(false);
  });

  it('allows every relative path with **, and still no absolute or escaping one', () => {
    expect(pathAllowed('a/b/c.txt', ['**'])).toBe(true);
    expect(pathAllowed('README', ['**'])).toBe(true);
    expect(pathAllowed('/etc/passwd', ['**'])).toBe(false);
    expect(pathAllowed('../x', ['**'])).toBe(false);
  });

  it('allows nothing with no patterns, and nothing through a pattern that escapes', () => {
    expect(pathAllowed('src/sum.js', [])).toBe(false);
    expect(pathAllowed('../x/y.js', ['../x/**'])).toBe(false);
    expect(pathAllowed('etc/passwd', ['/etc/**'])).toBe(false);
  });
});

describe('isScopeRefusal', () => {
  it('recognizes scope refusals and nothing else', () => {
    expect(isScopeRefusal(SCOPE_REFUSAL)).toBe(true);
    expect(isScopeRefusal('write to test/a.js is outside the allowed paths')).toBe(true);
    expect(isScopeRefusal('out of scope')).toBe(true);
    expect(isScopeRefusal('time limit of 30s exceeded')).toBe(false);
    expect(isScopeRefusal(undefined)).toBe(false);
  });
});

describe('inScratchArea', () => {
  it('takes absolute and relative scratch patterns', () => {
    const scratch = ['/tmp/**', 'reproduce*.py'];
    expect(inScratchArea('/tmp/repro/run.py', scratch)).toBe(true);
    expect(inScratchArea('reproduce_issue.py', scratch)).toBe(true);
    expect(inScratchArea('src/reproduce.py', scratch)).toBe(false);
    expect(inScratchArea('/etc/passwd', scratch)).toBe(false);
    expect(inScratchArea('/tmp/../etc/passwd', scratch)).toBe(false);
  });
});
