import { exampleRole, gradeGoldenExample, goldenFeatures, isJudged, Rubric } from '@loopwright/rubrics';
import { BinaryRule, ruleVerdict } from './binary-rule';
import type { GoldenExample } from './validation';

/** A deterministic rule in force (or on its way) for one decision key. */
export interface KeyedRule {
  key: string;
  rule: BinaryRule;
}

type Golden = Rubric['golden'][number];

function itemOfKey(rubric: Rubric, example: Golden, key: string): string | undefined {
  const [requester, role, , item] = key.split(':');
  return requester === 'grader' && role === exampleRole(rubric, example) ? item : undefined;
}

function asLabel(verdict: string): never {
  return (/^[1-5]$/.test(verdict) ? Number(verdict) : verdict) as never;
}

/** The example with the rules answering their items instead of the hand labels. */
export function withRuleVerdicts(rubric: Rubric, example: Golden, rules: readonly KeyedRule[]): Golden {
  const features = goldenFeatures(rubric, example);
  const judge = { ...example.judge };
  for (const { key, rule } of rules) {
    const item = itemOfKey(rubric, example, key);
    if (item !== undefined && item in judge) judge[item] = asLabel(ruleVerdict(rule, features));
  }
  return { ...example, judge };
}

/**
 * The rubrics' hand-labeled golden examples as examples for each judged item's decision key.
 * A verdict is accepted when the example keeps its own verdict with it — a known-good still passes
 * its rubric and a known-bad still fails it — with the other rules in force answering their items
 * too, so that rules which are harmless alone cannot together pass a known-bad.
 */
export function goldenExamplesByKey(rubrics: readonly Rubric[], inForce: readonly KeyedRule[] = []): Record<string, GoldenExample[]> {
  const byKey: Record<string, GoldenExample[]> = {};
  for (const rubric of rubrics) {
    if (rubric.surface === 'run') continue;
    const items = [
      ...rubric.gates.filter(isJudged).map((g) => ({ id: g.id, kind: 'gate' })),
      ...rubric.dimensions.filter(isJudged).map((d) => ({ id: d.id, kind: 'dimension' })),
    ];
    for (const example of rubric.golden) {
      const features = goldenFeatures(rubric, example);
      const shouldPass = example.label === 'known-good';
      for (const item of items.filter((i) => i.id in example.judge)) {
        const key = `grader:${exampleRole(rubric, example)}:${item.kind}:${item.id}`;
        const others = withRuleVerdicts(rubric, example, inForce.filter((r) => r.key !== key));
        (byKey[key] ??= []).push({
          exampleId: `${rubric.id}/${example.id}`,
          label: example.label,
          features,
          expectedVerdict: String(example.judge[item.id]),
          accepts: (verdict) => gradeGoldenExample(rubric, { ...others, judge: { ...others.judge, [item.id]: asLabel(verdict) } }).passed === shouldPass,
        });
      }
    }
  }
  return byKey;
}

/** Golden known-bad examples that pass when the rules answer their items: a safe set of rules keeps this at 0. */
export function knownBadPassing(rubrics: readonly Rubric[], rules: readonly KeyedRule[]): string[] {
  return rubrics.flatMap((rubric) =>
    rubric.golden
      .filter((g) => g.label === 'known-bad' && gradeGoldenExample(rubric, withRuleVerdicts(rubric, g, rules)).passed)
      .map((g) => `${rubric.id}/${g.id}`),
  );
}
