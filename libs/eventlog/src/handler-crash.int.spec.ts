import { spawn } from 'node:child_process';
import path from 'node:path';
import { createEvent, LoopEvent } from '@loopwright/events';
import type { LogConfig } from './index';
import { useTestLog } from './testing/use-test-log';

const CRASHING_CONSUMER = path.join(__dirname, 'testing', 'crashing-consumer.ts');
const LIMIT = 3;

function step(runId: string, n: number, input: string): LoopEvent {
  return createEvent({
    type: 'trace.step',
    aggregateId: runId,
    producer: 'executor',
    data: { taskId: `${runId}-engineer`, iteration: 1, step: n, kind: 'command', tool: 'run_command', input },
  });
}

/** Runs the crashing consumer until it dies or `done` holds; returns what it printed and whether it died. */
function runConsumer(config: LogConfig, done: () => Promise<boolean>): Promise<{ output: string; died: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', CRASHING_CONSUMER], {
      env: {
        ...process.env, NATS_URL: config.natsUrl, LOOP_STREAM: config.streamName, LOOP_SUBJECT_ROOT: config.subjectRoot,
        LOOP_ARTIFACT_BUCKET: config.artifactBucket, LOOP_MAX_DELIVER: String(LIMIT),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => (output += chunk.toString());
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const poll = setInterval(() => void done().then((yes) => yes && child.kill('SIGTERM')), 200);
    child.once('exit', (_code, signal) => {
      clearInterval(poll);
      resolve({ output, died: signal === 'SIGKILL' });
    });
  });
}

describe('a handler that kills its own process', () => {
  const { config, log: opened } = useTestLog('handler-crash');

  it('is quarantined after the delivery limit, with the reason, once, and the consumer moves on', async () => {
    const log = opened();
    const poison = await log.append(step('r1', 0, 'crash'));
    const fine = await log.append(step('r1', 1, 'fine'));
    const notices = async () => {
      const found = [];
      for await (const stored of log.replay({ filter: `${config.subjectRoot}.system.>` })) found.push(stored.event);
      return found;
    };
    const settled = async () => {
      const info = await log.jsm.consumers.info(config.streamName, 'c-crash').catch(() => undefined);
      return info !== undefined && info.num_ack_pending + info.num_pending === 0 && info.ack_floor.stream_seq >= fine.seq;
    };
    const runs: boolean[] = [];
    // a supervisor restarts the process each time it dies, as docker or kubernetes would
    for (let restart = 0; restart < LIMIT + 3; restart++) {
      // it stops once both messages are settled: the poison one quarantined, or (the attack) silently dropped
      const run = await runConsumer(config, settled);
      runs.push(run.died);
      if (!run.died) break;
    }
    expect(runs).toEqual([...Array<boolean>(LIMIT).fill(true), false]);
    // the ack floor past the last message: the one behind the poison message was handled too
    expect(await settled()).toBe(true);

    expect(await notices()).toHaveLength(1);
    const [notice] = await notices();
    if (notice?.type !== 'system.event.quarantined') throw new Error(`not a quarantine notice: ${notice?.type}`);
    expect(notice.data).toMatchObject({ originalSeq: poison.seq, consumer: 'c-crash', deliveries: LIMIT + 1 });
    expect(notice.data.reason).toMatch(new RegExp(`handler did not return \\(its process died or hung in it\\) after ${LIMIT} runs of ${LIMIT}`));
    const info = await log.jsm.consumers.info(config.streamName, 'c-crash');
    expect(info.num_ack_pending + info.num_pending).toBe(0);
  }, 120_000);
});
