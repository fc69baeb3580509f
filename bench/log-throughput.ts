import { encodeEvent, EventLog } from '@loopwright/eventlog';
import { LoopEvent, subjectOf } from '@loopwright/events';
import {
  interleavedRounds, machineFacts, Measured, openBenchLog, parseFlags, PathFigures, rawConsume, reportResults, round, Row,
  runBenchmark, RunLogGenerator, startProgress,
} from './support';

const NAME = 'log-throughput';

const flags = parseFlags(NAME, {
  events: { default: 30_000, help: 'events per pipelined publish phase, per round' },
  'sequential-events': { default: 3_000, help: 'events per strictly sequential publish phase, per round' },
  window: { default: 256, help: 'publish acks awaited together (appendMany\'s window)' },
  warmup: { default: 2_000, help: 'unmeasured events published first' },
  rounds: { default: 3, help: 'rounds of every path, interleaved (the median round is reported)' },
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

/** Publishes every prepared event, `window` at a time with their acks awaited together, or one by one. */
async function publishAll(label: string, input: Prepared, window: number, publish: (i: number) => Promise<unknown>): Promise<Measured> {
  const n = input.events.length;
  const progress = startProgress(label, n);
  const started = performance.now();
  for (let start = 0; start < n; start += window) {
    const end = Math.min(n, start + window);
    if (window === 1) await publish(start);
    else {
      const acks: Promise<unknown>[] = [];
      for (let i = start; i < end; i++) acks.push(publish(i));
      await Promise.all(acks);
    }
    if (end % 512 < window || end === n) progress.update(end);
  }
  const seconds = (performance.now() - started) / 1000;
  progress.stop();
  return { events: n, bytes: input.bytes, seconds };
}

async function appendManyAll(log: EventLog, label: string, input: Prepared, window: number): Promise<Measured> {
  const n = input.events.length;
  const progress = startProgress(label, n);
  const slice = window * 20;
  const started = performance.now();
  for (let start = 0; start < n; start += slice) {
    await log.appendMany(input.events.slice(start, start + slice), window);
    progress.update(Math.min(n, start + slice));
  }
  const seconds = (performance.now() - started) / 1000;
  progress.stop();
  return { events: n, bytes: input.bytes, seconds };
}

/** Reads the whole stream through `read`, with a progress bar. */
async function readAll(label: string, total: number, read: (onProgress: (n: number) => void) => Promise<{ events: number; bytes: number }>): Promise<Measured> {
  const progress = startProgress(label, total);
  const started = performance.now();
  const { events, bytes } = await read((n) => progress.update(n));
  const seconds = (performance.now() - started) / 1000;
  progress.update(events);
  progress.stop();
  return { events, bytes, seconds };
}

function row(path: string, mode: string, f: PathFigures, baseline?: PathFigures): Row {
  const m = f.median;
  return {
    path,
    ...(mode ? { mode } : {}),
    events: m.events,
    seconds: round(m.seconds, 2),
    'events/s': Math.round(m.perSecond),
    'MB/s': round(m.bytes / m.seconds / 1e6, 1),
    'vs raw': baseline ? round(m.perSecond / baseline.median.perSecond, 2) : null,
    'rounds (events/s)': f.rounds.join(' / '),
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
  const { window, rounds } = flags;
  const seqN = flags['sequential-events'];
  const winN = flags.events;
  // Every publish needs fresh events: a repeated id would be deduplicated, not stored.
  const fresh = (n: number) => prepare(generator, n, root);
  const tag = (label: string, r: number) => `${label} ${r}/${rounds}`;

  const warm = fresh(flags.warmup);
  await publishAll('warm-up', warm, window, (i) => js.publish(warm.subjects[i], warm.payloads[i]));

  const publish = await interleavedRounds(rounds, {
    rawSeq: (r) => {
      const input = fresh(seqN);
      return publishAll(tag('raw, sequential', r), input, 1, (i) => js.publish(input.subjects[i], input.payloads[i]));
    },
    appendSeq: (r) => {
      const input = fresh(seqN);
      return publishAll(tag('append, sequential', r), input, 1, (i) => log.append(input.events[i]));
    },
    rawWin: (r) => {
      const input = fresh(winN);
      return publishAll(tag('raw, windowed', r), input, window, (i) => js.publish(input.subjects[i], input.payloads[i]));
    },
    rawWinId: (r) => {
      const input = fresh(winN);
      return publishAll(tag('raw + msgID, windowed', r), input, window, (i) =>
        js.publish(input.subjects[i], input.payloads[i], { msgID: input.events[i].id }),
      );
    },
    appendMany: (r) => appendManyAll(log, tag('appendMany', r), fresh(winN), window),
  });

  const total = (await log.jsm.streams.info(config.streamName)).state.messages;
  const filter = `${root}.>`;
  const decoder = new TextDecoder();
  let invalid = 0;
  const consume = await interleavedRounds(rounds, {
    raw: (r) => readAll(tag('raw ordered consumer', r), total, (onProgress) => rawConsume(js, config.streamName, filter, { onProgress })),
    parsed: (r) =>
      readAll(tag('raw + JSON.parse', r), total, (onProgress) =>
        rawConsume(js, config.streamName, filter, { onProgress, visit: (m) => JSON.parse(decoder.decode(m.data)) }),
      ),
    replay: (r) =>
      readAll(tag('EventLog.replay', r), total, async (onProgress) => {
        let events = 0;
        let bytes = 0;
        for await (const stored of log.replay()) {
          events++;
          bytes += stored.payload.length;
          if (!stored.event) invalid++;
          if (events % 10_000 === 0) onProgress(events);
        }
        return { events, bytes };
      }),
  });
  if (invalid > 0) throw new Error(`replay found ${invalid} invalid events: the generator is out of step with the schemas`);

  const p = (name: string) => publish.get(name)!;
  const c = (name: string) => consume.get(name)!;
  const avgBytes = Math.round(p('rawWin').median.bytes / winN);
  reportResults({
    benchmark: NAME,
    machine,
    measuredPaths: ['libs/eventlog', 'libs/events'],
    params: { events: winN, sequentialEvents: seqN, window, warmup: flags.warmup, rounds, avgPayloadBytes: avgBytes, stream: config.streamName },
    tables: {
      [`Publish, acked by JetStream: realistic event mix, ${avgBytes} B average payload, median of ${rounds} rounds`]: [
        row('raw js.publish', 'sequential', p('rawSeq')),
        row('EventLog.append', 'sequential', p('appendSeq'), p('rawSeq')),
        row('raw js.publish', `window ${window}`, p('rawWin')),
        row('raw js.publish + msgID', `window ${window}`, p('rawWinId'), p('rawWin')),
        row('EventLog.appendMany', `window ${window}`, p('appendMany'), p('rawWin')),
      ],
      [`Consume the whole stream (${total.toLocaleString('en-US')} messages) from seq 1, ordered consumer, median of ${rounds} rounds`]: [
        row('raw ordered consumer', '', c('raw')),
        row('raw + JSON.parse', '', c('parsed'), c('raw')),
        row('EventLog.replay (decode + validate)', '', c('replay'), c('raw')),
      ],
    },
    notes: [
      'raw paths publish the same encoded bytes on the same subjects; EventLog paths add schema validation, encoding and Nats-Msg-Id (server-side dedupe).',
      '"vs raw" compares medians with the raw row of the same mode: sequential with sequential, windowed with raw windowed without msgID.',
    ],
  });
});
