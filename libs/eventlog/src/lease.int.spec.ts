import { dropTestStream, testLogConfig } from '@loopwright/testing';
import { EventLog, LogConfig, natsCredentialsFromEnv, runUnderLease, type KvLease, type LeasedRun } from './index';

const TTL_MS = 800;
const SETTINGS = { ttlMs: TTL_MS, renewMs: 200 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A pass held open until released from outside. */
function heldPass() {
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let started!: () => void;
  const began = new Promise<void>((resolve) => (started = resolve));
  return { began, finish, work: async () => (started(), await finished, 'done') };
}

describe('the miner pass lease, two miners contending on a real NATS', () => {
  const base = testLogConfig('lease');
  const config = (): LogConfig => ({ ...base, producer: 'miner', ...natsCredentialsFromEnv('miner'), duplicateWindowMs: 120_000, artifactBucket: `${base.streamName}_artifacts` });
  const logs: EventLog[] = [];
  const contenders = async (name: string) => {
    const a = await EventLog.open(config());
    const b = await EventLog.open(config());
    logs.push(a, b);
    return { a, b, leaseA: await a.lease(name, `${name}-a`, TTL_MS), leaseB: await b.lease(name, `${name}-b`, TTL_MS) };
  };

  beforeAll(async () => {
    logs.push(await EventLog.open({ ...config(), user: base.user, pass: base.pass })); // the operator provisions the buckets
  });

  afterAll(async () => {
    await Promise.all(logs.map((log) => log.close().catch(() => undefined)));
    await dropTestStream(base.natsUrl, base.streamName);
  });

  it('refuses the second miner while the first runs a pass, for longer than the TTL (the holder renews), and lets it in after', async () => {
    const { leaseA, leaseB } = await contenders('held');
    const pass = heldPass();
    const runningA = runUnderLease(leaseA, SETTINGS, pass.work);
    await pass.began;
    const refusals: LeasedRun<string>[] = [];
    for (let i = 0; i < 4; i++) {
      refusals.push(await runUnderLease(leaseB, SETTINGS, async () => 'overlapped'));
      await sleep(TTL_MS / 2);
    }
    expect(refusals).toEqual(Array(4).fill(expect.objectContaining({ ran: false, holder: 'held-a' })));
    pass.finish();
    expect(await runningA).toEqual({ ran: true, value: 'done', lost: false });
    expect(await runUnderLease(leaseB, SETTINGS, async () => 'b ran')).toEqual({ ran: true, value: 'b ran', lost: false });
  });

  it('two miners passing in a loop take turns, never running two passes at once', async () => {
    const { leaseA, leaseB } = await contenders('loop');
    const spans: { holder: string; from: number; to: number }[] = [];
    // each tries until it has run three passes (bounded): both must get turns, never at once
    const loop = async (lease: KvLease) => {
      let passes = 0;
      for (let attempt = 0; attempt < 300 && passes < 3; attempt++) {
        const run = await runUnderLease(lease, SETTINGS, async () => {
          const from = performance.now();
          await sleep(60);
          spans.push({ holder: lease.holder, from, to: performance.now() });
        });
        if (run.ran) passes++;
        await sleep(10 + Math.random() * 40);
      }
    };
    await Promise.all([loop(leaseA), loop(leaseB)]);
    spans.sort((x, y) => x.from - y.from);
    const overlaps = spans.slice(1).filter((span, i) => span.from < spans[i].to);
    expect(overlaps).toEqual([]);
    expect(new Set(spans.map((s) => s.holder))).toEqual(new Set(['loop-a', 'loop-b']));
  });

  it('lets the second miner take over once the first has died holding the lease, and not before its lease expired', async () => {
    const { a, leaseA, leaseB } = await contenders('death');
    const pass = heldPass();
    const runningA = runUnderLease(leaseA, SETTINGS, pass.work);
    await pass.began;
    await a.nc.close(); // the holder dies mid-pass: no release, no more renewals

    let lastSeen = 0;
    let took: { at: number; run: LeasedRun<string> } | undefined;
    for (let i = 0; i < 100 && !took; i++) {
      const at = Date.now();
      const run = await runUnderLease(leaseB, SETTINGS, async () => 'taken over');
      if (run.ran) took = { at, run };
      else {
        expect(run.holder).toBe('death-a');
        lastSeen = run.expiresAt;
        await sleep(100);
      }
    }
    expect(lastSeen).toBeGreaterThan(0);
    expect(took?.run).toEqual({ ran: true, value: 'taken over', lost: false });
    expect(took!.at).toBeGreaterThanOrEqual(lastSeen);

    pass.finish();
    expect(await runningA).toMatchObject({ ran: true, lost: true });
  });
});
