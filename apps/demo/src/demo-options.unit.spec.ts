import { parseDemoOptions, parseRoles } from './demo-options';

describe('--roles', () => {
  it('takes "all" or a comma list, in pipeline order whatever order it was given in', () => {
    expect(parseRoles('all')).toEqual(['planner', 'architect', 'engineer', 'designer', 'tester', 'deployer']);
    expect(parseRoles('tester, planner,engineer')).toEqual(['planner', 'engineer', 'tester']);
  });

  it('refuses an unknown role or an empty list, naming what to give', () => {
    expect(() => parseRoles('engineer,qa')).toThrow('unknown role(s) qa: give "all" or some of planner, architect, engineer, designer, tester, deployer');
    expect(() => parseRoles(' , ')).toThrow(/no role named/);
  });
});

describe('--pace', () => {
  it('waits for a pass every five runs ended unless told otherwise; 0 never waits', () => {
    expect(parseDemoOptions([]).pace).toBe(5);
    expect(parseDemoOptions(['--pace', '3']).pace).toBe(3);
    expect(parseDemoOptions(['--pace', '0']).pace).toBe(0);
  });
});
