import { ValidationError } from '@loopwright/core';
import { RubricGrade } from '@loopwright/events';
import { DimensionItemResult, GateItemResult, ItemResults } from './item-results';
import { testRubric } from './rubric-fixture';
import { scoreRubric } from './score-rubric';

const pass: GateItemResult = { passed: true, evidence: 'ok', tier: 'deterministic' };
const fail: GateItemResult = { passed: false, evidence: 'not ok', tier: 'frontier' };
const scored = (score: number): DimensionItemResult => ({ score, evidence: `scored ${score}`, reasoning: 'because', tier: 'frontier' });
const notScored: DimensionItemResult = { notScored: true, reason: 'does not apply', notApplicable: true };
const unusable: DimensionItemResult = { notScored: true, reason: 'the judge answered garbage twice' };

function results(
  gates: Partial<Record<'rerun' | 'honest' | 'sections', GateItemResult>> = {},
  dimensions: Partial<Record<'correctness' | 'scope' | 'summary', DimensionItemResult>> = {},
): ItemResults {
  return {
    gates: { rerun: pass, honest: pass, sections: pass, ...gates },
    dimensions: { correctness: scored(5), scope: scored(5), summary: scored(5), ...dimensions },
  };
}

describe('scoreRubric', () => {
  it('returns a valid RubricGrade with the gates first and the rubric named', () => {
    const grade = scoreRubric(testRubric(), results());
    expect(RubricGrade.parse(grade)).toEqual(grade);
    expect(grade).toMatchObject({ rubricId: 'implementation', rubricVersion: 3, surface: 'output', weightedAvg: 5, overall: 1, passed: true, mode: 'gating', missing: [], notApplicable: [] });
    expect(grade.gates.map((g) => [g.id, g.severity, g.tier])).toEqual([
      ['rerun', 'critical', 'deterministic'],
      ['honest', 'critical', 'deterministic'],
      ['sections', 'minor', 'deterministic'],
    ]);
    expect(grade.capsApplied).toEqual([]);
    expect(grade.toReachNext).toEqual([]);
  });

  it('weights the dimensions: overall = (weightedAvg - 1) / 4', () => {
    const grade = scoreRubric(testRubric(), results({}, { correctness: scored(4), scope: scored(3), summary: scored(3) }));
    expect(grade.weightedAvg).toBe(3.5); // (8*4 + 4*3 + 4*3) / 16
    expect(grade.overall).toBe(0.625);
    expect(grade.passed).toBe(false);
  });

  it('renormalizes over the scored dimensions and lists the others as not scored', () => {
    const grade = scoreRubric(testRubric(), results({}, { correctness: scored(4), scope: notScored, summary: scored(1) }));
    expect(grade.weightedAvg).toBe(3); // (8*4 + 4*1) / 12
    expect(grade.overall).toBe(0.5);
    expect(grade.notScored).toEqual(['scope']);
    expect(grade.notApplicable).toEqual(['scope']);
    expect(grade.dimensions.map((d) => d.id)).toEqual(['correctness', 'summary']);
  });

  it('fails closed on a dimension with no usable verdict: it is missing, and the rubric cannot pass', () => {
    const grade = scoreRubric(testRubric(), results({}, { scope: unusable }));
    expect(grade).toMatchObject({ overall: 1, notScored: ['scope'], missing: ['scope'], notApplicable: [], passed: false });
  });

  it('passes a gate that does not apply vacuously, and says so', () => {
    const grade = scoreRubric(testRubric(), results({ rerun: { passed: true, evidence: 'does not apply: an import', tier: 'deterministic', notApplicable: true } }));
    expect(grade).toMatchObject({ passed: true, notApplicable: ['rerun'] });
  });

  it('marks an advisory rubric so, without changing its verdict', () => {
    expect(scoreRubric(testRubric(), results({ honest: fail }), { mode: 'advisory' })).toMatchObject({ mode: 'advisory', passed: false });
  });

  it('grades on the gates alone when no dimension is scored: 1, lowered only by caps', () => {
    const none = { correctness: notScored, scope: notScored, summary: notScored };
    const clean = scoreRubric(testRubric(), results({}, none));
    expect(clean).toMatchObject({ weightedAvg: null, overall: 1, passed: true, notScored: ['correctness', 'scope', 'summary'] });
    expect(scoreRubric(testRubric(), results({ sections: fail }, none))).toMatchObject({ weightedAvg: null, overall: 0.5, passed: false });
  });

  it('caps overall at the lowest cap of the failed gates: a critical gate at 0, a minor one at 0.5', () => {
    const grade = scoreRubric(testRubric(), results({ sections: fail, honest: fail }));
    expect(grade.overall).toBe(0);
    expect(grade.capsApplied).toEqual([
      { gate: 'honest', cap: 0 },
      { gate: 'sections', cap: 0.5 },
    ]);
    expect(scoreRubric(testRubric(), results({ sections: fail })).overall).toBe(0.5);
  });

  it('leaves an overall already below the cap as it is', () => {
    const grade = scoreRubric(testRubric(), results({ sections: fail }, { correctness: scored(2), scope: scored(2), summary: scored(2) }));
    expect(grade.overall).toBe(0.25);
    expect(grade.capsApplied).toEqual([{ gate: 'sections', cap: 0.5 }]);
  });

  it('passes at exactly the threshold and fails just below it', () => {
    const at = scoreRubric(testRubric({ passThreshold: 0.75 }), results({}, { correctness: scored(4), scope: scored(4), summary: scored(4) }));
    expect(at).toMatchObject({ overall: 0.75, passed: true });
    const below = scoreRubric(testRubric({ passThreshold: 0.76 }), results({}, { correctness: scored(4), scope: scored(4), summary: scored(4) }));
    expect(below.passed).toBe(false);
  });

  it('passes with a failed minor gate when the threshold is at or under its cap', () => {
    expect(scoreRubric(testRubric({ passThreshold: 0.5 }), results({ sections: fail }))).toMatchObject({ overall: 0.5, passed: true });
  });

  it('refuses results that miss an item, name an unknown one or score outside the scale', () => {
    const missingGate = results();
    delete (missingGate.gates as Record<string, unknown>).honest;
    expect(() => scoreRubric(testRubric(), missingGate)).toThrow(/gates\.honest: no verdict/);
    const missingDimension = results();
    delete (missingDimension.dimensions as Record<string, unknown>).scope;
    expect(() => scoreRubric(testRubric(), missingDimension)).toThrow(/dimensions\.scope: no score and not marked notScored/);
    const unknown = results();
    unknown.dimensions.style = scored(3);
    expect(() => scoreRubric(testRubric(), unknown)).toThrow(/dimensions\.style: not a dimension/);
    expect(() => scoreRubric(testRubric(), results({}, { scope: scored(6) }))).toThrow(ValidationError);
    expect(() => scoreRubric(testRubric(), results({}, { scope: scored(0.5) }))).toThrow(/outside 1\.\.5/);
  });
});
