import { ArtifactStore, cachedArtifacts, sha256Hex } from './artifacts';

/** A store in memory that counts what reaches it. */
function countingStore() {
  const objects = new Map<string, Uint8Array>();
  const calls = { put: 0, get: 0 };
  const store: ArtifactStore = {
    async put(bytes) {
      calls.put++;
      const digest = sha256Hex(bytes);
      objects.set(digest, bytes.slice());
      return digest;
    },
    async get(digest) {
      calls.get++;
      const bytes = objects.get(digest);
      if (!bytes) throw new Error(`no artifact ${digest}`);
      return bytes.slice();
    },
  };
  return { store, calls };
}

const bytesOf = (text: string) => new TextEncoder().encode(text);

describe('cachedArtifacts', () => {
  it('reads an artifact from the store once while it is remembered', async () => {
    const { store, calls } = countingStore();
    const digest = await store.put(bytesOf('snapshot one'));
    const cached = cachedArtifacts(store, 1_000);
    expect(new TextDecoder().decode(await cached.get(digest))).toBe('snapshot one');
    expect(new TextDecoder().decode(await cached.get(digest))).toBe('snapshot one');
    expect(calls.get).toBe(1);
  });

  it('stores an artifact once, and serves what it stored without reading it back', async () => {
    const { store, calls } = countingStore();
    const cached = cachedArtifacts(store, 1_000);
    const digest = await cached.put(bytesOf('snapshot two'));
    expect(await cached.put(bytesOf('snapshot two'))).toBe(digest);
    expect(new TextDecoder().decode(await cached.get(digest))).toBe('snapshot two');
    expect(calls).toEqual({ put: 1, get: 0 });
  });

  it('hands out copies: a caller changing its bytes changes nothing for the next', async () => {
    const { store } = countingStore();
    const cached = cachedArtifacts(store, 1_000);
    const digest = await cached.put(bytesOf('abc'));
    (await cached.get(digest)).fill(0);
    expect(new TextDecoder().decode(await cached.get(digest))).toBe('abc');
  });

  it('forgets the least recently used artifacts beyond its size, and reads them again', async () => {
    const { store, calls } = countingStore();
    const cached = cachedArtifacts(store, 20);
    const a = await cached.put(bytesOf('a'.repeat(10)));
    const b = await cached.put(bytesOf('b'.repeat(10)));
    await cached.get(a); // a is now the most recently used
    const c = await cached.put(bytesOf('c'.repeat(10))); // b goes
    expect(calls.get).toBe(0);
    await cached.get(a);
    await cached.get(c);
    expect(calls.get).toBe(0);
    expect(new TextDecoder().decode(await cached.get(b))).toBe('b'.repeat(10));
    expect(calls.get).toBe(1);
  });

  it('never keeps an artifact larger than its size', async () => {
    const { store, calls } = countingStore();
    const cached = cachedArtifacts(store, 5);
    const digest = await cached.put(bytesOf('too large to keep'));
    await cached.get(digest);
    await cached.get(digest);
    expect(calls.get).toBe(2);
  });

  it('reads an artifact once for callers that ask while it is being read, each with its own copy', async () => {
    const { store, calls } = countingStore();
    const digest = await store.put(bytesOf('read once'));
    const cached = cachedArtifacts(store, 1_000);
    const [first, second] = await Promise.all([cached.get(digest), cached.get(digest)]);
    expect(calls.get).toBe(1);
    first.fill(0);
    expect(new TextDecoder().decode(second)).toBe('read once');
  });

  it('reads again after a read that failed', async () => {
    const { store, calls } = countingStore();
    const cached = cachedArtifacts(store, 1_000);
    const digest = sha256Hex(bytesOf('arrives later'));
    await expect(Promise.all([cached.get(digest), cached.get(digest)])).rejects.toThrow('no artifact');
    expect(calls.get).toBe(1);
    await store.put(bytesOf('arrives later'));
    expect(new TextDecoder().decode(await cached.get(digest))).toBe('arrives later');
    expect(calls.get).toBe(2);
  });
});
