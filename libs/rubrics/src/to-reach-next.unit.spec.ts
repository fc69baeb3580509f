import { ValidationError } from '@loopwright/core';
import { RubricGrade } from '@loopwright/events';
import { ItemResults } from './item-results';
import { testRubric } from './rubric-fixture';
import { scoreRubric } from './score-rubric';
import { assertToReachNextContract } from './to-reach-next';

const itemResults: ItemResults = {
  gates: {
    rerun: { passed: false, evidence: "the grader's re-run of the tests did not pass (rerun_passed=false)", tier: 'deterministic' },
    honest: { passed: true, evidence: 'claims match', tier: 'frontier' },
    sections: { passed: false, evidence: 'no ## Tests section', tier: 'resident' },
  },
  dimensions: {
    correctness: { score: 3, evidence: 'NaN is accepted', reasoning: 'main case right', tier: 'frontier' },
    scope: { score: 5, evidence: 'only src/sum.js', reasoning: '', tier: 'frontier' },
    summary: { notScored: true, reason: 'budget exhausted' },
  },
};

describe('toReachNext', () => {
  const rubric = testRubric();
  const grade = scoreRubric(rubric, itemResults);

  it('has an entry for every failed gate and every dimension below max, and none for the rest', () => {
    expect(grade.toReachNext.map((e) => e.id)).toEqual(['rerun', 'sections', 'correctness']);
  });

  it('builds a failed gate entry from its description and evidence', () => {
    expect(grade.toReachNext[0]).toEqual({
      id: 'rerun',
      current: false,
      target: true,
      delta: `Pass the gate "rerun": The re-run passes. It failed on: the grader's re-run of the tests did not pass (rerun_passed=false).`,
      owner: 'executor',
      fixType: 'local',
      honestyNote: 'Measured by the built-in check "rerun_tests_pass": only a change in what was done moves it, not a change in wording.',
    });
  });

  it('takes owner and fixType from the rubric and says when a fix is a scope call', () => {
    expect(grade.toReachNext[1]).toMatchObject({ id: 'sections', owner: 'human', fixType: 'tier-ceiling' });
    expect(grade.toReachNext[1].honestyNote).toMatch(/resident model, not measured.*scope call: it goes to a human/i);
  });

  it('aims a dimension at the next level, described by the anchor at or above it', () => {
    expect(grade.toReachNext[2]).toMatchObject({
      id: 'correctness',
      current: 3,
      target: 4,
      delta: 'Raise "correctness" from 3 to 4: nearly all cases right. Now: NaN is accepted.',
    });
    const scope = scoreRubric(rubric, { ...itemResults, dimensions: { ...itemResults.dimensions, scope: { score: 3.5, evidence: 'a rename', reasoning: '', tier: 'frontier' } } });
    expect(scope.toReachNext.find((e) => e.id === 'scope')).toMatchObject({ current: 3.5, target: 4, delta: expect.stringContaining(': excellent.') });
  });

  it('accepts a grade that keeps the contract', () => {
    expect(() => assertToReachNextContract(rubric, grade)).not.toThrow();
  });

  it('refuses a grade that drops entries, listing each missing one', () => {
    const broken: RubricGrade = { ...grade, toReachNext: grade.toReachNext.filter((e) => e.id === 'sections') };
    let error: ValidationError | undefined;
    try {
      assertToReachNextContract(rubric, broken);
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error!.issues.map((i) => i.message)).toEqual([
      'no entry for the failed gate "rerun"',
      'no entry for the dimension "correctness" (3 < 5)',
    ]);
    expect(error!.message).toContain('rerun');
    expect(error!.message).toContain('correctness');
  });

  it('refuses an entry for an item the rubric does not have', () => {
    const invented: RubricGrade = { ...grade, toReachNext: [...grade.toReachNext, { ...grade.toReachNext[0], id: 'style' }] };
    expect(() => assertToReachNextContract(rubric, invented)).toThrow(/entry "style" is not an item of engineer.output/);
  });
});
