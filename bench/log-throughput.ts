import { encodeEvent } from '@loopwright/eventlog';
import { LoopEvent, subjectOf } from '@loopwright/events';
import {
  machineFacts, measure, openBenchLog, parseFlags, rawConsume, reportResults, round, Row, runBenchmark, RunLogGenerator,
  startProgress, Throughput,
} from './support';

const NAME = 'log-throughput';

const flags = parseFlags(NAME, {
  events: { default: 50_000, help: 'events per pipelined publish phase' },
  'sequential-events': { default: 5_000, help: 'events per strictly sequential publish phase' },
  window: { default: 256, help: 'publish acks awaited together (appendMany\'s window)' },
  warmup: { default: 2_000, help: 'unmeasured events published first' },
  rounds: { default: 3, help: 'reads of the whole stream per consume path (the median is reported)' },
});

interface Prepared {
  events: LoopEvent[];
  subjects: string[];
  payloads: Uint8Array[];
  bytes: number;
}

/** Events of the realistic mix, and their subjects and encoded payloads for the raw paths. */
function prepare(generator: RunLogGenerator, n: number, root: string): Prepared {
  const events = generator.next(n);
  const subjects = events.map((e) => subjectOf(e, root));
  const payloads = events.map(encodeEvent);
  return { events, subjects, payloads, bytes: payloads.reduce((sum, p) => sum + p.length, 0) };
}

/** Runs `publish(i)` for every index, `window` at a time with their acks awaited together. */
async function inWindows(n: number, window: number, label: string, publish: (i: number) => Promise<unknown>): Promise<void> {
  const progress = startProgress(label, n);
  for (let start = 0; start < n; start += window) {
    const end = Math.min(n, start + window);
    const acks: Promise<unknown>[] = [];
    for (let i = start; i < end; i++) acks.push(publish(i));
    await Promise.all(acks);
    progress.update(end);
  }
  progress.stop();
}

async function sequentially(n: number, label: string, publish: (i: number) => Promise<unknown>): Promise<void> {
  const progress = startProgress(label, n);
  for (let i = 0; i < n; i++) {
    await publish(i);
    if (i % 500 === 0) progress.update(i);
  }
  progress.update(n);
  progress.stop();
}

function publishRow(path: string, mode: string, t: Throughput, bytes: number, baseline?: Throughput): Row {
  return {
    path,
    mode,
    events: t.events,
    seconds: round(t.seconds, 2),
    'events/s': Math.round(t.perSecond),
    'MB/s': round(bytes / t.seconds / 1e6, 1),
    'vs raw': baseline ? round(t.perSecond / baseline.perSecond, 2) : null,
  };
}

