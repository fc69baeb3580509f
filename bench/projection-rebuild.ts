import type { DataSource } from 'typeorm';
import type { EventLog } from '@loopwright/eventlog';
import {
  ALL_PROJECTIONS, handledTypes, openDatabase, PROJECTION_MIGRATIONS, rebuildProjections, replayStoredMessages,
} from '@loopwright/projections';
import {
  loadAverage, machineFacts, openBenchLog, startProcessCpu, withCpuProfile, openBenchSchema, parseFlags, rawConsume, reportResults, round, Row, runBenchmark, RunLogGenerator,
  startProgress,
} from './support';

const NAME = 'projection-rebuild';
const TARGET_PER_SECOND = 25_000;
const TARGET_VS_RAW = 0.3;

const flags = parseFlags(NAME, {
  events: { default: 1_000_000, help: 'events in the generated log' },
  'build-batch': { default: 10_000, help: 'events built and handed to appendMany at a time' },
  window: { default: 256, help: 'appendMany window (acks awaited together)' },
  'rebuild-batch': { default: 10_000, help: 'messages per rebuild batch (rebuildProjections batchSize; its default)' },
  'skip-reader': { default: false, help: 'skip the projections\' reader measured on its own (no Postgres)' },
  profile: { default: false, help: 'CPU-profile this process during the rebuild (written to the temp folder)' },
});

interface Rate {
  events: number;
  seconds: number;
}

/** Appends the realistic mix with appendMany, built a batch at a time. */
async function generate(log: EventLog, total: number, generator: RunLogGenerator): Promise<Rate & { bytes: number }> {
  const progress = startProgress('appendMany (generating)', total);
  const started = performance.now();
  let bytes = 0;
  for (let done = 0; done < total; ) {
    const events = generator.next(Math.min(flags['build-batch'], total - done));
    for (const e of events) bytes += JSON.stringify(e).length;
    await log.appendMany(events, flags.window);
    done += events.length;
    progress.update(done);
  }
  progress.stop();
  return { events: total, seconds: (performance.now() - started) / 1000, bytes };
}

async function timedRead(label: string, total: number, read: (onProgress: (n: number) => void) => Promise<number>): Promise<Rate> {
  const progress = startProgress(label, total);
  const started = performance.now();
  const events = await read((n) => progress.update(n));
  progress.update(events);
  progress.stop();
  return { events, seconds: (performance.now() - started) / 1000 };
}

/** The projections' own reader: ordered consumer, decoding only the types a read model handles. */
async function readerOnly(log: EventLog, onProgress: (n: number) => void): Promise<number> {
  let n = 0;
  for await (const _stored of replayStoredMessages(log, { fromSeq: 1, decode: handledTypes(ALL_PROJECTIONS), batch: 5_000 })) {
    if (++n % 10_000 === 0) onProgress(n);
  }
  return n;
}

async function rowCounts(db: DataSource): Promise<Row[]> {
  const tables = [...ALL_PROJECTIONS.readModels, ...ALL_PROJECTIONS.links].flatMap((p) => p.tables);
  const rows: Row[] = [];
  for (const table of tables) {
    const [{ n }] = (await db.query(`select count(*)::int as n from "${table}"`)) as { n: number }[];
    rows.push({ table, rows: n });
  }
  return rows;
}

function rateRow(path: string, r: Rate, raw?: Rate): Row {
  const perSecond = r.events / r.seconds;
  return {
    path,
    events: r.events,
    seconds: round(r.seconds, 1),
    'events/s': Math.round(perSecond),
    'vs raw': raw ? round(perSecond / (raw.events / raw.seconds), 2) : null,
  };
}

