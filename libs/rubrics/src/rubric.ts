import type { RoleBoundaries } from '@loopwright/checks';
import type { Role } from '@loopwright/events';
import { RubricFileError, RubricIssue } from './rubric-error';
import { GoldenExample, GoldenSet, GoldenSetSchema } from './golden-schema';
import { isJudged } from './item-results';
import { RubricDefinition, RubricDefinitionSchema } from './rubric-schema';
import { locate, parseYaml, validateYaml, YamlSource } from './yaml-source';

/**
 * A loaded rubric: its definition, its golden set (empty when it has none), where it came from,
 * and the role boundaries its golden examples are graded under when they were loaded with it.
 */
export type Rubric = RubricDefinition & {
  golden: GoldenExample[];
  source: { file: string; goldenFile: string | null };
  boundaries?: RoleBoundaries;
  /**
   * The first role it grades, `loop` for the run rubric: for callers written when a rubric graded
   * one role. Multi-role rubrics (implementation, handoff) grade every role in `roles`.
   */
  role: Role | 'loop';
};

/** The text of a rubric file and, when it exists, of its sibling `<name>.golden.yaml`. */
export interface RubricSource {
  file: string;
  text: string;
  golden?: { file: string; text: string };
}

/** Parses and validates a rubric and its golden set. Pure: the caller reads the files. */
export function parseRubric(source: RubricSource, boundaries?: RoleBoundaries): Rubric {
  const definition = validateYaml(parseYaml(source.file, source.text), RubricDefinitionSchema);
  const loaded = { ...definition, role: definition.roles[0] ?? ('loop' as const), boundaries };
  if (!source.golden) return { ...loaded, golden: [], source: { file: source.file, goldenFile: null } };
  const goldenSource = parseYaml(source.golden.file, source.golden.text);
  const golden = validateYaml(goldenSource, GoldenSetSchema);
  const issues = goldenIssues(definition, golden).map((issue) => locate(goldenSource, issue));
  if (issues.length > 0) throw new RubricFileError(source.golden.file, issues);
  return { ...loaded, golden: golden.examples, source: { file: source.file, goldenFile: source.golden.file } };
}

/**
 * A golden set must fit its rubric: hand labels only for items no code decides (gates pass | fail,
 * dimensions 1..5), an expected verdict for every gate, and the work of a role the rubric grades.
 * Labels an example lacks for an item that applies are reported when the set is checked.
 */
function goldenIssues(rubric: RubricDefinition, golden: GoldenSet): RubricIssue[] {
  const issues: RubricIssue[] = [];
  if (golden.rubric !== rubric.id) issues.push({ path: 'rubric', message: `names "${golden.rubric}", not "${rubric.id}"` });
  if (rubric.surface === 'run') issues.push({ path: 'rubric', message: 'a run rubric is decided by code from the run; its examples are tests, not a golden set' });
  const gates = new Map(rubric.gates.map((g) => [g.id, g]));
  const dimensions = new Map(rubric.dimensions.map((d) => [d.id, d]));
  const seen = new Set<string>();

  golden.examples.forEach((example, i) => {
    const at = (...rest: (string | number)[]) => ['examples', i, ...rest].join('.');
    if (seen.has(example.id)) issues.push({ path: at('id'), message: `duplicate example id "${example.id}"` });
    seen.add(example.id);
    if (example.role && !rubric.roles.includes(example.role)) issues.push({ path: at('role'), message: `${rubric.id} does not grade the ${example.role}` });
    for (const [id, label] of Object.entries(example.judge)) {
      const item = gates.get(id) ?? dimensions.get(id);
      if (!item) issues.push({ path: at('judge', id), message: `"${id}" is not an item of ${rubric.id}` });
      else if (!isJudged(item)) issues.push({ path: at('judge', id), message: `"${id}" is decided by code (${item.check ? `the check "${item.check}"` : 'its scoredBy'})` });
      else if (gates.has(id) !== (label === 'pass' || label === 'fail')) {
        const expected = gates.has(id) ? 'a gate is labeled pass or fail' : 'a dimension is labeled 1..5';
        issues.push({ path: at('judge', id), message: expected });
      }
    }
    for (const id of Object.keys(example.expect.gates)) {
      if (!gates.has(id)) issues.push({ path: at('expect', 'gates', id), message: `"${id}" is not a gate of ${rubric.id}` });
    }
    for (const id of gates.keys()) {
      if (!(id in example.expect.gates)) issues.push({ path: at('expect', 'gates'), message: `no expected verdict for the gate "${id}"` });
    }
  });
  return issues;
}