void runBenchmark(async (teardown) => {
  const bench = await openBenchLog(NAME);
  teardown(bench.drop);
  const { log, config } = bench;
  const js = log.js;
  const root = config.subjectRoot;
  const machine = await machineFacts(log.nc);
  const generator = new RunLogGenerator();
  const seqN = flags['sequential-events'];
  const winN = flags.events;
  const window = flags.window;

  const warm = prepare(generator, flags.warmup, root);
  await inWindows(warm.events.length, window, 'warm-up', (i) => js.publish(warm.subjects[i], warm.payloads[i]));

  const rawSeqIn = prepare(generator, seqN, root);
  const rawSeq = await measure(seqN, () => sequentially(seqN, 'raw js.publish, sequential', (i) => js.publish(rawSeqIn.subjects[i], rawSeqIn.payloads[i])));
  const appendSeqIn = prepare(generator, seqN, root);
  const appendSeq = await measure(seqN, () => sequentially(seqN, 'EventLog.append, sequential', (i) => log.append(appendSeqIn.events[i])));

  const rawWinIn = prepare(generator, winN, root);
  const rawWin = await measure(winN, () => inWindows(winN, window, 'raw js.publish, windowed', (i) => js.publish(rawWinIn.subjects[i], rawWinIn.payloads[i])));
  const rawIdIn = prepare(generator, winN, root);
  const rawWinId = await measure(winN, () =>
    inWindows(winN, window, 'raw + msgID, windowed', (i) => js.publish(rawIdIn.subjects[i], rawIdIn.payloads[i], { msgID: rawIdIn.events[i].id })),
  );
  const manyIn = prepare(generator, winN, root);
  const many = await measure(winN, async () => {
    const progress = startProgress('EventLog.appendMany', winN);
    const slice = window * 20;
    for (let start = 0; start < winN; start += slice) {
      await log.appendMany(manyIn.events.slice(start, start + slice), window);
      progress.update(start + slice);
    }
    progress.stop();
  });

  const streamSize = (await log.jsm.streams.info(config.streamName)).state.messages;
  const filter = `${root}.>`;
  type Read = { events: number; bytes: number; seconds: number; perSecond: number };
  const read = async (label: string, work: (onProgress: (n: number) => void) => Promise<{ events: number; bytes: number }>): Promise<Read> => {
    const progress = startProgress(label, streamSize);
    const started = performance.now();
    const { events, bytes } = await work((n) => progress.update(n));
    const seconds = (performance.now() - started) / 1000;
    progress.update(events);
    progress.stop();
    return { events, bytes, seconds, perSecond: events / seconds };
  };
  const decoder = new TextDecoder();
  let invalid = 0;
  const paths: Record<string, (onProgress: (n: number) => void) => Promise<{ events: number; bytes: number }>> = {
    'raw ordered consumer': (onProgress) => rawConsume(js, config.streamName, filter, { onProgress }),
    'raw + JSON.parse': (onProgress) =>
      rawConsume(js, config.streamName, filter, { onProgress, visit: (m) => JSON.parse(decoder.decode(m.data)) }),
    'EventLog.replay (decode + validate)': async (onProgress) => {
      let events = 0;
      let bytes = 0;
      for await (const stored of log.replay()) {
        events++;
        bytes += stored.payload.length;
        if (!stored.event) invalid++;
        if (events % 10_000 === 0) onProgress(events);
      }
      return { events, bytes };
    },
  };
  // Rounds interleave the paths so that a warmer cache or JIT in later reads favours none of them.
  const reads = new Map<string, Read[]>(Object.keys(paths).map((p) => [p, []]));
  for (let r = 1; r <= flags.rounds; r++) {
    for (const [path, work] of Object.entries(paths)) reads.get(path)!.push(await read(`${path.slice(0, 22)} ${r}/${flags.rounds}`, work));
  }
  const median = (path: string): Read => [...reads.get(path)!].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(flags.rounds / 2)];
  const rawRead = median('raw ordered consumer');
  if (invalid > 0) throw new Error(`replay found ${invalid} invalid events: the generator is out of step with the schemas`);

  const avgBytes = Math.round((rawWinIn.bytes + manyIn.bytes) / (2 * winN));
  const consumeRow = (path: string, baseline?: Read): Row => {
    const t = median(path);
    return {
    path,
    events: t.events,
    seconds: round(t.seconds, 2),
    'events/s': Math.round(t.perSecond),
    'MB/s': round(t.bytes / t.seconds / 1e6, 1),
    'vs raw': baseline ? round(t.perSecond / baseline.perSecond, 2) : null,
    'all rounds (events/s)': reads.get(path)!.map((x) => Math.round(x.perSecond)).join(' / '),
    };
  };
  reportResults({
    benchmark: NAME,
    machine,
    measuredPaths: ['libs/eventlog', 'libs/events'],
    params: { events: winN, sequentialEvents: seqN, window, warmup: flags.warmup, rounds: flags.rounds, avgPayloadBytes: avgBytes, stream: config.streamName },
    tables: {
      [`Publish (acked by JetStream), realistic event mix, ${avgBytes} B average payload`]: [
        publishRow('raw js.publish', 'sequential', rawSeq, rawSeqIn.bytes),
        publishRow('EventLog.append', 'sequential', appendSeq, appendSeqIn.bytes, rawSeq),
        publishRow('raw js.publish', `window ${window}`, rawWin, rawWinIn.bytes),
        publishRow('raw js.publish + msgID', `window ${window}`, rawWinId, rawIdIn.bytes, rawWin),
        publishRow('EventLog.appendMany', `window ${window}`, many, manyIn.bytes, rawWin),
      ],
      [`Consume the whole stream (${streamSize} messages) from seq 1, ordered consumer, median of ${flags.rounds} rounds`]: [
        consumeRow('raw ordered consumer'),
        consumeRow('raw + JSON.parse', rawRead),
        consumeRow('EventLog.replay (decode + validate)', rawRead),
      ],
    },
    notes: [
      'raw paths publish the same encoded bytes on the same subjects; EventLog paths add schema validation, encoding and Nats-Msg-Id (server-side dedupe).',
      '"vs raw" compares with the raw row of the same mode: sequential with sequential, windowed with raw windowed without msgID.',
    ],
  });
});
