import type { Role } from '@loopwright/events';
import { rerunFilesFor } from './rerun-fence';
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
});
