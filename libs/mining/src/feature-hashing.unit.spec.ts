import { bucketOf, fnv1a32, tokens } from './feature-hashing';

describe('feature hashing', () => {
  it('is FNV-1a: stable across runs and machines', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('puts a token in one of the buckets', () => {
    for (const t of ['ended_by=finished', 'text:tests', 'x']) {
      const b = bucketOf(t, 64);
      expect(Number.isInteger(b) && b >= 0 && b < 64).toBe(true);
    }
  });

  it('splits text into lowercase word tokens', () => {
    expect(tokens('Ran `npm test` -- 12 passed, café_ok!')).toEqual(['ran', 'npm', 'test', '12', 'passed', 'café_ok']);
  });
});
