import { RubricGrade, ToReachNext } from '@loopwright/events';
import { loadRubrics, Route } from '@loopwright/rubrics';
import { feedbackRoute, pipelineOf, routeEntry } from './fix-routing';

const rubrics = loadRubrics();
const routesOf = (rubricId: string, item: string) => [...rubrics.find((r) => r.id === rubricId)!.gates, ...rubrics.find((r) => r.id === rubricId)!.dimensions].find((i) => i.id === item)!.routes;
const entry = (id: string, honestyNote = ''): ToReachNext => ({ id, current: false, target: true, delta: `fix ${id}`, owner: 'executor', fixType: 'local', honestyNote });

describe('routing one feedback entry, per case', () => {
  const ownership = routesOf('implementation', 'file_ownership');

  it('keeps a boundary violation local when nothing upstream told the role to make it', () => {
    const routed = routeEntry(entry('file_ownership'), ownership, { role: 'engineer', pipeline: ['planner', 'architect', 'engineer'], features: { boundary_violations: 1, boundary_violations_planned: 0, boundary_violations_reviewed: 0 } });
    expect(routed).toMatchObject({ fixType: 'local', owner: 'executor', stage: 'engineer', honestyNote: '' });
  });

  it('sends it to the architect whose review asked for it, and names the architect in the feedback', () => {
    const routed = routeEntry(entry('file_ownership'), ownership, { role: 'engineer', pipeline: ['planner', 'architect', 'engineer'], features: { boundary_violations: 1, boundary_violations_planned: 1, boundary_violations_reviewed: 1 } });
    expect(routed).toMatchObject({ fixType: 'upstream-structural', owner: 'executor', stage: 'architect', delta: expect.stringContaining('The cause lies with the architect') });
  });

  it('sends it to the planner whose plan assigned the surface', () => {
    const routed = routeEntry(entry('file_ownership'), ownership, { role: 'designer', pipeline: ['planner', 'engineer', 'designer'], features: { boundary_violations: 1, boundary_violations_planned: 1, boundary_violations_reviewed: 0 } });
    expect(routed).toMatchObject({ fixType: 'upstream-structural', stage: 'planner' });
  });

  it('makes a cause no earlier stage of this pipeline owns a scope call for a person', () => {
    const gate = routesOf('release-gate', 'gate_decision_pass');
    const noBuilder = routeEntry(entry('gate_decision_pass'), gate, { role: 'tester', pipeline: ['tester'], features: { release_gate_blocker_stage: 'goal' } });
    expect(noBuilder).toMatchObject({ fixType: 'tier-ceiling', owner: 'human', stage: undefined, honestyNote: expect.stringMatching(/^A scope call: no stage of this goal may change what the gate blocks on.*a person decides/) });
    const toEngineer = routeEntry(entry('gate_decision_pass'), gate, { role: 'tester', pipeline: ['engineer', 'tester'], features: { release_gate_blocker_stage: 'engineer' } });
    expect(toEngineer).toMatchObject({ fixType: 'upstream-structural', stage: 'engineer' });
    // A stage named by a route that is later in the pipeline, or absent from it, cannot take the work back.
    const later: Route[] = [{ fixType: 'upstream-structural', stage: 'deployer', because: 'x' }];
    expect(routeEntry(entry('x'), later, { role: 'tester', pipeline: ['engineer', 'tester', 'deployer'], features: {} })).toMatchObject({ fixType: 'tier-ceiling', owner: 'human' });
  });

  it('goes upstream from the deployer only when it rightly did not deploy', () => {
    const gate = routesOf('deployment-report', 'no_deploy_through_blockers');
    const pipeline = pipelineOf({ roles: ['deployer', 'engineer', 'tester'] });
    expect(pipeline).toEqual(['engineer', 'tester', 'deployer']);
    expect(routeEntry(entry('no_deploy_through_blockers'), gate, { role: 'deployer', pipeline, features: { deploys: 0, release_gate_blocker_stage: 'engineer' } })).toMatchObject({ fixType: 'upstream-structural', stage: 'engineer' });
    expect(routeEntry(entry('no_deploy_through_blockers'), gate, { role: 'deployer', pipeline, features: { deploys: 1, release_gate_blocker_stage: 'engineer' } })).toMatchObject({ fixType: 'local', stage: 'deployer' });
  });

  it('keeps a gaming note on an item that can be gamed, and adds none elsewhere', () => {
    const coverage = routesOf('probe-plan', 'coverage');
    const scoped = routeEntry({ ...entry('coverage', 'Declaring an area out of scope moves it to a person; it does not probe it.'), current: 4, target: 5 }, coverage, { role: 'tester', pipeline: ['tester'], features: { probe_plan_out_of_scope_areas: 1 } });
    expect(scoped).toMatchObject({ fixType: 'tier-ceiling', honestyNote: expect.stringContaining('it does not probe it') });
  });
});

describe('where a grade goes as a whole', () => {
  const grade = (rubricId: string, passed: boolean, entries: Partial<ToReachNext>[], mode: 'gating' | 'advisory' = 'gating'): RubricGrade => ({
    rubricId, rubricVersion: 1, surface: 'output', gates: [], dimensions: [], notScored: [], weightedAvg: null, overall: passed ? 1 : 0, capsApplied: [], passed, mode,
    toReachNext: entries.map((e) => ({ ...entry(e.id!), ...e })),
  });
  const pipeline = ['planner', 'architect', 'engineer', 'tester'] as const;

  it('goes to the earliest stage owning an upstream cause before anything local', () => {
    const route = feedbackRoute([
      grade('implementation', false, [{ id: 'module_loads', fixType: 'local', stage: 'engineer' }, { id: 'file_ownership', fixType: 'upstream-structural', stage: 'architect' }, { id: 'x', fixType: 'upstream-structural', stage: 'planner' }]),
    ], pipeline);
    expect(route).toEqual({ fixType: 'upstream-structural', stage: 'planner', items: ['x'], reason: 'the cause of x lies with the planner' });
  });

  it('stays local while anything local is left, and goes to a person only when scope calls are all that is left', () => {
    expect(feedbackRoute([grade('probe-plan', false, [{ id: 'coverage', fixType: 'tier-ceiling' }, { id: 'traceability', fixType: 'local', stage: 'tester' }])], pipeline)).toMatchObject({ fixType: 'local', items: ['traceability'] });
    expect(feedbackRoute([grade('probe-plan', false, [{ id: 'coverage', fixType: 'tier-ceiling' }])], pipeline)).toMatchObject({ fixType: 'tier-ceiling', items: ['coverage'] });
  });

  it('ignores advisory rubrics and passing ones', () => {
    expect(feedbackRoute([grade('tester.trajectory', false, [{ id: 'turn_economy' }], 'advisory'), grade('probe-plan', true, [{ id: 'coverage' }])], pipeline)).toEqual({ fixType: 'none', items: [], reason: 'every gating rubric passed' });
  });
});
