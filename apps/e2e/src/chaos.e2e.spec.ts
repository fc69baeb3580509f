import { ChaosReport, formatChaosReport, runChaos } from './chaos/chaos-suite';

/**
 * The crash suite's short form (the long one is `npm run chaos`): one simulated run per fault, each
 * fault once — a service killed (-9) mid-handler, the suite's own nats-server killed, its own
 * PostgreSQL stopped, a goal whose test command kills its parent — then every check of the suite.
 */
describe('the crash suite, short', () => {
  let report: ChaosReport;

  beforeAll(async () => {
    report = await runChaos({ rounds: 1, runsPerFault: 1, settleMs: 240_000 });
    process.stderr.write(`${formatChaosReport(report)}\n`);
  }, 900_000);

  it('struck every fault and recovered from each', () => {
    expect(report.faults.map((f) => f.fault)).toEqual(['kill-executor', 'kill-grader', 'kill-router', 'kill-miner', 'kill-nats', 'stop-postgres', 'crashing-handler']);
  });

  it.each(['every fault recovered', 'every run ended', 'exactly one grade per piece of work', 'every decision completed exactly once', 'no budget exceeded', 'no budget account past its limit', 'audit verify passes', 'projections caught up by themselves', 'projections equal a replay row for row', 'consumers back to their steady count'])(
    '%s',
    (name) => {
      const check = report.checks.find((c) => c.name === name)!;
      // on failure the detail names what did not hold
      expect(check.ok ? 'holds' : check.detail).toBe('holds');
    },
  );
});
