import { computeRunFeatures, GradedIteration, RunSummary } from './run-features';

const it1 = (passed: boolean, items: GradedIteration['items'], iteration = 1): GradedIteration => ({ iteration, passed, items });

describe('run features', () => {
  it('counts fed-back items that moved, regressions, and iterations beyond the first', () => {
    const run: RunSummary = {
      pipeline: ['engineer', 'tester'],
      tasks: [
        {
          role: 'engineer', outcome: 'completed', acceptedByPerson: false,
          iterations: [
            it1(false, [{ id: 'module_loads', fixType: 'local', current: false }, { id: 'correctness', fixType: 'local', current: 3 }]),
            // module_loads passed (gone), correctness did not move, and a new shortfall appeared.
            it1(false, [{ id: 'correctness', fixType: 'local', current: 3 }, { id: 'smallest_coherent_change', fixType: 'local', current: 4 }], 2),
            it1(true, [], 3),
          ],
        },
        { role: 'tester', outcome: 'failed', acceptedByPerson: false, iterations: [it1(false, [{ id: 'coverage', fixType: 'tier-ceiling', current: 3 }]), it1(false, [], 2)] },
      ],
    };
    expect(computeRunFeatures(run)).toMatchObject({
      run_roles_unfinished: 1, run_unfinished_list: 'tester', run_silent_acceptances: 0,
      run_feedback_items: 4, run_feedback_moved_ratio: 0.75, run_regressions: 1, run_extra_iterations: 3, run_tier_ceiling_loops: 1,
    });
  });

  it('names a task completed on a failing grade that no person accepted', () => {
    const task = (acceptedByPerson: boolean) => ({ role: 'engineer' as const, outcome: 'completed' as const, acceptedByPerson, iterations: [it1(false, [{ id: 'correctness', fixType: 'local' as const, current: 2 }])] });
    expect(computeRunFeatures({ pipeline: ['engineer'], tasks: [task(false)] })).toMatchObject({ run_silent_acceptances: 1, run_silent_list: 'engineer' });
    expect(computeRunFeatures({ pipeline: ['engineer'], tasks: [task(true)] })).toMatchObject({ run_silent_acceptances: 0, run_feedback_moved_ratio: 1 });
  });
});
