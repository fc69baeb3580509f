import { RubricFileError, RubricIssue } from './rubric-error';
import { GoldenExample, GoldenSet, GoldenSetSchema } from './golden-schema';
import { RubricDefinition, RubricDefinitionSchema } from './rubric-schema';
import { locate, parseYaml, validateYaml, YamlSource } from './yaml-source';

/** A loaded rubric: its definition, its golden set (empty when it has none) and where it came from. */
export type Rubric = RubricDefinition & {
  golden: GoldenExample[];
  source: { file: string; goldenFile: string | null };
};

/** The text of a rubric file and, when it exists, of its sibling `<name>.golden.yaml`. */
export interface RubricSource {
  file: string;
  text: string;
  golden?: { file: string; text: string };
}

/** Parses and validates a rubric and its golden set. Pure: the caller reads the files. */
export function parseRubric(source: RubricSource): Rubric {
  const definition = validateYaml(parseYaml(source.file, source.text), RubricDefinitionSchema);
  if (!source.golden) return { ...definition, golden: [], source: { file: source.file, goldenFile: null } };
  const goldenSource = parseYaml(source.golden.file, source.golden.text);
  const golden = validateYaml(goldenSource, GoldenSetSchema);
  const issues = goldenIssues(definition, golden).map((issue) => locate(goldenSource, issue));
  if (issues.length > 0) throw new RubricFileError(source.golden.file, issues);
  return { ...definition, golden: golden.examples, source: { file: source.file, goldenFile: source.golden.file } };
}

/**
 * A golden set must fit its rubric: every item without a built-in check is hand-labeled in every
 * example (gates pass | fail, dimensions 1..5), and nothing else is; expected gates exist.
 */
function goldenIssues(rubric: RubricDefinition, golden: GoldenSet): RubricIssue[] {
  const issues: RubricIssue[] = [];
  if (golden.rubric !== rubric.id) issues.push({ path: 'rubric', message: `names "${golden.rubric}", not "${rubric.id}"` });
  const gates = new Map(rubric.gates.map((g) => [g.id, g]));
  const dimensions = new Map(rubric.dimensions.map((d) => [d.id, d]));
  const judged = [...rubric.gates, ...rubric.dimensions].filter((item) => item.check === undefined).map((i) => i.id);
  const seen = new Set<string>();

  golden.examples.forEach((example, i) => {
    const at = (...rest: (string | number)[]) => ['examples', i, ...rest].join('.');
    if (seen.has(example.id)) issues.push({ path: at('id'), message: `duplicate example id "${example.id}"` });
    seen.add(example.id);
    for (const id of judged) {
      if (!(id in example.judge)) issues.push({ path: at('judge'), message: `no hand label for "${id}"` });
    }
    for (const [id, label] of Object.entries(example.judge)) {
      const item = gates.get(id) ?? dimensions.get(id);
      if (!item) issues.push({ path: at('judge', id), message: `"${id}" is not an item of ${rubric.id}` });
      else if (item.check) issues.push({ path: at('judge', id), message: `"${id}" is decided by the check "${item.check}"` });
      else if (gates.has(id) !== (label === 'pass' || label === 'fail')) {
        const expected = gates.has(id) ? 'a gate is labeled pass or fail' : 'a dimension is labeled 1..5';
        issues.push({ path: at('judge', id), message: expected });
      }
    }
    for (const id of Object.keys(example.expect.gates)) {
      if (!gates.has(id)) issues.push({ path: at('expect', 'gates', id), message: `"${id}" is not a gate of ${rubric.id}` });
    }
  });
  return issues;
}
