import { verdictFigures, verdictPair } from './verdict-metrics';

describe('verdictPair', () => {
  it('takes the two most common verdicts, the rarer as the minority', () => {
    expect(verdictPair(['pass', 'pass', 'fail', 'pass', '3'])).toEqual({ majority: 'pass', minority: 'fail', counts: { pass: 3, fail: 1, '3': 1 } });
  });

  it('on a tie makes the verdict that sorts first the minority', () => {
    expect(verdictPair(['pass', 'fail'])).toMatchObject({ majority: 'pass', minority: 'fail' });
    expect(verdictPair(['5', '2', '5', '2'])).toMatchObject({ majority: '5', minority: '2' });
  });

  it('has one verdict for both roles when the history has one, and none when it is empty', () => {
    expect(verdictPair(['pass', 'pass'])).toMatchObject({ majority: 'pass', minority: 'pass' });
    expect(verdictPair([])).toBeNull();
  });
});

describe('verdictFigures', () => {
  it('counts precision and recall about the minority verdict, accuracy over all', () => {
    const figures = verdictFigures(['fail', 'fail', 'pass', 'pass', 'pass'], ['fail', 'pass', 'fail', 'pass', '3'], 'fail');

    expect(figures).toEqual({ precision: 0.5, recall: 0.5, accuracy: 0.4, n: 5, truePositives: 1, falsePositives: 1, falseNegatives: 1 });
  });

  it('treats a rule that never says the minority, on data without it, as vacuously precise and complete', () => {
    expect(verdictFigures(['pass'], ['pass'], 'fail')).toMatchObject({ precision: 1, recall: 1, accuracy: 1 });
  });
});
