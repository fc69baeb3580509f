import { candidateTerms, chooseTerms } from './term-selection';

describe('candidateTerms', () => {
  it('offers string features as name=value and each text\'s words and word pairs, tagged by which text it is', () => {
    const terms = candidateTerms({ ended_by: 'finished', turns: 3, ran: true }, ['Added tests.', 'catch {}']);

    expect([...terms].sort()).toEqual(['0:added', '0:added tests', '0:tests', '1:catch', 'ended_by=finished'].sort());
  });
});

describe('chooseTerms', () => {
  const sets = (rows: string[][]) => rows.map((r) => new Set(r));

  it('prefers the term that tells the labels apart over one that is common but says nothing', () => {
    const rows = [['swallow', 'common'], ['swallow', 'common'], ['swallow'], ['common'], ['common'], ['common'], [], []];
    const labels = [true, true, true, false, false, false, false, false];

    expect(chooseTerms(sets(rows), labels, 1, 1)).toEqual(['swallow']);
    expect(chooseTerms(sets(rows), labels, 2, 1)).toEqual(['swallow', 'common']);
  });

  it('leaves out terms too few examples have, or too few lack', () => {
    const rows = [['rare', 'everywhere'], ['everywhere', 'half'], ['everywhere', 'half'], ['everywhere']];
    const labels = [true, true, false, false];

    expect(chooseTerms(sets(rows), labels, 10, 2)).toEqual(['half']);
  });

  it('does not depend on the order of the examples, and breaks ties by the term', () => {
    const rows = [['b', 'a'], ['a', 'b'], ['c'], ['c']];
    const labels = [true, true, false, false];
    const forward = chooseTerms(sets(rows), labels, 3, 1);

    expect(forward).toEqual(['a', 'b', 'c']);
    expect(chooseTerms(sets([...rows].reverse()), [...labels].reverse(), 3, 1)).toEqual(forward);
  });

  it('refuses term sets and labels of different lengths', () => {
    expect(() => chooseTerms(sets([['a']]), [true, false], 1, 1)).toThrow(/1 term sets for 2 labels/);
  });
});
