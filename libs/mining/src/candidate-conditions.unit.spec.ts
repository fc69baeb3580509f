import { candidateConditions } from './candidate-conditions';

const limits = { maxThresholdsPerFeature: 64, maxValuesPerFeature: 16 };

describe('candidateConditions', () => {
  it('offers eq on booleans and strings, eq and thresholds on numbers, in canonical order', () => {
    const vectors = [
      { ok: true, ended_by: 'finished', runs: 0 },
      { ok: false, ended_by: 'turn_limit', runs: 2 },
      { ok: true, ended_by: 'finished', runs: 1 },
    ];

    expect(candidateConditions(vectors, limits)).toEqual([
      { feature: 'ended_by', eq: 'finished' },
      { feature: 'ended_by', eq: 'turn_limit' },
      { feature: 'ok', eq: false },
      { feature: 'ok', eq: true },
      { feature: 'runs', eq: 0 },
      { feature: 'runs', eq: 1 },
      { feature: 'runs', eq: 2 },
      { feature: 'runs', gte: 1 },
      { feature: 'runs', gte: 2 },
      { feature: 'runs', lte: 0 },
      { feature: 'runs', lte: 1 },
    ]);
  });

  it('given the verdicts, puts thresholds only where the verdict changes between neighbouring values', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8];
    const vectors = values.map((x) => ({ x }));
    const verdicts = values.map((x) => (x >= 4 && x <= 6 ? 'fail' : 'pass'));

    const thresholds = candidateConditions(vectors, { ...limits, maxValuesPerFeature: 0 }, verdicts);

    expect(thresholds).toEqual([
      { feature: 'x', gte: 4 },
      { feature: 'x', gte: 7 },
      { feature: 'x', lte: 3 },
      { feature: 'x', lte: 6 },
    ]);
  });

  it('keeps a value seen with both verdicts as a boundary on either side', () => {
    const vectors = [{ x: 1 }, { x: 2 }, { x: 2 }, { x: 3 }];
    const verdicts = ['pass', 'pass', 'fail', 'fail'];

    expect(candidateConditions(vectors, { ...limits, maxValuesPerFeature: 0 }, verdicts)).toEqual([
      { feature: 'x', gte: 2 },
      { feature: 'x', gte: 3 },
      { feature: 'x', lte: 1 },
      { feature: 'x', lte: 2 },
    ]);
  });

  it('spends a capped number of thresholds at evenly spaced boundaries, keeping the ends', () => {
    const vectors = Array.from({ length: 100 }, (_, i) => ({ x: i }));

    const gte = candidateConditions(vectors, { maxThresholdsPerFeature: 5, maxValuesPerFeature: 0 }).filter((c) => 'gte' in c);

    expect(gte).toEqual([1, 26, 50, 75, 99].map((t) => ({ feature: 'x', gte: t })));
  });
});
