import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@loopwright/core';
import { loadRubric, loadRubrics } from './load-rubrics';
import { RubricFileError } from './rubric-error';

const valid = `id: engineer.output
version: 1
role: engineer
surface: output
passThreshold: 0.7
gates:
  - id: tests_pass_on_rerun
    description: The re-run passes.
    severity: critical
    cap: 0.2
    check: rerun_tests_pass
dimensions:
  - id: correctness
    description: The code is right.
    weight: 3
    anchors: { 1: wrong, 3: main case right, 5: all cases right }
`;

const golden = `rubric: engineer.output
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
      id: 'engineer.output',
      scale: { min: 1, max: 5 },
      gates: [{ id: 'tests_pass_on_rerun', owner: 'executor', fixType: 'local' }],
      dimensions: [{ id: 'correctness', anchors: { 1: 'wrong', 3: 'main case right', 5: 'all cases right' } }],
      source: { file, goldenFile: join(dir, 'engineer/output.golden.yaml') },
    });
    expect(rubric.golden.map((e) => e.id)).toEqual(['good-1']);
  });

  it.each([
    ['a cap above 1', valid.replace('cap: 0.2', 'cap: 1.5'), 'gates.0.cap', /<=1/, 10],
    ['an unknown check', valid.replace('check: rerun_tests_pass', 'check: type_check'), 'gates.0.check', /unknown built-in check "type_check"/, 11],
    ['a zero weight', valid.replace('weight: 3', 'weight: 0'), 'dimensions.0.weight', />0/, 15],
    ['a missing anchor', valid.replace('3: main case right, ', ''), 'dimensions.0.anchors.3', /expected string/, 16],
    ['a duplicate item id', valid.replace('id: correctness', 'id: tests_pass_on_rerun'), 'dimensions.0.id', /duplicate item id "tests_pass_on_rerun" \(also gates\.0\.id\)/, 13],
    ['a misspelled key', valid.replace('weight: 3', 'weigth: 3'), 'dimensions.0', /Unrecognized key: "weigth"/, 13],
    ['a bad severity', valid.replace('severity: critical', 'severity: major'), 'gates.0.severity', /critical|minor/, 9],
    ['an id that does not start with its role', valid.replace('id: engineer.output', 'id: tester.output'), 'id', /start with the role "engineer."/, 1],
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
    expect(duplicate.fileIssues[0]).toMatchObject({ path: '(yaml)', message: expect.stringMatching(/unique/i), line: 17 });
  });

  it.each([
    ['a missing hand label', golden.replace('judge: { correctness: 5 }', 'judge: {}'), 'examples.0.judge', /no hand label for "correctness"/],
    ['a hand label on a checked gate', golden.replace('correctness: 5', 'correctness: 5, tests_pass_on_rerun: pass'), 'examples.0.judge.tests_pass_on_rerun', /decided by the check "rerun_tests_pass"/],
    ['a pass label on a dimension', golden.replace('correctness: 5', 'correctness: pass'), 'examples.0.judge.correctness', /a dimension is labeled 1\.\.5/],
    ['a label for an unknown item', golden.replace('correctness: 5', 'correctness: 5, style: 3'), 'examples.0.judge.style', /not an item of engineer.output/],
    ['an expected unknown gate', golden.replace('tests_pass_on_rerun: true', 'tests_pass: true'), 'examples.0.expect.gates.tests_pass', /not a gate/],
    ['an inverted band', golden.replace('[0.9, 1]', '[1, 0.9]'), 'examples.0.expect.overall', /min <= max/],
    ['another rubric', golden.replace('rubric: engineer.output', 'rubric: engineer.behavior'), 'rubric', /not "engineer.output"/],
  ])('refuses a golden set with %s, naming the golden file', (_name, text, path, reason) => {
    const file = write('engineer/output.yaml', valid);
    const goldenFile = write('engineer/output.golden.yaml', text);
    const error = refusal(() => loadRubric(file));
    expect(error.file).toBe(goldenFile);
    expect(error.fileIssues.find((i) => i.path === path)?.message).toMatch(reason);
  });
});

describe('loadRubrics', () => {
  it('loads every rubric below a directory, sorted by id, skipping golden files', () => {
    write('engineer/output.yaml', valid);
    write('engineer/output.golden.yaml', golden);
    write('tester/output.yaml', valid.replace(/engineer/g, 'tester'));
    expect(loadRubrics(dir).map((r) => [r.id, r.golden.length])).toEqual([
      ['engineer.output', 1],
      ['tester.output', 0],
    ]);
  });

  it('names every bad file at once: invalid rubrics, duplicate ids, orphan golden files', () => {
    const bad = write('engineer/output.yaml', valid.replace('cap: 0.2', 'cap: -1'));
    write('engineer/copy.yaml', valid.replace('weight: 3', 'weight: 2'));
    write('engineer/other.yaml', valid);
    const orphan = write('planner/output.golden.yaml', golden);
    let error: ValidationError | undefined;
    try {
      loadRubrics(dir);
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error!.message).toContain(`${bad}: gates.0.cap (line 10)`);
    expect(error!.message).toMatch(/engineer\/other\.yaml: id: "engineer.output" is also the id of .*engineer\/copy\.yaml/);
    expect(error!.message).toContain(`${orphan}: (file): no rubric`);
    expect(error!.issues.map((i) => i.path)).toContain(`${bad}:gates.0.cap`);
  });
});
