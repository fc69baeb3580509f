import { ValidationError } from '@loopwright/core';
import { goalFromRequest } from './action-requests';

const form = {
  title: 'Greet by name', description: 'greet(name)', roles: 'architect, engineer', allowedPaths: 'src/**\ntest/**', testCommand: 'node t.js',
  budgetUsd: '1.5', backend: 'sim', simGoal: 'greet', maxIterations: '', runId: '',
};

describe('a goal from the console form', () => {
  it('reads lists from commas or lines and numbers from text, and gives a fresh run id', () => {
    const { runId, goal } = goalFromRequest(form);
    expect(runId).toMatch(/^run-[0-9a-f]{20}$/);
    expect(goal).toEqual({
      goalId: runId, title: 'Greet by name', description: 'greet(name)', roles: ['architect', 'engineer'], allowedPaths: ['src/**', 'test/**'],
      testCommand: 'node t.js', budgetUsd: 1.5, backend: 'sim', labels: { simGoal: 'greet' },
    });
  });

  it('lets the form fields win over the goal YAML, and keeps what only the YAML gives', () => {
    const { goal } = goalFromRequest({ ...form, runId: 'run-a', yaml: 'title: from yaml\nmaxTurns: 7\nseedFiles:\n  - path: t.js\n    content: ok\n' });
    expect(goal).toMatchObject({ goalId: 'run-a', title: 'Greet by name', maxTurns: 7, seedFiles: [{ path: 't.js', content: 'ok' }] });
  });

  it('names every field at fault and says how to fix it', () => {
    const attempt = () => goalFromRequest({ title: 'x', budgetUsd: 'lots', roles: 'chef' });
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (error) {
      const { issues, message } = error as ValidationError;
      expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['description', 'roles.0', 'allowedPaths', 'testCommand', 'budgetUsd']));
      expect(message).toMatch(/Fill in title, description, roles, allowed paths, test command and budget/);
    }
  });

  it('refuses a run id that cannot be a subject token, and YAML that is not a mapping of fields', () => {
    expect(() => goalFromRequest({ ...form, runId: 'run.>' })).toThrow(/the run id "run.>" is not valid/);
    expect(() => goalFromRequest({ ...form, yaml: '- a list' })).toThrow(/must be a mapping of goal fields/);
  });
});
