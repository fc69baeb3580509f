import { isScopeRefusal, pathAllowed, SCOPE_REFUSAL } from './path-scope';

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

  it('treats glob characters other than a trailing /** literally', () => {
    expect(pathAllowed('src/sum.js', ['src/*.js'])).toBe(false);
    expect(pathAllowed('src/*.js', ['src/*.js'])).toBe(true);
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
