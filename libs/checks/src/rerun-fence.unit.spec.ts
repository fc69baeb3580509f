import type { Role } from '@loopwright/events';
import { rerunFilesFor, rerunReadOnlyPaths } from './rerun-fence';
import { RoleBoundaries } from './role-boundary';

const BOUNDARIES: RoleBoundaries = {
  planner: { maxTurns: 30, owns: [], yieldsTo: [] },
  architect: { maxTurns: 30, owns: [], yieldsTo: [] },
  engineer: { maxTurns: 40, owns: ['**'], yieldsTo: ['designer'] },
  designer: { maxTurns: 40, owns: ['public/**'], yieldsTo: [] },
  tester: { maxTurns: 40, owns: ['test/**', '**/*.test.*'], yieldsTo: [] },
  deployer: { maxTurns: 20, owns: [], yieldsTo: [] },
};
const scope = (role: Role, allowedPaths = ['src/**', 'test/**']) => ({ role, pipeline: [role], boundaries: BOUNDARIES, allowedPaths, scratchPaths: [] });

const given = [
  { path: 'test/sum.test.js', content: 'assert(sum([1,2])===3)' },
  { path: 'src/sum.test.js', content: 'assert(sum([])===0)' },
  { path: 'src/sum.js', content: 'module.exports = {}' },
];

describe('the files the goal\'s tests are re-run on', () => {
  it('keeps the tests the engineer was given as given, even where the allowed paths let it rewrite, delete or add to them', () => {
    const delivered = [
      { path: 'test/sum.test.js', content: 'process.exit(0)' },
      { path: 'test/expected.js', content: 'module.exports = { total: 0 }' },
      { path: 'test/node_modules/chai/index.js', content: 'module.exports = { expect: () => ({}) }' },
      { path: 'src/sum.js', content: 'module.exports = { sum }' },
    ];
    expect(rerunFilesFor(scope('engineer'), given, delivered)).toEqual([
      { path: 'src/sum.js', content: 'module.exports = { sum }' },
      { path: 'src/sum.test.js', content: 'assert(sum([])===0)' },
      { path: 'test/sum.test.js', content: 'assert(sum([1,2])===3)' },
    ]);
  });

  it('lets no other spelling of a given test stand in for it', () => {
    const delivered = [...given, { path: 'test\\sum.test.js', content: 'process.exit(0)' }, { path: 'test//./sum.test.js', content: 'process.exit(0)' }];
    expect(rerunFilesFor(scope('engineer'), given, delivered)).toEqual([...given].sort((a, b) => a.path.localeCompare(b.path)));
  });

  it("re-runs the tester's own tests: they are its work", () => {
    const delivered = [{ path: 'test/sum.test.js', content: 'assert(sum([1,2,3])===6)' }, ...given.slice(1)];
    expect(rerunFilesFor(scope('tester'), given, delivered).find((f) => f.path === 'test/sum.test.js')?.content).toBe('assert(sum([1,2,3])===6)');
  });

  it('still takes everything outside the boundary from the workspace the role started from', () => {
    const delivered = [{ path: 'src/sum.js', content: 'module.exports = { sum }' }, { path: 'test/sum.test.js', content: 'process.exit(0)' }];
    expect(rerunFilesFor(scope('engineer', ['src/**']), given, delivered).find((f) => f.path === 'test/sum.test.js')?.content).toBe('assert(sum([1,2])===3)');
  });

  describe('what decides how the test command runs, which is the goal\'s as its tests are', () => {
    const npmGiven = [...given, { path: 'package.json', content: '{ "name": "s", "version": "1.0.0", "scripts": { "test": "node test/sum.test.js", "pretest": "node -e 0" } }\n' }];
    const everywhere = scope('engineer', ['**']);

    it.each([
      ['.npmrc', 'script-shell=/bin/true\n'],
      ['.npmrc', 'node-options=--no-warnings\n'],
      ['.yarnrc.yml', 'enableScripts: false\n'],
      ['conftest.py', 'def pytest_sessionfinish(session, exitstatus):\n    session.exitstatus = 0\n'],
      ['pytest.ini', '[pytest]\naddopts = --collect-only\n'],
      ['sub/.npmrc', 'script-shell=/bin/true\n'],
    ])('takes no %s the engineer added, though the allowed paths let it write anywhere', (path, content) => {
      expect(rerunFilesFor(everywhere, npmGiven, [...npmGiven, { path, content }]).map((f) => f.path)).not.toContain(path);
    });

    it('keeps the given .npmrc as given, mounted read-only', () => {
      const withRc = [...npmGiven, { path: '.npmrc', content: 'fund=false\n' }];
      const files = rerunFilesFor(everywhere, withRc, [...npmGiven, { path: '.npmrc', content: 'script-shell=/bin/true\n' }]);
      expect(files.find((f) => f.path === '.npmrc')?.content).toBe('fund=false\n');
      expect(rerunReadOnlyPaths(everywhere, files)).toContain('.npmrc');
    });

    it("keeps the engineer's package.json but the given scripts", () => {
      const delivered = [
        ...given,
        { path: 'package.json', content: '{ "name": "s", "version": "1.1.0", "type": "commonjs", "scripts": { "test": "node -e 0", "lint": "eslint ." }, "dependencies": { "ms": "^2.1.3" } }\n' },
      ];
      const files = rerunFilesFor(everywhere, npmGiven, delivered);
      expect(JSON.parse(files.find((f) => f.path === 'package.json')!.content)).toEqual({
        name: 's', version: '1.1.0', type: 'commonjs', scripts: { test: 'node test/sum.test.js', pretest: 'node -e 0' }, dependencies: { ms: '^2.1.3' },
      });
    });

    it('takes the given package.json whole where the delivered one does not parse, and none where none was given', () => {
      const broken = rerunFilesFor(everywhere, npmGiven, [...given, { path: 'package.json', content: '{ "scripts": ' }]);
      expect(broken.find((f) => f.path === 'package.json')?.content).toBe(npmGiven[3].content);
      const added = rerunFilesFor(everywhere, given, [...given, { path: 'package.json', content: '{ "scripts": { "test": "node -e 0" } }' }]);
      expect(JSON.parse(added.find((f) => f.path === 'package.json')!.content)).toEqual({});
    });

    it("leaves the tester its own conftest.py, which is its tests' code", () => {
      const conftest = { path: 'test/conftest.py', content: 'import pytest\n\n@pytest.fixture\ndef numbers():\n    return [1, 2]\n' };
      expect(rerunFilesFor(scope('tester', ['**']), given, [...given, conftest]).map((f) => f.path)).toContain('test/conftest.py');
    });
  });
});
