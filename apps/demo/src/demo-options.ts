import { Command, InvalidArgumentError } from 'commander';

export interface DemoOptions {
  runs: number;
  seed: string;
  json: boolean;
  window: number;
  concurrency: number;
  report: string;
  workload?: string;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
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
    .option('--workload <file>', 'a workload YAML (default: workloads/engineer-default.yaml; another: workloads/engineer-parsing.yaml)')
    .option('--json', 'end with one JSON line: windows (each tier\'s share, cost per run), costFall, agreement, goldenKnownBadPassed, keys', false)
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .parse([...argv], { from: 'user' });
  const o = program.opts<{ runs: number; seed: string; window?: number; concurrency: number; report: string; workload?: string; json: boolean }>();
  return { ...o, window: o.window ?? Math.max(10, Math.round(o.runs / 10)) };
}
