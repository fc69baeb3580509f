import type { FeatureVector } from '@loopwright/checks';
import { tokens } from './feature-hashing';

/**
 * The terms an example offers a resident: each string feature as `name=value`, and each distinct
 * word and pair of adjacent words of each text, tagged with which text it is (`0:added tests`).
 */
export function candidateTerms(features: FeatureVector, texts?: readonly string[]): Set<string> {
  const terms = new Set<string>();
  for (const [name, value] of Object.entries(features)) if (typeof value === 'string') terms.add(`${name}=${value}`);
  (texts ?? []).forEach((text, t) => {
    const words = tokens(text);
    for (let i = 0; i < words.length; i++) {
      terms.add(`${t}:${words[i]}`);
      if (i > 0) terms.add(`${t}:${words[i - 1]} ${words[i]}`);
    }
  });
  return terms;
}

/**
 * The `max` terms that tell the positive examples from the rest best (information gain: how much
 * knowing whether an example has the term lowers the entropy of its label), among those at least
 * `minCount` examples have and at least `minCount` lack. Ties go to the term that sorts first, so the
 * choice does not depend on the order of the examples.
 */
export function chooseTerms(sets: readonly ReadonlySet<string>[], labels: readonly boolean[], max: number, minCount: number): string[] {
  if (sets.length !== labels.length) throw new RangeError(`${sets.length} term sets for ${labels.length} labels`);
  const n = sets.length;
  const positives = labels.filter(Boolean).length;
  const counts = new Map<string, { with: number; positiveWith: number }>();
  sets.forEach((set, i) => {
    for (const term of set) {
      const count = counts.get(term) ?? { with: 0, positiveWith: 0 };
      count.with++;
      if (labels[i]) count.positiveWith++;
      counts.set(term, count);
    }
  });
  const prior = entropy(positives, n);
  const scored: { term: string; gain: number }[] = [];
  for (const [term, count] of counts) {
    if (count.with < minCount || n - count.with < minCount) continue;
    const without = n - count.with;
    const after = (count.with / n) * entropy(count.positiveWith, count.with) + (without / n) * entropy(positives - count.positiveWith, without);
    scored.push({ term, gain: prior - after });
  }
  scored.sort((a, b) => b.gain - a.gain || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
  return scored.slice(0, max).map((s) => s.term);
}

/** Entropy (nats) of a label that is positive `k` times in `n`. */
function entropy(k: number, n: number): number {
  if (n === 0 || k === 0 || k === n) return 0;
  const p = k / n;
  return -p * Math.log(p) - (1 - p) * Math.log(1 - p);
}
