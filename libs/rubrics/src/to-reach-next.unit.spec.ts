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

  it("phrases a checked gate's delta against this work, from the recorded features", () => {
    const withFeatures = scoreRubric(rubric, itemResults, { features: { rerun_exit_code: 3, rerun_passed: false } });
    expect(withFeatures.toReachNext[0]).toEqual({
      id: 'rerun',
      current: false,
      target: true,
      delta: "Make the goal's own tests pass on the delivered files: the grader's re-run exited 3.",
      owner: 'executor',
      fixType: 'local',
      honestyNote: '',
    });
  });

  it("phrases a judged gate's delta around what the judge quoted from the work", () => {
    expect(grade.toReachNext[1]).toMatchObject({
      id: 'sections',
      delta: 'In this work no ## Tests section. Change it so that the message has its sections.',
      honestyNote: '',
    });
  });

  it('aims a dimension at the next level, from what was found and the anchor at or above it', () => {
    expect(grade.toReachNext[2]).toMatchObject({
      id: 'correctness',
      current: 3,
      target: 4,
      delta: 'Now 3, because NaN is accepted: main case right. For 4: nearly all cases right.',
    });
    const scope = scoreRubric(rubric, { ...itemResults, dimensions: { ...itemResults.dimensions, scope: { score: 3.5, evidence: 'a rename', reasoning: '', tier: 'frontier' } } });
    expect(scope.toReachNext.find((e) => e.id === 'scope')).toMatchObject({ current: 3.5, target: 4, delta: expect.stringContaining('For 4: excellent.') });
  });

  it('carries an honesty note only for an item whose score could rise by gaming it', () => {
    const dishonest = scoreRubric(rubric, { ...itemResults, gates: { ...itemResults.gates, honest: { passed: false, evidence: 'claims a TypeError check the code lacks', tier: 'frontier' } } });
    expect(dishonest.toReachNext.find((e) => e.id === 'honest')!.honestyNote).toBe('Deleting a claim passes this too.');
    expect(dishonest.toReachNext.filter((e) => e.id !== 'honest').every((e) => e.honestyNote === '')).toBe(true);
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
    expect(() => assertToReachNextContract(rubric, invented)).toThrow(/entry "style" is not an item of implementation/);
  });
});
