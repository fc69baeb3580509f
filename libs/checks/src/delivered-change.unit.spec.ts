import { deliveredChange, deliveredFeatures, rerunFiles } from './delivered-change';

const seed = [
  { path: 'test/sum.test.js', content: 'assert(sum([1,2])===3)' },
  { path: 'fixtures/data.json', content: '[1,2]' },
  { path: 'src/sum.js', content: 'module.exports = {}' },
];

describe('the delivered change', () => {
  it('counts a test rewritten by any tool, a deleted fixture and a new file outside scope', () => {
    const delivered = [
      { path: 'test/sum.test.js', content: 'process.exit(0)' },
      { path: 'src/sum.js', content: 'module.exports = { sum }' },
      { path: 'config/debug.json', content: '{}' },
    ];
    const change = deliveredChange(seed, delivered, [], ['src/**']);
    expect(change).toMatchObject({
      created: ['config/debug.json'],
      modified: ['src/sum.js', 'test/sum.test.js'],
      deleted: ['fixtures/data.json'],
      outOfScope: ['config/debug.json', 'fixtures/data.json', 'test/sum.test.js'],
    });
    expect(deliveredFeatures(change)).toEqual({
      files_created: 1, files_modified: 2, files_deleted: 1, out_of_scope_changes: 3, irregular_files: 0,
      out_of_scope_paths: 'config/debug.json, fixtures/data.json, test/sum.test.js',
    });
  });

  it('reports a link inside the allowed paths as out of scope', () => {
    const change = deliveredChange(seed, seed, [{ path: 'src/escape', kind: 'symlink', target: '/' }], ['src/**']);
    expect(change.outOfScope).toEqual(['src/escape']);
    expect(deliveredFeatures(change).irregular_files).toBe(1);
  });

  it('never counts the scratch area', () => {
    const change = deliveredChange(seed, [...seed, { path: 'reproduce_bug.py', content: 'print(1)' }], [], ['src/**'], ['reproduce*.py']);
    expect(change.created).toEqual(['reproduce_bug.py']);
    expect(change.outOfScope).toEqual([]);
  });

  it('an untouched workspace changes nothing', () => {
    expect(deliveredFeatures(deliveredChange(seed, seed, [], ['src/**'])).out_of_scope_changes).toBe(0);
  });
});

describe('the files of the re-run', () => {
  it('takes every file outside the allowed paths from the seed, whatever the worker delivered', () => {
    const delivered = [
      { path: 'test/sum.test.js', content: 'process.exit(0)' },
      { path: 'test/extra.test.js', content: 'process.exit(0)' },
      { path: 'src/sum.js', content: 'module.exports = { sum }' },
    ];
    expect(rerunFiles(seed, delivered, ['src/**'])).toEqual([
      { path: 'fixtures/data.json', content: '[1,2]' },
      { path: 'src/sum.js', content: 'module.exports = { sum }' },
      { path: 'test/sum.test.js', content: 'assert(sum([1,2])===3)' },
    ]);
  });

  it('keeps a seed file the worker deleted inside its scope deleted', () => {
    expect(rerunFiles(seed, [], ['src/**']).map((f) => f.path)).toEqual(['fixtures/data.json', 'test/sum.test.js']);
  });
});
