import { spawn } from 'node:child_process';
import { runSandboxedCommand, scrubbedEnv, Workspace } from '@loopwright/sandbox';
import { machineFacts, parseFlags, percentiles, reportResults, round, Row, runBenchmark, startProgress } from './support';

const NAME = 'sandbox-start';

const flags = parseFlags(NAME, {
  commands: { default: 200, help: 'commands (`true`) started on each path' },
  batch: { default: 20, help: 'commands per batch; the paths take turns batch by batch' },
  guard: { default: false, help: "instead: a sandboxed `node -e 0` without and with the test process guard (the grader's re-run)" },
});

/** The start the sandbox replaced: network namespace only, as the service's own user. */
function unshareNetworkOnly(cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['-n', 'bash', '-c', 'true'], { cwd, env: scrubbedEnv(cwd), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`unshare -n bash -c true exited with ${code}`))));
  });
}

async function bubblewrap(cwd: string): Promise<void> {
  const result = await runSandboxedCommand('true', cwd);
  if (result.exitCode !== 0 || result.isolation !== 'bubblewrap') throw new Error(`sandboxed true: ${JSON.stringify(result)}`);
}

/** A sandboxed `node -e 0`, as the grader's re-run starts its node (guarded) or as an agent's command does (not). */
const sandboxedNode = (guardNode: boolean) => async (cwd: string): Promise<void> => {
  const result = await runSandboxedCommand('node -e 0', cwd, { guardNode });
  if (result.exitCode !== 0 || result.isolation !== 'bubblewrap') throw new Error(`sandboxed node -e 0: ${JSON.stringify(result)}`);
};

void runBenchmark(async (teardown) => {
  const workspace = await Workspace.create('bench-sandbox-start');
  teardown(() => workspace.dispose());
  await workspace.write('src/a.js', 'module.exports = 1;\n');
  const machine = await machineFacts(undefined);
  const paths: Record<string, (cwd: string) => Promise<void>> = flags.guard
    ? { 'sandboxed node -e 0': sandboxedNode(false), 'sandboxed node -e 0, test process guard': sandboxedNode(true) }
    : { 'unshare -n bash -c (before)': unshareNetworkOnly, 'bubblewrap sandbox': bubblewrap };

  // One unmeasured start each: bwrap's availability probe and the first spawn's page-ins.
  for (const start of Object.values(paths)) await start(workspace.root);

  const samples = new Map<string, number[]>(Object.keys(paths).map((p) => [p, []]));
  const progress = startProgress('sandbox starts', flags.commands * 2, 'commands');
  let started = 0;
  for (let done = 0; done < flags.commands; done += flags.batch) {
    for (const [name, start] of Object.entries(paths)) {
      for (let i = 0; i < Math.min(flags.batch, flags.commands - done); i++) {
        const began = performance.now();
        await start(workspace.root);
        samples.get(name)!.push(performance.now() - began);
        progress.update(++started);
      }
    }
  }
  progress.stop();

  const figures = new Map([...samples].map(([name, values]) => [name, percentiles(values)]));
  const baseline = figures.get(Object.keys(paths)[0])!;
  const rows: Row[] = [...figures].map(([name, f]) => ({
    path: name, commands: f.count, 'mean ms': round(f.mean), 'p50 ms': round(f.p50), 'p90 ms': round(f.p90), 'p99 ms': round(f.p99),
    'mean ratio': round(f.mean / baseline.mean), 'p50 ratio': round(f.p50 / baseline.p50),
  }));
  reportResults({
    benchmark: flags.guard ? `${NAME}-guard` : NAME,
    machine,
    params: { commands: flags.commands, batch: flags.batch },
    measuredPaths: ['libs/sandbox/src'],
    tables: { [`start cost per command (\`${flags.guard ? 'node -e 0' : 'true'}\`), the paths taking turns batch by batch`]: rows },
    notes: flags.guard
      ? ['each start is timed from the call to the exit of `node -e 0`', 'ratio: against the unguarded sandboxed `node -e 0` measured in the same run']
      : [
          'each start is timed from the call to the exit of `true`; the sandbox figure includes handing the workspace to the command\'s own host uid',
          'ratio: against `unshare -n bash -c true` measured in the same run; the target is at most 2×',
        ],
  });
});
