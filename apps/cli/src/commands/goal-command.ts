import { Command } from 'commander';
import { submitGoal } from '@loopwright/actions';
import type { CliContext } from '../cli-context';
import { goalFromInput, GoalFlags } from './goal-file';
import { watchRun } from '../watch-run';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function goalCommand(context: CliContext): Command {
  const goal = new Command('goal').description('submit goals');
  goal
    .command('submit')
    .description('submit a goal (from a YAML file and/or flags) and optionally watch its run')
    .option('-f, --file <file>', 'goal YAML: title, description, roles, allowedPaths, testCommand, seedFiles, budgetUsd, …')
    .option('--title <text>', 'what the goal is, in a line')
    .option('--description <text>', 'what done looks like')
    .option('--role <role>', 'a role of the pipeline (repeat): planner, architect, engineer, designer, tester, deployer', collect)
    .option('--allow <path>', 'a path the agent may write, e.g. "src/**" (repeat)', collect)
    .option('--test <command>', 'the command that proves the work (the grader re-runs it)')
    .option('--budget <usd>', 'the most this goal may spend on models, in USD')
    .option('--max-iterations <n>', 'revisions before a person is asked')
    .option('--max-turns <n>', 'model turns per iteration')
    .option('--backend <backend>', 'local (the Messages API tool loop), managed (Anthropic Managed Agents), claude-agent-sdk (Claude Code as a library) or sim (a seeded simulation, labeled as such)')
    .option('--sim-goal <id>', 'with --backend sim: which workload goal the simulated agent works on')
    .option('--sim-seed <seed>', 'with --backend sim: the seed of the simulated agent and judge')
    .option('--run-id <id>', 'the run id (default: a new one)')
    .option('-w, --watch', 'show the run live: tasks, steps, decisions with their tiers, grades')
    .action(async (flags: GoalFlags & { watch?: boolean }) => {
      const { runId, goal: data } = goalFromInput(flags);
      const log = await context.log();
      const { seq, duplicate } = await submitGoal(log, runId, data);
      console.log(`${duplicate ? 'already submitted' : 'submitted'} run ${runId} (seq ${seq})`);
      if (flags.watch) await watchRun(log, runId, (line) => console.log(line));
    });
  return goal;
}
