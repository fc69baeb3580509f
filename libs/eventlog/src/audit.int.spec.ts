import { createEvent } from '@loopwright/events';
import { openTestLog } from '@loopwright/testing';
import { ChainLink, chainHashes, chainLinks, checkpointEvent, EMPTY_CHAIN, EventLog, extendChain, verifyChain, verifyLog } from './index';

async function links(log: EventLog): Promise<ChainLink[]> {
  const out: ChainLink[] = [];
  for await (const link of chainLinks(log)) out.push(link);
  return out;
}

describe('the audit chain over a real log', () => {
  let log: EventLog;
  let drop: () => Promise<void>;
  let honest: ChainLink[];

  beforeAll(async () => {
    ({ log, drop } = await openTestLog('audit', 'miner'));
    for (let i = 0; i < 30; i++) {
      await log.append(
        createEvent({
          type: 'trace.step',
          aggregateId: `run-${i % 3}`,
          producer: 'executor',
          data: { taskId: `t${i % 3}`, iteration: 1, step: i, kind: 'command', tool: 'run_command', input: `echo ${i}` },
        }),
      );
    }
    honest = await links(log);
  });

  afterAll(() => drop());

  it('verifies an honest log against its checkpoints', async () => {
    const state = extendChain(EMPTY_CHAIN, honest);
    await log.append(checkpointEvent(state));
    await log.append(checkpointEvent(state));
    const result = await verifyLog(log);
    expect(result).toMatchObject({ ok: true, checked: 31 });
    expect(state.eventsCovered).toBe(30);
  });

  it('catches a copy of the log with one payload altered at exactly that sequence', async () => {
    const recorded = chainHashes(honest);
    const target = honest[17];
    const altered = honest.map((link) =>
      link.seq === target.seq ? { ...link, payload: new TextEncoder().encode(new TextDecoder().decode(link.payload).replace('echo', 'rm -rf')) } : link,
    );
    const result = await verifyChain(altered, recorded);
    expect(result).toMatchObject({ ok: false, firstDivergentSeq: target.seq, lastGoodSeq: honest[16].seq });
  });

  it('with checkpoints only, names the first sequence after the last checkpoint that held', async () => {
    const all = chainHashes(honest);
    const checkpoints = new Map([...all].filter(([seq]) => seq % 10 === 0));
    const altered = honest.map((link) => (link.seq === 23 ? { ...link, subject: `${link.subject}x` } : link));
    const result = await verifyChain(altered, checkpoints);
    expect(result).toMatchObject({ ok: false, firstDivergentSeq: 21, lastGoodSeq: 20 });
  });
});
