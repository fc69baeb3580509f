/**
 * mulberry32: a small seeded pseudo-random generator, numbers in [0, 1), the same sequence for the
 * same seed. Decision logic and simulations draw randomness only from one of these, seeded by the
 * caller; it is plenty for simulation draws, never for secrets.
 */
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
