import { FeatureVector } from '@loopwright/checks';
import { gradeGoldenExample, goldenFeatures, Rubric } from '@loopwright/rubrics';
import type { GoldenExample } from './validation';

function withLabel(example: Rubric['golden'][number], itemId: string, verdict: string): Rubric['golden'][number] {
  const label = /^[1-5]$/.test(verdict) ? Number(verdict) : verdict;
  return { ...example, judge: { ...example.judge, [itemId]: label as never } };
}

/**
 * The rubrics' hand-labeled golden examples as examples for each judged item's decision key.
 * A verdict is accepted when the example keeps its own verdict with it: a known-good still
 * passes its rubric and a known-bad still fails it.
 */
export function goldenExamplesByKey(rubrics: readonly Rubric[]): Record<string, GoldenExample[]> {
  const byKey: Record<string, GoldenExample[]> = {};
  for (const rubric of rubrics) {
    if (rubric.role === 'loop') continue;
    const items = [
      ...rubric.gates.filter((g) => !g.check).map((g) => ({ id: g.id, kind: 'gate' })),
      ...rubric.dimensions.filter((d) => !d.check).map((d) => ({ id: d.id, kind: 'dimension' })),
    ];
    for (const example of rubric.golden) {
      const features: FeatureVector = goldenFeatures(example);
      const shouldPass = example.label === 'known-good';
      for (const item of items) {
        const key = `grader:${rubric.role}:${item.kind}:${item.id}`;
        (byKey[key] ??= []).push({
          exampleId: `${rubric.id}/${example.id}`,
          label: example.label,
          features,
          expectedVerdict: String(example.judge[item.id]),
          accepts: (verdict) => gradeGoldenExample(rubric, withLabel(example, item.id, verdict)).passed === shouldPass,
        });
      }
    }
  }
  return byKey;
}
