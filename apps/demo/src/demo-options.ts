import { Command, InvalidArgumentError } from 'commander';
import { Role, ROLES } from '@loopwright/events';
import { DEFAULT_PACE_EVERY } from './pacing';

export interface DemoOptions {
  runs: number;
  seed: string;
  json: boolean;
  window: number;
  concurrency: number;
  report: string;
  workload?: string;
  /** The roles every run's goal names, in pipeline order. */
  roles: Role[];
  /** Runs ended between two waits for a completed outer-loop pass (0: never wait). */
  pace: number;
}

/** `all`, or roles separated by commas: the pipeline each simulated goal names. */
export function parseRoles(value: string): Role[] {
  if (value.trim() === 'all') return [...ROLES];
  const named = value.split(',').map((r) => r.trim()).filter((r) => r !== '');
  const unknown = named.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (named.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`${unknown.length > 0 ? `unknown role(s) ${unknown.join(', ')}` : 'no role named'}: give "all" or some of ${ROLES.join(', ')}`);
  }
  return ROLES.filter((r) => named.includes(r));
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number (0 or more)');
  return n;
}

export function parseDemoOptions(argv: readonly string[]): DemoOptions {
  const program = new Command('npm run demo --')
    .description(
      'Runs the engineer role on a simulated workload (seeded; no model is called) with every service as its own process,\n' +
        'approves the rules the miner validates the way a reviewer would, and shows each tier\'s share of the decisions and the\n' +
        'cost per run in every window, and which tier each decision key sits at in the end, and why.',
    )
    .option('--runs <n>', 'how many runs to submit', positiveInt, 300)
    .option('--seed <seed>', 'seed of the simulated agents and judge', '7')
    .option('--window <n>', 'runs per window in the summary (default: a tenth of the runs, at least 10)', positiveInt)
    .option('--concurrency <n>', 'runs in flight at once', positiveInt, 4)
    .option('--report <file>', 'where to write the HTML report', 'reports/demo.html')
    .option('--workload <file>', 'a workload YAML (default: workloads/engineer-default.yaml, or workloads/six-roles.yaml with --roles; another: workloads/engineer-parsing.yaml)')
    .option('--roles <roles>', 'the roles of every goal: "all" (planner → architect → engineer, designer → tester → deployer) or a comma list', parseRoles, ['engineer'] as Role[])
    .option(
      '--pace <n>',
      'every n runs ended, submit no run until the miner has completed a pass that read the log through them, so the outer loop keeps pace on any machine (0: never wait)',
      wholeNumber,
      DEFAULT_PACE_EVERY,
    )
    .option('--json', 'end with one JSON line: windows (each tier\'s share, cost per run), costFall, agreement, goldenKnownBadPassed, keys', false)
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .parse([...argv], { from: 'user' });
  const o = program.opts<{ runs: number; seed: string; window?: number; concurrency: number; report: string; workload?: string; json: boolean; roles: Role[]; pace: number }>();
  return { ...o, window: o.window ?? Math.max(10, Math.round(o.runs / 10)) };
}
