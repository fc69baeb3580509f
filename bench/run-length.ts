import { createEvent, LoopEvent } from '@loopwright/events';
import { EventLog, RunFoldLog } from '@loopwright/eventlog';
import { executorFold } from '../apps/executor/src/domain/run-fold';
import { foldRun } from '../apps/executor/src/domain/run-state';
import { machineFacts, openBenchLog, parseFlags, reportResults, Row, runBenchmark } from './support';

const NAME = 'run-length';

const flags = parseFlags(NAME, {
  lengths: { default: '100,1000,10000', help: 'run lengths (events) measured, comma-separated' },
  'baseline-samples': { default: 20, help: 'events of each run handled the old way (whole-run read), at the run\'s end' },
  warmup: { default: 10_000, help: 'events of an unmeasured run handled first, both ways (the JIT warms up)' },
});

/** The executor's handling of one event of a run, as far as reading is concerned: bring its state up to date. */
type Handling = (runId: string) => Promise<unknown>;

const goal = (runId: string): LoopEvent =>
  createEvent({
    type: 'goal.submitted', aggregateId: runId, producer: 'submitter',
    data: { goalId: 'g', title: 'Bench', description: 'a long run', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 'node t.js', budgetUsd: 1 },
  });
const step = (runId: string, n: number): LoopEvent =>
  createEvent({
    type: 'trace.step', aggregateId: runId, producer: 'executor',
    data: { taskId: `${runId}-engineer`, iteration: 1, step: n, kind: 'command', tool: 'run_command', input: 'node t.js', output: 'ok' },
  });

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * Appends a run's events one at a time and, after each, handles it: the CPU this process spends
 * handling (not appending) is summed. `measureFrom`: events before it are appended and handled unmeasured.
 */
async function handleEach(log: EventLog, runId: string, length: number, handle: Handling, measureFrom = 0): Promise<{ handled: number; cpuMs: number }> {
  let spent = 0;
  let handled = 0;
  for (let n = 0; n < length; n++) {
    await log.append(n === 0 ? goal(runId) : step(runId, n - 1));
    if (n < measureFrom) continue;
    const before = cpuMs();
    await handle(runId);
    spent += cpuMs() - before;
    handled++;
  }
  return { handled, cpuMs: spent };
}

/** The old path at a run's end: its last events appended and each handled by reading the whole run again. */
async function wholeRunAtEnd(log: EventLog, runId: string, length: number, samples: number): Promise<{ handled: number; cpuMs: number }> {
  await log.appendMany([goal(runId), ...Array.from({ length: length - samples - 1 }, (_, n) => step(runId, n))]);
  let spent = 0;
  for (let n = length - samples - 1; n < length - 1; n++) {
    await log.append(step(runId, n));
    const before = cpuMs();
    foldRun(runId, await log.readRun(runId));
    spent += cpuMs() - before;
  }
  return { handled: samples, cpuMs: spent };
}

void runBenchmark(async (teardown) => {
  const lengths = String(flags.lengths).split(',').map(Number);
  const samples = Number(flags['baseline-samples']);
  const bench = await openBenchLog(NAME, 'executor');
  teardown(() => bench.drop());
  const machine = await machineFacts(bench.log.nc);
  const rows: Row[] = [];
  const warmup = Number(flags.warmup);
  const warming = new RunFoldLog(bench.log, { definition: executorFold, onWarning: (w) => console.warn(w) });
  await handleEach(bench.log, 'warmup-fold', warmup, (runId) => warming.caughtUp(runId));
  await wholeRunAtEnd(bench.log, 'warmup-whole', warmup, Math.min(samples, warmup - 1));
  for (const length of lengths) {
    const folds = new RunFoldLog(bench.log, { definition: executorFold, onWarning: (w) => console.warn(w) });
    const incremental = await handleEach(bench.log, `fold-${length}`, length, (runId) => folds.caughtUp(runId));
    const baseline = await wholeRunAtEnd(bench.log, `whole-${length}`, length, Math.min(samples, length - 1));
    const perEvent = incremental.cpuMs / incremental.handled;
    const basePerEvent = baseline.cpuMs / baseline.handled;
    rows.push({
      'run length': length,
      'fold: CPU ms per handled event': perEvent,
      'whole-run read: CPU ms per handled event (at the run\'s end)': basePerEvent,
      'whole-run / fold': basePerEvent / perEvent,
    });
    console.log(`${length} events: fold ${perEvent.toFixed(3)} ms/event, whole-run read ${basePerEvent.toFixed(3)} ms/event`);
  }
  const perEvent = rows.map((r) => r['fold: CPU ms per handled event'] as number);
  const ratio = Math.max(...perEvent) / Math.min(...perEvent);
  console.log(`fold CPU per event, largest / smallest over the run lengths: ${ratio.toFixed(2)} (target ≤ 1.5)`);
  reportResults({
    benchmark: NAME,
    machine,
    params: { lengths: String(flags.lengths), baselineSamples: samples, warmup },
    measuredPaths: ['bench/run-length.ts', 'libs/core/src/run-folds.ts', 'libs/eventlog/src/run-fold-log.ts', 'libs/eventlog/src/event-log.ts', 'apps/executor/src/domain'],
    tables: { 'CPU of handling one event, by run length': rows },
    notes: [`fold CPU per event, largest / smallest: ${ratio.toFixed(2)}`],
  });
});
