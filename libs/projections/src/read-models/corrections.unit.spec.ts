import { createEvent } from '@loopwright/events';
import { correctionsOf, normalizeDelta, signatureOf } from './corrections';

describe('correction signatures', () => {
  it('normalize a delta: lowercased, digit runs as #, whitespace collapsed', () => {
    expect(normalizeDelta('  Run the 3 tests\tbefore  claiming 100%  ')).toBe('run the # tests before claiming #%');
    expect(normalizeDelta('run the 12 tests before claiming 7%')).toBe(normalizeDelta('Run the 3 tests   before claiming 100%'));
  });

  it('come from every failed gate and every dimension below the maximum that has a toReachNext entry', () => {
    const grade = createEvent({
      type: 'grade.recorded', aggregateId: 'r-1', producer: 'grader',
      data: {
        gradeId: 'g', workId: 'w', taskId: 't', role: 'tester', iteration: 1, passed: false, overall: 0.2, costUsd: 0,
        rerun: { command: 'x', exitCode: 1, output: '' },
        rubrics: [{
          rubricId: 'tester-trace', rubricVersion: 2, surface: 'trace', notScored: [], weightedAvg: 2, overall: 0.2, capsApplied: [], passed: false,
          gates: [
            { id: 'ran_tests', passed: false, evidence: '', tier: 'deterministic', severity: 'critical' },
            { id: 'in_scope', passed: true, evidence: '', tier: 'deterministic', severity: 'minor' },
            { id: 'no_thrash', passed: false, evidence: '', tier: 'frontier', severity: 'minor' },
          ],
          dimensions: [
            { id: 'coverage', score: 3, evidence: '', reasoning: '', tier: 'frontier' },
            { id: 'clarity', score: 5, evidence: '', reasoning: '', tier: 'frontier' },
          ],
          toReachNext: [
            { id: 'ran_tests', current: false, target: true, delta: 'Run them', owner: 'executor', fixType: 'local' },
            { id: 'coverage', current: 3, target: 4, delta: 'Cover 2 more branches', owner: 'executor', fixType: 'upstream-structural' },
          ],
        }],
      },
    });
    const found = correctionsOf(grade.data);
    expect(found.map((c) => [c.kind, c.itemId])).toEqual([['gate', 'ran_tests'], ['dimension', 'coverage']]);
    expect(signatureOf(found[1])).toBe('tester|tester-trace/coverage|upstream-structural|cover # more branches');
  });
});
