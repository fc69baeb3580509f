import { createHash } from 'node:crypto';

/** mulberry32: a small, fast 32-bit PRNG; plenty for simulation draws, not for secrets. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A random stream in [0, 1) determined by its parts: the same parts always give the same stream. */
export function seededRandom(...parts: readonly (string | number)[]): () => number {
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest();
  return mulberry32(digest.readUInt32BE(0));
}
