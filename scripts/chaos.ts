// `npm run chaos`: the crash suite, long form. Simulated runs while each part is struck in turn (see
// apps/e2e/src/chaos/chaos-suite.ts); prints the faults, their recovery times and the checks, and
// exits 1 when a check fails.
//
//   npm run chaos -- [--rounds 3] [--runs-per-fault 5] [--settle-ms 600000] [--faults kill-executor,kill-nats]
import { parseArgs } from 'node:util';
import { Fault, FAULTS, formatChaosReport, runChaos } from '../apps/e2e/src/chaos/chaos-suite';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'runs-per-fault': { type: 'string', default: '5' },
    'settle-ms': { type: 'string', default: '600000' },
    faults: { type: 'string' },
  },
});
const faults = values.faults ? (values.faults.split(',') as Fault[]) : [...FAULTS];
const unknown = faults.filter((f) => !(FAULTS as readonly string[]).includes(f));
if (unknown.length) {
  process.stderr.write(`chaos: unknown fault ${unknown.join(', ')}; the faults are ${FAULTS.join(', ')}\n`);
  process.exit(2);
}

runChaos({
  rounds: Number(values.rounds),
  runsPerFault: Number(values['runs-per-fault']),
  settleMs: Number(values['settle-ms']),
  faults,
  say: (line) => process.stderr.write(`${line}\n`),
})
  .then((report) => {
    process.stdout.write(`${formatChaosReport(report)}\n`);
    process.exit(report.passed ? 0 : 1);
  })
  .catch((error: unknown) => {
    process.stderr.write(`chaos: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
