import { Kvm } from '@nats-io/kv';
import { createEvent, LoopEvent } from '@loopwright/events';
import { openTestLog } from '@loopwright/testing';
import { EventLog, FoldSnapshotCodec, foldBucketOf, LogConfig, RunFoldLog, sealKeyOf, sealSnapshot } from './index';

/** A fold that lists the steps it saw; `evolved` counts every event folded, so a refold from the start shows. */
interface Steps {
  steps: number[];
}
let evolved = 0;
const definition = {
  initial: (): Steps => ({ steps: [] }),
  evolve: (state: Steps, event: LoopEvent): Steps => {
    evolved++;
    return event.type === 'trace.step' ? { steps: [...state.steps, event.data.step] } : state;
  },
};
const codec: FoldSnapshotCodec<Steps> = {
  version: 1,
  encode: (state) => state,
  decode: (value) => (Array.isArray((value as Steps | null)?.steps) ? (value as Steps) : undefined),
};

const step = (runId: string, n: number): LoopEvent =>
  createEvent({
    type: 'trace.step', aggregateId: runId, producer: 'executor',
    data: { taskId: `${runId}-engineer`, iteration: 1, step: n, kind: 'search', tool: 'list_files', input: '.' },
  });
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('run folds kept up with the log', () => {
  let config: LogConfig;
  let log: EventLog;
  let drop: () => Promise<void>;
  const warnings: string[] = [];
  const folds = (every = 5) => new RunFoldLog(log, { definition, snapshots: { service: 'test', codec, every }, onWarning: (w) => warnings.push(w) });

  beforeAll(async () => {
    ({ log, config, drop } = await openTestLog('folds', 'executor'));
  });

  afterAll(() => drop());

  beforeEach(() => {
    evolved = 0;
    warnings.length = 0;
  });

  it('reads only the events after a sequence', async () => {
    await log.appendMany(range(0, 4).map((n) => step('r-after', n)));
    const all = await log.readRun('r-after');
    const later = await log.readRun('r-after', { afterSeq: all[1].seq });
    expect(later.map((e) => e.seq)).toEqual(all.slice(2).map((e) => e.seq));
    expect(await log.readRun('r-after', { afterSeq: all[3].seq })).toEqual([]);
    expect((await log.nextOfRun('r-after', all[0].seq))?.seq).toBe(all[1].seq);
    expect(await log.nextOfRun('r-after', all[3].seq)).toBeUndefined();
  });

  it('advances a fold by the new events only, a few at a time or many', async () => {
    const runs = folds(1_000);
    await log.appendMany(range(0, 3).map((n) => step('r-inc', n)));
    await log.append(step('r-other', 0));
    expect((await runs.caughtUp('r-inc')).state.steps).toEqual([0, 1, 2]);
    await log.appendMany(range(3, 5).map((n) => step('r-inc', n)));
    expect((await runs.caughtUp('r-inc')).state.steps).toEqual(range(0, 5));
    await log.appendMany(range(5, 60).map((n) => step('r-inc', n)));
    expect((await runs.caughtUp('r-inc')).state.steps).toEqual(range(0, 60));
    expect((await runs.caughtUp('r-inc')).state.steps).toEqual(range(0, 60));
    expect(evolved).toBe(60);
  });

  it('catches a fold part way through its run up by single reads: no reader (consumer) is opened on the stream', async () => {
    // an ordered reader opened from the middle of a run was seen to wait for ever after a NATS
    // restart, and every later event of the run waited behind it
    const runs = folds(1_000);
    await log.appendMany(range(0, 3).map((n) => step('r-mid', n)));
    expect((await runs.caughtUp('r-mid')).state.steps).toEqual([0, 1, 2]);
    await log.appendMany(range(3, 63).flatMap((n) => [step('r-mid', n), step('r-mid-other', n)]));
    const created: string[] = [];
    const advisories = log.nc.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.CREATED.${config.streamName}.>`, { callback: (_error, message) => void created.push(message.subject) });
    await log.nc.flush();
    try {
      expect((await runs.caughtUp('r-mid')).state.steps).toEqual(range(0, 63));
      await log.nc.flush();
    } finally {
      advisories.unsubscribe();
    }
    expect(created).toEqual([]);
    expect(evolved).toBe(63);
  });

  it('catches a fold up through the events it appended: what others appended before and between them is folded, what came after is left', async () => {
    const runs = folds(1_000);
    await log.appendMany(range(0, 3).map((n) => step('r-through', n)));
    const fold = await runs.caughtUp('r-through');
    // 3, 4 and 6 from another process; 5 and 7 "this process's own"; 8 appended after them
    const seqs = (await log.appendMany([3, 4, 5, 6, 7, 8].flatMap((n) => [step('r-through', n), step('r-through-other', n)])))
      .filter((_, i) => i % 2 === 0).map((a) => a.seq);
    const own = [seqs[2], seqs[4]];
    await runs.catchUpThrough(fold, own);
    expect(fold.state.steps).toEqual(range(0, 8));
    expect(fold.lastSeq).toBe(seqs[4]);
    await runs.catchUpThrough(fold, own);
    expect(fold.state.steps).toEqual(range(0, 8));
    expect((await runs.caughtUp('r-through')).state.steps).toEqual(range(0, 9));
    expect(evolved).toBe(9);
  });

  it('catches a fold up with the sequences the caller was delivered, whether or not they are the run\'s, and with what lies past them', async () => {
    const runs = folds(1_000);
    await log.appendMany(range(0, 2).map((n) => step('r-known', n)));
    await runs.caughtUp('r-known');
    const appended = await log.appendMany(range(2, 8).flatMap((n) => [step('r-known', n), step('r-known-other', n)]));
    const known = [appended[4].seq, appended[7].seq, appended[8].seq, 10 ** 9];
    expect((await runs.caughtUp('r-known', known)).state.steps).toEqual(range(0, 8));
    expect(evolved).toBe(8);
  });

  it('starts again from its snapshot after a restart, not from the start of the run', async () => {
    await log.appendMany(range(0, 12).map((n) => step('r-snap', n)));
    await folds(5).caughtUp('r-snap');
    await log.appendMany(range(12, 14).map((n) => step('r-snap', n)));
    evolved = 0;
    const restarted = await folds(5).caughtUp('r-snap');
    expect(restarted.state.steps).toEqual(range(0, 14));
    expect(evolved).toBe(2);
    expect(warnings).toEqual([]);
  });

  it('ignores and reports a snapshot that is garbage, of another run, or not anchored in the log', async () => {
    await log.appendMany(range(0, 6).map((n) => step('r-forged', n)));
    const [first] = await log.readRun('r-forged');
    const bucket = await new Kvm(log.nc).open(foldBucketOf(config.streamName, 'test'));
    const forged = (anchor: { seq: number; id: string }, runId = 'r-forged') =>
      JSON.stringify(sealSnapshot({ version: 1, runId, anchor, state: { steps: [41, 42] } }, sealKeyOf(log.config.pass)));
    const attempts = [
      'not json',
      forged({ seq: first.seq, id: first.id }, 'r-elsewhere'),
      forged({ seq: first.seq, id: 'an-id-never-logged' }),
      forged({ seq: 1, id: first.id }),
    ];
    for (const value of attempts) {
      await bucket.put('r-forged', value);
      expect((await folds(1_000).caughtUp('r-forged')).state.steps).toEqual(range(0, 6));
    }
    expect(warnings).toEqual([
      expect.stringMatching(/run r-forged ignored: not an object/),
      expect.stringMatching(/run r-forged ignored: snapshot of run r-elsewhere, not r-forged/),
      expect.stringMatching(/run r-forged ignored: anchor seq \d+ is not event an-id-never-logged/),
      expect.stringMatching(/run r-forged ignored: anchor seq 1 is not event/),
    ]);
  });
});
