/** A set of example indexes, one bit each: conjunctions become word-wise ANDs and counts popcounts. */
export type Bitset = Uint32Array;

export function wordsFor(size: number): number {
  return Math.ceil(size / 32);
}

/** The set of indexes in [0, size) for which `member` holds. */
export function bitsetOf(size: number, member: (index: number) => boolean): Bitset {
  const bits = new Uint32Array(wordsFor(size));
  for (let i = 0; i < size; i++) if (member(i)) bits[i >>> 5] |= 1 << (i & 31);
  return bits;
}

export function has(bits: Bitset, index: number): boolean {
  return (bits[index >>> 5] & (1 << (index & 31))) !== 0;
}

export function intersect(a: Bitset, b: Bitset): Bitset {
  const out = new Uint32Array(a.length);
  for (let w = 0; w < a.length; w++) out[w] = a[w] & b[w];
  return out;
}

/** Set bits of every 16-bit value: a table lookup is faster here than bit tricks on doubles. */
const BITS16 = (() => {
  const table = new Uint8Array(1 << 16);
  for (let i = 1; i < table.length; i++) table[i] = (i & 1) + table[i >>> 1];
  return table;
})();

function popcount32(x: number): number {
  return BITS16[x & 0xffff] + BITS16[x >>> 16];
}

export function count(bits: Bitset): number {
  let total = 0;
  for (let w = 0; w < bits.length; w++) total += popcount32(bits[w]);
  return total;
}

/** |a ∩ b| without building the intersection. */
export function countBoth(a: Bitset, b: Bitset): number {
  let total = 0;
  for (let w = 0; w < a.length; w++) total += popcount32(a[w] & b[w]);
  return total;
}

/** |a ∩ b ∩ c| without building the intersection. */
export function countAll(a: Bitset, b: Bitset, c: Bitset): number {
  let total = 0;
  for (let w = 0; w < a.length; w++) total += popcount32(a[w] & b[w] & c[w]);
  return total;
}

export function sameSet(a: Bitset, b: Bitset): boolean {
  for (let w = 0; w < a.length; w++) if (a[w] !== b[w]) return false;
  return true;
}

/** A string naming the set, for finding conditions that select the same examples. */
export function fingerprint(bits: Bitset): string {
  return Array.from(bits, (w) => w.toString(36)).join('.');
}
