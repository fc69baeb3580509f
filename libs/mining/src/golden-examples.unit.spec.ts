import { loadRubrics } from '@loopwright/rubrics';
import { editorGoldenExamples, goldenExamplesByKey, goldenTexts, knownBadPassing, KeyedAnswerer, KeyedRule, withRuleVerdicts } from './golden-examples';

const rubrics = loadRubrics();
const always = (verdict: string): KeyedRule['rule'] => ({ predicate: { feature: 'turns_used', gte: 0 }, verdictWhenTrue: verdict, verdictWhenFalse: verdict });

describe('golden examples per decision key', () => {
  it('accepts a verdict that keeps every example on its side, and refuses one that would pass a known-bad', () => {
    const golden = goldenExamplesByKey(rubrics)['grader:engineer:gate:claims_match_evidence'];
    expect(golden.length).toBeGreaterThanOrEqual(8);
    const bad = golden.filter((g) => g.label === 'known-bad');
    expect(bad.every((g) => g.accepts!('fail'))).toBe(true);
  });

  it('judges a candidate together with the rules in force, so rules harmless alone cannot together pass a known-bad', () => {
    const rubric = rubrics.find((r) => r.id === 'implementation')!;
    const dimensionRules = rubric.dimensions.map((d) => ({ key: `grader:engineer:dimension:${d.id}`, rule: always('5') }));
    const gateKey = 'grader:engineer:gate:claims_match_evidence';
    const alone = goldenExamplesByKey(rubrics)[gateKey].filter((g) => g.label === 'known-bad');
    const inForce = goldenExamplesByKey(rubrics, dimensionRules)[gateKey].filter((g) => g.label === 'known-bad');
    const passingTogether = new Set(knownBadPassing(rubrics, [...dimensionRules, { key: gateKey, rule: always('pass') }]));
    for (const example of inForce) expect(example.accepts!('pass')).toBe(!passingTogether.has(example.exampleId));
    // Some known-bad is only kept failing by the hand labels of the other items: alone the gate's "pass" looks harmless.
    const harmlessAlone = alone.filter((g) => g.accepts!('pass') && passingTogether.has(g.exampleId));
    expect(harmlessAlone.length).toBeGreaterThan(0);
  });

  it('gives a resident the texts it reads on a real work: the final message and the code the work changed', () => {
    const rubric = rubrics.find((r) => r.id === 'implementation')!;
    const changedFiles = (g: (typeof rubric.golden)[number]) => g.work.files.filter((f) => !g.base.some((b) => b.path === f.path && b.content === f.content));
    const example = rubric.golden.find((g) => changedFiles(g).length > 0)!;
    const texts = goldenTexts(example);
    const changed = changedFiles(example);

    expect(texts[0]).toBe(example.work.finalMessage);
    for (const file of changed) expect(texts[1]).toContain(`// file: ${file.path}\n${file.content}`);
    const id = `${rubric.id}/${example.id}`;
    expect(goldenExamplesByKey(rubrics)['grader:engineer:gate:claims_match_evidence'].find((g) => g.exampleId === id)!.texts).toEqual(texts);
    expect(editorGoldenExamples(rubrics)['executor:engineer:edit'].find((g) => g.exampleId === id)!.texts).toEqual(texts);
  });

  it('leaves out a file the work did not change from its base', () => {
    const example = rubrics.find((r) => r.id === 'implementation')!.golden.find((g) => g.id === 'good-with-added-edge-case-test')!;
    const [source, test] = example.work.files;
    const texts = goldenTexts({ ...example, base: [test] });

    expect(texts[1]).toContain(`// file: ${source.path}`);
    expect(texts[1]).not.toContain(`// file: ${test.path}`);
  });

  it('lets an answerer that reads the code keep a known-good example good: it is handed the code the work wrote', () => {
    const rubric = rubrics.find((r) => r.id === 'implementation')!;
    const clean = rubric.golden.find((g) => g.id === 'good-clean-implementation')!;
    const readsTheCode: KeyedAnswerer = {
      key: 'grader:engineer:dimension:correctness',
      answer: (_features, texts) => (texts[1]?.includes('throw new TypeError') ? '5' : '2'),
    };

    expect(withRuleVerdicts(rubric, clean, [readsTheCode]).judge['correctness']).toBe(5);
    expect(knownBadPassing(rubrics, [readsTheCode])).toEqual([]);
  });
});
