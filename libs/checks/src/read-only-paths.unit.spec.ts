import { readOnlyPaths } from './read-only-paths';

describe('readOnlyPaths', () => {
  const inSrc = (path: string) => path.startsWith('src/');

  it('mounts a directory of tests whole, and files the role may not write beside its own one by one', () => {
    const paths = ['package.json', 'src/sum.js', 'src/fixtures/data.json', 'test/sum.test.js', 'test/helpers/load.js', 'test/expected.json'];
    const mayWrite = (path: string) => inSrc(path) && !path.startsWith('src/fixtures/');
    expect(readOnlyPaths(paths, mayWrite)).toEqual(['package.json', 'src/fixtures', 'test']);
  });

  it('mounts nothing where the role may write everything', () => {
    expect(readOnlyPaths(['src/a.js', 'src/b.js'], inSrc)).toEqual([]);
  });

  it('mounts a file alone where its directory holds one the role may write', () => {
    expect(readOnlyPaths(['lib/impl.js', 'lib/impl.test.js'], (p) => p === 'lib/impl.js')).toEqual(['lib/impl.test.js']);
  });
});
