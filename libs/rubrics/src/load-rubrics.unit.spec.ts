import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@loopwright/core';
import { loadRubric, loadRubrics } from './load-rubrics';
import { RubricFileError } from './rubric-error';

const valid = `id: implementation
version: 1
surface: output
roles: [engineer]
description: The change.
passThreshold: 0.7
weightRationale: correctness first.
gates:
  - id: tests_pass_on_rerun
    description: The re-run passes.
    severity: critical
    check: rerun_tests_pass
dimensions:
  - id: correctness
    description: The code is right.
    weight: 8
    anchors: { 1: wrong, 3: main case right, 5: all cases right }
`;

const golden = `rubric: implementation
examples:
  - id: good-1
    label: known-good
    note: right
    work: { finalMessage: done, testCommand: node t.js, allowedPaths: [src/**], turnsUsed: 1, maxTurns: 5 }
    rerun: { exitCode: 0, output: ok }
    judge: { correctness: 5 }
    expect: { gates: { tests_pass_on_rerun: true }, overall: [0.9, 1], passed: true }
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rubrics-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (path: string, text: string) => {
  const file = join(dir, path);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
};

function refusal(load: () => unknown): RubricFileError {
  try {
    load();
  } catch (error) {
    if (error instanceof RubricFileError) return error;
    throw error;
  }
  throw new Error('expected the rubric to be refused');
}

describe('loadRubric', () => {
  it('loads a valid rubric with its defaults and its sibling golden set', () => {
    const file = write('engineer/output.yaml', valid);
    write('engineer/output.golden.yaml', golden);
    const rubric = loadRubric(file);
    expect(rubric).toMatchObject({
      id: 'implementation',
      scale: { min: 1, max: 5 },
      activation: 'gating',
      gates: [{ id: 'tests_pass_on_rerun', routes: [] }],
      dimensions: [{ id: 'correctness', anchors: { 1: 'wrong', 3: 'main case right', 5: 'all cases right' } }],
      source: { file, goldenFile: join(dir, 'engineer/output.golden.yaml') },
    });
    expect(rubric.golden.map((e) => e.id)).toEqual(['good-1']);
  });

  it.each([
    ['a cap of its own (caps follow the severity)', valid.replace('severity: critical', 'severity: critical\n    cap: 0.2'), 'gates.0', /Unrecognized key: "cap"/, 9],
    ['an unknown check', valid.replace('check: rerun_tests_pass', 'check: type_check'), 'gates.0.check', /unknown built-in check "type_check"/, 12],
    ['a weight under 4', valid.replace('weight: 8', 'weight: 3'), 'dimensions.0.weight', />=4/, 16],
    ['a weight that is not an integer', valid.replace('weight: 8', 'weight: 4.5'), 'dimensions.0.weight', /int/, 16],
    ['a missing anchor', valid.replace('3: main case right, ', ''), 'dimensions.0.anchors.3', /expected string/, 17],
    ['a duplicate item id', valid.replace('id: correctness', 'id: tests_pass_on_rerun'), 'dimensions.0.id', /duplicate item id "tests_pass_on_rerun" \(also gates\.0\.id\)/, 14],
    ['a misspelled key', valid.replace('weight: 8', 'weigth: 8'), 'dimensions.0', /Unrecognized key: "weigth"/, 14],
    ['a bad severity', valid.replace('severity: critical', 'severity: major'), 'gates.0.severity', /critical|minor/, 11],
    ['weights without a rationale', valid.replace('weightRationale: correctness first.\n', ''), 'weightRationale', /rationale/, 1],
    ['a behavior rubric that gates from the start', valid.replace('surface: output', 'surface: trace'), 'activation', /starts advisory/, 1],
    ['a run rubric with a role', valid.replace('surface: output', 'surface: run'), 'roles', /grades no role/, 4],
    ['an upstream route with no stage', valid.replace('    check: rerun_tests_pass', '    check: rerun_tests_pass\n    routes: [{ fixType: upstream-structural, because: x }]'), 'gates.0.routes.0.stage', /names its stage/, 13],
    ['an applies_when that is not a predicate', valid.replace('    check: rerun_tests_pass', '    check: rerun_tests_pass\n    appliesWhen: { description: x, when: { feature: a, like: b } }'), 'gates.0.appliesWhen.when', /Invalid|Unrecognized/, 13],
  ])('refuses %s, naming file, field and reason', (_name, text, path, reason, line) => {
    const file = write('engineer/output.yaml', text);
    const error = refusal(() => loadRubric(file));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.file).toBe(file);
    expect(error.message).toContain(file);
    const issue = error.fileIssues.find((i) => i.path === path);
    expect(issue).toBeDefined();
    expect(issue!.message).toMatch(reason);
    expect(issue!.line).toBe(line);
    expect(error.message).toContain(`${path} (line ${line}): `);
  });

  it('refuses YAML syntax errors and duplicate keys with their line', () => {
    const broken = refusal(() => loadRubric(write('a/broken.yaml', 'id: x\ngates: [\n')));
    expect(broken.fileIssues[0]).toMatchObject({ path: '(yaml)' });
    const duplicate = refusal(() => loadRubric(write('a/dup.yaml', valid + 'version: 2\n')));
    expect(duplicate.fileIssues[0]).toMatchObject({ path: '(yaml)', message: expect.stringMatching(/unique/i), line: 18 });
  });

  it.each([
    ['a missing expected gate verdict', golden.replace('gates: { tests_pass_on_rerun: true }', 'gates: {}'), 'examples.0.expect.gates', /no expected verdict for the gate "tests_pass_on_rerun"/],
    ['a hand label on a checked gate', golden.replace('correctness: 5', 'correctness: 5, tests_pass_on_rerun: pass'), 'examples.0.judge.tests_pass_on_rerun', /decided by code \(the check "rerun_tests_pass"\)/],
    ['the work of a role the rubric does not grade', golden.replace('    note: right', '    note: right\n    role: tester'), 'examples.0.role', /does not grade the tester/],
    ['a pass label on a dimension', golden.replace('correctness: 5', 'correctness: pass'), 'examples.0.judge.correctness', /a dimension is labeled 1\.\.5/],
    ['a label for an unknown item', golden.replace('correctness: 5', 'correctness: 5, style: 3'), 'examples.0.judge.style', /not an item of implementation/],
    ['an expected unknown gate', golden.replace('tests_pass_on_rerun: true', 'tests_pass: true'), 'examples.0.expect.gates.tests_pass', /not a gate/],
    ['an inverted band', golden.replace('[0.9, 1]', '[1, 0.9]'), 'examples.0.expect.overall', /min <= max/],
    ['another rubric', golden.replace('rubric: implementation', 'rubric: handoff'), 'rubric', /not "implementation"/],
  ])('refuses a golden set with %s, naming the golden file', (_name, text, path, reason) => {
    const file = write('engineer/output.yaml', valid);
    const goldenFile = write('engineer/output.golden.yaml', text);
    const error = refusal(() => loadRubric(file));
    expect(error.file).toBe(goldenFile);
    expect(error.fileIssues.find((i) => i.path === path)?.message).toMatch(reason);
  });
});

describe('loadRubrics', () => {
  it('loads every rubric below a directory, sorted by id, skipping golden files and the boundaries', () => {
    write('engineer/output.yaml', valid);
    write('engineer/output.golden.yaml', golden);
    write('tester/output.yaml', valid.replace(/engineer/g, 'tester').replace('id: implementation', 'id: probe-plan'));
    write('boundaries.yaml', 'version: 1\nroles: {}\n');
    expect(() => loadRubrics(dir)).toThrow(/boundaries\.yaml: roles\.planner .*expected object/);
    rmSync(join(dir, 'boundaries.yaml'));
    expect(loadRubrics(dir).map((r) => [r.id, r.golden.length])).toEqual([
      ['implementation', 1],
      ['probe-plan', 0],
    ]);
  });

  it("refuses two rubrics that grade one role on the same item id: their decision keys would mix", () => {
    write('a.yaml', valid);
    write('b.yaml', valid.replace('id: implementation', 'id: handoff').replace('id: correctness', 'id: other'));
    expect(() => loadRubrics(dir)).toThrow(/the engineer is graded on "tests_pass_on_rerun" by (implementation|handoff) too/);
  });

  it('names every bad file at once: invalid rubrics, duplicate ids, orphan golden files', () => {
    const bad = write('engineer/output.yaml', valid.replace('severity: critical', 'severity: fatal'));
    write('engineer/copy.yaml', valid.replace('weight: 8', 'weight: 9'));
    write('engineer/other.yaml', valid);
    const orphan = write('planner/output.golden.yaml', golden);
    let error: ValidationError | undefined;
    try {
      loadRubrics(dir);
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error!.message).toContain(`${bad}: gates.0.severity (line 11)`);
    expect(error!.message).toMatch(/engineer\/other\.yaml: id: "implementation" is also the id of .*engineer\/copy\.yaml/);
    expect(error!.message).toContain(`${orphan}: (file): no rubric`);
    expect(error!.issues.map((i) => i.path)).toContain(`${bad}:gates.0.severity`);
  });
});
