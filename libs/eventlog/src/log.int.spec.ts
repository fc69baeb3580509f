import { ConcurrencyError, ValidationError } from '@loopwright/core';
import { createEvent, LoopEvent } from '@loopwright/events';
import { openTestLog } from '@loopwright/testing';
import { EventLog, LogConfig, StoredEvent } from './index';

function goal(runId: string, title = 'Add sum'): LoopEvent {
  return createEvent({
    type: 'goal.submitted',
    aggregateId: runId,
    producer: 'submitter',
    data: {
      goalId: runId,
      title,
      description: 'Write sum(a, b)',
      roles: ['engineer'],
      allowedPaths: ['src/**'],
      testCommand: 'node test.js',
      budgetUsd: 1,
    },
  });
}

function step(runId: string, n: number): LoopEvent {
  return createEvent({
    type: 'trace.step',
    aggregateId: runId,
    producer: 'executor',
    correlationId: runId,
    data: { taskId: `${runId}-engineer`, iteration: 1, step: n, kind: 'search', tool: 'list_files', input: '.' },
  });
}

async function collect(iterable: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('the log', () => {
  let config: LogConfig;
  let log: EventLog;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ log, config, drop } = await openTestLog('log', 'executor'));
  });

  afterAll(() => drop());

  it('is created with the immutability settings', async () => {
    const info = await log.ensureStream();
    expect(info.config).toMatchObject({ deny_delete: true, deny_purge: true, allow_rollup_hdrs: false, discard: 'new', max_age: 0 });
    expect(info.config.duplicate_window).toBe(120_000 * 1_000_000);
  });

  it('refuses to delete a message or purge the stream', async () => {
    const { seq } = await log.append(goal('r-immutable'));
    await expect(log.jsm.streams.deleteMessage(config.streamName, seq)).rejects.toThrow(/delete/i);
    await expect(log.jsm.streams.purge(config.streamName)).rejects.toThrow(/purge/i);
    const stored = await log.jsm.streams.getMessage(config.streamName, { seq });
    expect(stored?.subject).toBe(`${config.subjectRoot}.run.r-immutable.submitter.goal.submitted`);
  });

  it('stores the same event appended twice once, and says it was a duplicate', async () => {
    const event = goal('r-dup');
    const first = await log.append(event);
    const second = await log.append(event);
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ seq: first.seq, duplicate: true });
    const run = await log.readRun('r-dup');
    expect(run.map((e) => e.id)).toEqual([event.id]);
  });

  it('refuses an event that fails its schema, naming the field, and stores nothing', async () => {
    const before = (await log.jsm.streams.info(config.streamName)).state.messages;
    const bad = { ...goal('r-bad'), data: { ...goal('r-bad').data, testCommand: 42 } } as unknown as LoopEvent;
    const error = await log.append(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/data\.testCommand/);
    expect((await log.jsm.streams.info(config.streamName)).state.messages).toBe(before);
  });

  it('supports optimistic concurrency on the subject sequence', async () => {
    const a = await log.append(step('r-occ', 0));
    await log.append(step('r-occ', 1), { expectedLastSubjectSeq: a.seq });
    await expect(log.append(step('r-occ', 2), { expectedLastSubjectSeq: a.seq })).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('replays one run in order, and from a sequence', async () => {
    await log.append(goal('r-replay'));
    for (let i = 0; i < 5; i++) {
      await log.append(step('r-replay', i));
      await log.append(step('r-other', i));
    }
    const run = await log.readRun('r-replay');
    expect(run.map((e) => e.type)).toEqual(['goal.submitted', ...Array(5).fill('trace.step')]);
    expect(run.map((e) => (e.type === 'trace.step' ? e.data.step : -1))).toEqual([-1, 0, 1, 2, 3, 4]);
    const seqs = run.map((e) => e.seq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    const tail = await collect(log.replay({ filter: `${config.subjectRoot}.run.r-replay.>`, fromSeq: seqs[3] }));
    expect(tail.map((s) => s.seq)).toEqual(seqs.slice(3));
    expect(await collect(log.replay({ filter: `${config.subjectRoot}.run.nothing-here.>` }))).toEqual([]);
  });

  it('stores artifacts by content digest and verifies them on read', async () => {
    const store = await log.artifacts();
    const bytes = new TextEncoder().encode('a workspace snapshot');
    const digest = await store.put(bytes);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await store.put(bytes)).toBe(digest);
    expect(new TextDecoder().decode(await store.get(digest))).toBe('a workspace snapshot');
    await expect(store.get('0'.repeat(64))).rejects.toThrow(/no artifact/);
  });
});
