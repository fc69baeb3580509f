import { createHash } from 'node:crypto';

const MAX_SLUG = 96;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/**
 * A decision key as a subject token (letters, digits, '_' and '-'): the colons become '-'. A key
 * that needed any other change, or is long, also carries a hash of itself, so two keys never share a slug.
 */
export function keySlug(key: string): string {
  const plain = /^[a-z0-9_:]+$/.test(key) && key.length <= MAX_SLUG;
  const slug = key.replace(/:/g, '-').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, MAX_SLUG);
  return plain ? slug : `${slug}-${shortHash(key)}`;
}

/** The id of the `generation`-th rule mined for a key: `r-<key slug>-g<generation>`. */
export function ruleIdFor(key: string, generation: number): string {
  return `r-${keySlug(key)}-g${generation}`;
}

/** The id of the resident model trained with that generation: `m-<key slug>-g<generation>`. */
export function modelIdFor(key: string, generation: number): string {
  return `m-${keySlug(key)}-g${generation}`;
}

/** The id of a standing instruction proposed from a recurring correction, by its signature. */
export function instructionIdFor(role: string, signature: string): string {
  return `i-${role}-${shortHash(signature)}`;
}
