/** FNV-1a over the UTF-16 code units of a string: a stable 32-bit hash with no dependency. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The bucket a token falls in, of `buckets`. */
export function bucketOf(token: string, buckets: number): number {
  return fnv1a32(token) % buckets;
}

/** Lowercase word tokens of a text: letters, digits and '_'. */
export function tokens(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter((t) => t.length > 0);
}
