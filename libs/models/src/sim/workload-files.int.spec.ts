import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isAllowedPath } from './allowed-paths';
import { hiddenWork } from './hidden-work';
import { renderWork } from './sim-text';
import { DEFAULT_WORKLOAD_PATH, DEFECTS, loadWorkload, WorkloadGoal, WorkloadSpec } from './workload';

const E2E_WORKLOAD_PATH = resolve(DEFAULT_WORKLOAD_PATH, '../engineer-e2e.yaml');
const PARSING_WORKLOAD_PATH = resolve(DEFAULT_WORKLOAD_PATH, '../engineer-parsing.yaml');

/** Writes the goal's seed files plus `files` into a fresh directory and runs its test command there. */
function runGoal(goal: WorkloadGoal, files: { path: string; content: string }[]): number | null {
  const dir = mkdtempSync(join(tmpdir(), `workload-${goal.id}-`));
  for (const file of [...goal.seedFiles, ...files]) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.content);
  }
  return spawnSync(goal.testCommand, { cwd: dir, shell: true, encoding: 'utf8', env: { PATH: process.env.PATH } }).status;
}

describe.each([
  ['engineer-default', DEFAULT_WORKLOAD_PATH],
  ['engineer-e2e', E2E_WORKLOAD_PATH],
  ['engineer-parsing', PARSING_WORKLOAD_PATH],
])('the bundled %s workload', (_name, path) => {
  const spec = loadWorkload(path);

  it('has at least four distinct goals whose tests lie outside the agent scope', () => {
    expect(new Set(spec.goals.map((g) => g.id)).size).toBeGreaterThanOrEqual(4);
    for (const goal of spec.goals) {
      expect(goal.seedFiles.length).toBeGreaterThan(0);
      for (const seed of goal.seedFiles) expect(isAllowedPath(seed.path, goal.allowedPaths)).toBe(false);
    }
  });

  it.each(spec.goals.map((g) => [g.id, g] as const))('goal %s: the solution and the naive code pass its tests and the buggy code fails them', (_id, goal) => {
    expect(runGoal(goal, goal.solution)).toBe(0);
    if (goal.naive.length > 0) expect(runGoal(goal, goal.naive)).toBe(0);
    expect(runGoal(goal, goal.buggy)).not.toBe(0);
    expect(runGoal(goal, [])).not.toBe(0);
  });

  it.each(spec.goals.map((g) => [g.id, g] as const))('goal %s: code whose errors say nothing, that swallows failures and starts background work still passes its tests', (_id, goal) => {
    const flawed: WorkloadSpec = {
      ...spec, traceRate: 1, defects: Object.fromEntries(DEFECTS.map((d) => [d, 0])) as WorkloadSpec['defects'],
      latent: { ...spec.latent, edgeCases: 1, errorReporting: 0, loudFailures: 0, trackedAsync: 0 },
    };
    const work = hiddenWork(flawed, { seed: 'flawed', goalId: goal.id, taskId: 't-1', iteration: 1, route: { drafter: 'frontier', stream: 'draft' } });
    const { files } = renderWork(work, goal.testCommand);
    expect(files[0].content).not.toBe(goal.solution[0].content);
    expect(runGoal(goal, files)).toBe(0);
  });
});

describe('the two bundled demo workloads', () => {
  it('differ in their seed, their goals and their defect mix', () => {
    const [a, b] = [loadWorkload(DEFAULT_WORKLOAD_PATH), loadWorkload(PARSING_WORKLOAD_PATH)];
    expect(a.seed).not.toBe(b.seed);
    expect(a.goals.map((g) => g.id).filter((id) => b.goals.some((g) => g.id === id))).toEqual([]);
    expect(a.defects).not.toEqual(b.defects);
    expect(a.resident.defects).not.toEqual(b.resident.defects);
  });
});
