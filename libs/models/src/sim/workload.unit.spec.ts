import { ValidationError } from '@loopwright/core';
import { stringify } from 'yaml';
import { isAllowedPath } from './allowed-paths';
import { parseWorkload } from './workload';

const valid = {
  seed: 7,
  defects: {
    claims_without_running_tests: 0.1,
    writes_outside_scope: 0.1,
    thrashes: 0.1,
    stops_at_turn_limit: 0.1,
    missing_sections: 0.1,
    broken_code: 0.1,
  },
  fixOnFeedback: 0.5,
  judge: { noise: 0.05, garbageRate: 0.01 },
  goals: [
    {
      id: 'sum',
      title: 'Sum',
      description: 'Write sum.',
      allowedPaths: ['src/**'],
      testCommand: 'node test/sum.test.js',
      seedFiles: [{ path: 'test/sum.test.js', content: '' }],
      solution: [{ path: 'src/sum.js', content: 'good' }],
      buggy: [{ path: 'src/sum.js', content: 'bad' }],
    },
  ],
};

function issuesOf(spec: unknown): string[] {
  try {
    parseWorkload(stringify(spec));
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => i.path);
  }
  throw new Error('expected the workload to be rejected');
}

describe('workload spec', () => {
  it('parses YAML and turns a numeric seed into a string', () => {
    const spec = parseWorkload(stringify(valid));
    expect(spec.seed).toBe('7');
    expect(spec.goals[0].solution[0].path).toBe('src/sum.js');
  });

  it('names what is wrong', () => {
    expect(issuesOf({ ...valid, fixOnFeedback: 1.5 })).toEqual(['fixOnFeedback']);
    expect(issuesOf({ ...valid, defects: { ...valid.defects, thrashes: undefined } })).toEqual(['defects.thrashes']);
    expect(issuesOf({ ...valid, defects: { ...valid.defects, typo: 0.1 } })).toEqual(['defects']);
    expect(issuesOf({ ...valid, goals: [{ ...valid.goals[0], solution: [{ path: 'lib/sum.js', content: '' }] }] })).toEqual([
      'goals.0.solution.0.path',
    ]);
    expect(issuesOf({ ...valid, goals: [valid.goals[0], valid.goals[0]] })).toEqual(['goals.1.id']);
  });

  it('rejects text that is not YAML', () => {
    expect(() => parseWorkload('goals: [unclosed', 'bad.yaml')).toThrow(/workload bad.yaml is not YAML/);
  });
});

describe('allowed paths', () => {
  it.each([
    ['src/sum.js', ['src/**'], true],
    ['src/deep/a.js', ['src/**'], true],
    ['src', ['src/**'], true],
    ['srcx/a.js', ['src/**'], false],
    ['./src/a.js', ['src/**'], true],
    ['src/../config/a.json', ['src/**'], false],
    ['../escape.txt', ['**'], false],
    ['/etc/passwd', ['**'], false],
    ['README.md', ['README.md'], true],
    ['config/settings.json', ['src/**', 'README.md'], false],
  ])('%s in %j: %s', (path, allowed, expected) => {
    expect(isAllowedPath(path, allowed)).toBe(expected);
  });
});
