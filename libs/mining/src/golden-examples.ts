import { FeatureVector, lintDraft } from '@loopwright/checks';
import { executorKey } from '@loopwright/events';
import { exampleRole, gradeGoldenExample, goldenFeatures, isJudged, Rubric } from '@loopwright/rubrics';
import { BinaryRule, ruleVerdict } from './binary-rule';
import type { GoldenExample } from './validation';
import { workTexts } from './work-texts';

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

/** Whatever answers a key in place of the frontier: a rule, or a resident that may escalate (undefined: the frontier's, here the hand label). */
export interface KeyedAnswerer {
  key: string;
  answer(features: FeatureVector, texts: readonly string[]): string | undefined;
}

const asAnswerer = ({ key, rule }: KeyedRule): KeyedAnswerer => ({ key, answer: (features) => ruleVerdict(rule, features) });

/**
 * The texts a resident reads for a golden example, made as the grader and the executor make them for
 * a real work: the final message, and the files the work changed from its base.
 */
export function goldenTexts(example: Golden): string[] {
  const base = new Map(example.base.map((f) => [f.path, f.content]));
  return workTexts(example.work.finalMessage, example.work.files.filter((f) => base.get(f.path) !== f.content));
}

/** The example with the rules (or residents) answering their items instead of the hand labels. */
export function withRuleVerdicts(rubric: Rubric, example: Golden, rules: readonly (KeyedRule | KeyedAnswerer)[]): Golden {
  const features = goldenFeatures(rubric, example);
  const judge = { ...example.judge };
  for (const r of rules) {
    const { key, answer } = 'rule' in r ? asAnswerer(r) : r;
    const item = itemOfKey(rubric, example, key);
    const verdict = item !== undefined && item in judge ? answer(features, goldenTexts(example)) : undefined;
    if (verdict !== undefined) judge[item!] = asLabel(verdict);
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
          texts: goldenTexts(example),
          expectedVerdict: String(example.judge[item.id]),
          accepts: (verdict) => gradeGoldenExample(rubric, { ...others, judge: { ...others.judge, [item.id]: asLabel(verdict) } }).passed === shouldPass,
        });
      }
    }
  }
  return byKey;
}

/**
 * The rubrics' golden examples as examples for the executor's editorial decision of their role: a
 * known-bad draft must never be approved by a cheaper tier (a known-good one may be approved or
 * edited). Their features are the draft's as the executor sees it: no re-run, the lint's verdict.
 */
export function editorGoldenExamples(rubrics: readonly Rubric[]): Record<string, GoldenExample[]> {
  const byKey: Record<string, GoldenExample[]> = {};
  for (const rubric of rubrics) {
    if (rubric.surface === 'run') continue;
    for (const example of rubric.golden) {
      const { rerun_exit_code: _code, rerun_passed: _passed, ...seen } = goldenFeatures(rubric, example);
      const features: FeatureVector = { ...seen, lint_passed: lintDraft(seen).length === 0, draft_attempts: 1 };
      const bad = example.label === 'known-bad';
      (byKey[executorKey(exampleRole(rubric, example), 'edit')] ??= []).push({
        exampleId: `${rubric.id}/${example.id}`,
        label: example.label,
        features,
        texts: goldenTexts(example),
        expectedVerdict: bad ? 'not approve' : 'any',
        accepts: (verdict) => !bad || verdict !== 'approve',
      });
    }
  }
  return byKey;
}

/** Golden known-bad examples that pass when the rules (and residents) answer their items: a safe set keeps this at 0. */
export function knownBadPassing(rubrics: readonly Rubric[], rules: readonly (KeyedRule | KeyedAnswerer)[]): string[] {
  return rubrics.flatMap((rubric) =>
    rubric.golden
      .filter((g) => g.label === 'known-bad' && gradeGoldenExample(rubric, withRuleVerdicts(rubric, g, rules)).passed)
      .map((g) => `${rubric.id}/${g.id}`),
  );
}
