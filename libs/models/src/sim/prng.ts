import { createHash } from 'node:crypto';
import { mulberry32 } from '@loopwright/core';

export { mulberry32 };

/** A random stream in [0, 1) determined by its parts: the same parts always give the same stream. */
export function seededRandom(...parts: readonly (string | number)[]): () => number {
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest();
  return mulberry32(digest.readUInt32BE(0));
}