void runBenchmark(async (teardown) => {
  const bench = await openBenchLog(NAME);
  teardown(bench.drop);
  const { log, config } = bench;
  const schema = await openBenchSchema(NAME);
  teardown(schema.drop);
  const machine = await machineFacts(log.nc, schema.url);

  const generator = new RunLogGenerator();
  const generated = await generate(log, flags.events, generator);
  const total = (await log.jsm.streams.info(config.streamName)).state.messages;

  const raw = await timedRead('raw ordered consumer', total, (onProgress) =>
    rawConsume(log.js, config.streamName, `${config.subjectRoot}.>`, { batch: 5_000, onProgress }).then((r) => r.events),
  );
  const reader = flags['skip-reader'] ? undefined : await timedRead('projections reader', total, (onProgress) => readerOnly(log, onProgress));

  const db = await openDatabase({ url: schema.url, schema: schema.schema }, PROJECTION_MIGRATIONS);
  teardown(() => db.destroy());
  const progress = startProgress('rebuildProjections', total);
  const wallStarted = performance.now();
  const cpuStarted = process.cpuUsage();
  const servers = startProcessCpu(['postgres', 'nats-server']);
  const { result: rebuild, profileFile } = await withCpuProfile(flags.profile, NAME, () =>
    rebuildProjections(log, db, { batchSize: flags['rebuild-batch'], onBatch: (p) => progress.update(p.events) }),
  );
  const wallSeconds = (performance.now() - wallStarted) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuShare = (cpu.user + cpu.system) / 1e6 / wallSeconds;
  const serverCpu = servers.stop();
  const coreShare = (seconds: number) => `${Math.round((seconds / wallSeconds) * 100)}%`;
  progress.stop();
  const counts = await rowCounts(db);

  const rebuildRate = rebuild.events / rebuild.seconds;
  const runs = Math.ceil(flags.events / RunLogGenerator.eventsPerRun());
  reportResults({
    benchmark: NAME,
    machine,
    measuredPaths: ['libs/projections', 'libs/eventlog', 'libs/events'],
    params: {
      events: flags.events, runs, buildBatch: flags['build-batch'], window: flags.window, rebuildBatch: flags['rebuild-batch'],
      avgPayloadBytes: Math.round(generated.bytes / generated.events), stream: config.streamName, schema: schema.schema,
      mix: [...generator.counts].map(([type, n]) => `${type} ${n}`).join(', '),
    },
    tables: {
      [`Read the ${total.toLocaleString('en-US')}-event log from seq 1, and rebuild every projection from it`]: [
        rateRow('raw ordered consumer (no decoding)', raw),
        ...(reader ? [rateRow('projections reader (decodes handled types)', reader, raw)] : []),
        rateRow('rebuildProjections: replay into the fresh generation', { events: rebuild.events, seconds: rebuild.seconds }, raw),
        rateRow('rebuildProjections: wall clock (migrations, replay, swap)', { events: rebuild.events, seconds: wallSeconds }, raw),
      ],
      Target: [
        {
          target: `rebuild ≥ ${TARGET_PER_SECOND.toLocaleString('en-US')} events/s`, reached: Math.round(rebuildRate),
          met: rebuildRate >= TARGET_PER_SECOND ? 'yes' : 'no',
        },
        {
          target: `rebuild ≥ ${TARGET_VS_RAW} × the raw ordered-consumer read of the same log in the same run`, reached: round(rebuildRate / (raw.events / raw.seconds), 3),
          met: rebuildRate / (raw.events / raw.seconds) >= TARGET_VS_RAW ? 'yes' : 'no',
        },
      ],
      [`CPU during the rebuild, share of one core (the machine has ${machine.cores})`]: [
        {
          'this process': `${Math.round(cpuShare * 100)}%`,
          'postgres processes': coreShare(serverCpu['postgres']),
          'nats-server processes': coreShare(serverCpu['nats-server']),
          'load average at end': loadAverage()[0],
        },
      ],
      'Generating the log (not a target; for reference)': [rateRow('EventLog.appendMany', generated)],
      'Rows after the rebuild': counts,
    },
    notes: [
      'postgres and nats-server CPU is machine-wide: other work on the machine that uses them counts too.',
      ...(profileFile ? [`rebuild CPU profile (this process only): ${profileFile}; summarize with bench/tools/cpu-profile-summary.ts`] : []),
      `the rebuild replays into <schema>_rebuild_${rebuild.generation} with synchronous_commit off and swaps it in; its own figure (replay) excludes the migrations of the new generation and the swap, the wall-clock row includes them.`,
    ],
  });
});
