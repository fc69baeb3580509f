import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeEvent } from '@loopwright/eventlog';
import { LoopEvent, subjectOf, uuidv7 } from '@loopwright/events';
import { eventsOfImportedRun, ImportGoal, readTranscript } from '@loopwright/importers';
import { importFile } from '../apps/cli/src/import/import-batch';
import {
  interleavedRounds, machineFacts, Measured, openBenchLog, parseFlags, PathFigures, reportResults, round, Row, runBenchmark,
  startProgress,
} from './support';

const NAME = 'import';

const flags = parseFlags(NAME, {
  sessions: { default: 20, help: 'Claude Code sessions imported per round' },
  'tool-calls': { default: 200, help: 'tool calls per session (each a Bash or an Edit, with its result)' },
  window: { default: 256, help: 'publish acks awaited together, for the raw path and appendMany' },
  rounds: { default: 3, help: 'rounds of every path, interleaved (the median round is reported)' },
});

const GOAL: ImportGoal = { allowedPaths: ['src/**'], scratchPaths: ['/tmp/**'], testCommand: 'npm test', role: 'engineer', budgetUsd: 1 };
const ROOT = '/home/dev/bench-repo';

/** One Claude Code session transcript: a prompt, then tool calls (a test run or an edit) each with its result. */
function sessionJsonl(sessionId: string, toolCalls: number): string {
  const lines: string[] = [];
  let parent: string | null = null;
  const entry = (type: string, message: unknown, extra: object = {}) => {
    const uuid = uuidv7();
    lines.push(JSON.stringify({ parentUuid: parent, isSidechain: false, userType: 'external', cwd: ROOT, sessionId, version: '1.0.98', type, message, uuid, timestamp: new Date(0).toISOString(), ...extra }));
    parent = uuid;
  };
  entry('user', { role: 'user', content: 'Make the failing pricing tests pass without touching the tests.' });
  for (let i = 0; i < toolCalls; i++) {
    const id = `toolu_${sessionId.slice(0, 8)}_${i}`;
    const edit = i % 2 === 1;
    const input = edit
      ? { file_path: `${ROOT}/src/pricing-${i % 7}.ts`, old_string: `const rate = ${i};\n`, new_string: `const rate = ${i + 1};\n` }
      : { command: i % 4 === 0 ? 'npm test -- --silent' : `grep -rn "rate" src/pricing-${i % 7}.ts`, description: 'Run the tests' };
    entry('assistant', { id: `msg_${sessionId.slice(0, 8)}_${i}`, role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [
      { type: 'text', text: `Step ${i}: checking the pricing rule once more.` },
      { type: 'tool_use', id, name: edit ? 'Edit' : 'Bash', input },
    ] });
    const output = edit ? 'The file has been updated.' : `Tests:       ${i % 3} failed, 40 passed, ${40 + (i % 3)} total\n${'.'.repeat(400)}`;
    entry('user', { role: 'user', content: [{ tool_use_id: id, type: 'tool_result', content: i % 3 && !edit ? `Exit code 1\n${output}` : output, is_error: i % 3 !== 0 && !edit }] });
  }
  entry('assistant', { id: `msg_${sessionId.slice(0, 8)}_end`, role: 'assistant', content: [{ type: 'text', text: 'All pricing tests pass now.' }] });
  return `${lines.join('\n')}\n`;
}

/** A fresh folder of sessions (new session ids, so every round imports new runs). */
function writeSessions(count: number, toolCalls: number): { dir: string; files: string[] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loopwright-bench-import-'));
  const files = Array.from({ length: count }, (_, i) => {
    const file = path.join(dir, `session-${i}.jsonl`);
    writeFileSync(file, sessionJsonl(uuidv7(), toolCalls));
    return file;
  });
  return { dir, files };
}

interface Figures extends Measured {
  steps: number;
}

function row(pathName: string, f: PathFigures, steps: number, baseline?: PathFigures): Row {
  const m = f.median;
  return {
    path: pathName,
    runs: flags.sessions,
    steps,
    events: m.events,
    seconds: round(m.seconds, 2),
    'steps/s': Math.round(steps / m.seconds),
    'events/s': Math.round(m.perSecond),
    'vs raw publish': baseline ? round(m.perSecond / baseline.median.perSecond, 2) : null,
    'rounds (events/s)': f.rounds.join(' / '),
  };
}

void runBenchmark(async (teardown) => {
  const bench = await openBenchLog(NAME);
  teardown(bench.drop);
  const { log, config } = bench;
  const machine = await machineFacts(log.nc);
  const { rounds, window } = flags;
  const toolCalls = flags['tool-calls'];
  const folders: string[] = [];
  teardown(async () => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const fresh = () => {
    const written = writeSessions(flags.sessions, toolCalls);
    folders.push(written.dir);
    return written.files;
  };
  const tag = (label: string, r: number) => `${label} ${r}/${rounds}`;
  const stepsSeen: Record<string, number> = {};

  /** Reads and parses every session and builds its events, with no log: the importer's own cost. */
  async function parseOnly(files: string[]): Promise<{ events: LoopEvent[]; steps: number; bytes: number }> {
    const events: LoopEvent[] = [];
    let steps = 0;
    let bytes = 0;
    for (const file of files) {
      const { runs, bytes: raw } = await readTranscript(file);
      bytes += raw.length;
      for (const run of runs) {
        steps += run.steps.length;
        events.push(...eventsOfImportedRun(run, GOAL, { runId: `imp-bench-${uuidv7()}`, contentDigest: 'c'.repeat(64), artifactDigest: 'a'.repeat(64), occurredAt: new Date() }));
      }
    }
    return { events, steps, bytes };
  }

  const measured = await interleavedRounds(rounds, {
    raw: async (r) => {
      // The same events an import appends, published as pre-encoded bytes on their subjects.
      const { events } = await parseOnly(fresh());
      const subjects = events.map((e) => subjectOf(e, config.subjectRoot));
      const payloads = events.map(encodeEvent);
      const progress = startProgress(tag('raw js.publish', r), events.length);
      const started = performance.now();
      for (let start = 0; start < events.length; start += window) {
        const acks: Promise<unknown>[] = [];
        for (let i = start; i < Math.min(events.length, start + window); i++) acks.push(log.js.publish(subjects[i], payloads[i]));
        await Promise.all(acks);
        progress.update(Math.min(events.length, start + window));
      }
      const seconds = (performance.now() - started) / 1000;
      progress.stop();
      stepsSeen['raw'] = events.filter((e) => e.type === 'trace.step').length;
      return { events: events.length, bytes: payloads.reduce((s, p) => s + p.length, 0), seconds };
    },
    parse: async () => {
      const files = fresh();
      const started = performance.now();
      const { events, steps, bytes } = await parseOnly(files);
      const seconds = (performance.now() - started) / 1000;
      stepsSeen['parse'] = steps;
      return { events: events.length, bytes, seconds };
    },
    import: async (r) => {
      const files = fresh();
      const progress = startProgress(tag('loopwright import', r), files.length, 'files');
      const started = performance.now();
      const figures: Figures = { events: 0, bytes: 0, seconds: 0, steps: 0 };
      for (const [i, file] of files.entries()) {
        for (const outcome of await importFile(log, file, GOAL, { now: () => new Date() })) {
          if (outcome.result !== 'imported') throw new Error(`${file}: ${outcome.result} ${outcome.reason ?? ''}`);
          figures.events += outcome.appended;
          figures.steps += outcome.steps ?? 0;
        }
        progress.update(i + 1);
      }
      figures.seconds = (performance.now() - started) / 1000;
      progress.stop();
      stepsSeen['import'] = figures.steps;
      return figures;
    },
  });

  const m = (name: string) => measured.get(name)!;
  reportResults({
    benchmark: NAME,
    machine,
    measuredPaths: ['libs/importers', 'libs/checks', 'libs/events', 'libs/eventlog', 'apps/cli/src/import'],
    params: { sessions: flags.sessions, toolCalls, window, rounds, stream: config.streamName },
    tables: {
      [`Claude Code sessions into the log: ${flags.sessions} sessions × ${toolCalls} tool calls, median of ${rounds} rounds`]: [
        row('raw js.publish of the same events', m('raw'), stepsSeen['raw']),
        row('parse + build events (no log)', m('parse'), stepsSeen['parse']),
        row('loopwright import (read, parse, store change, append missing)', m('import'), stepsSeen['import'], m('raw')),
      ],
    },
    notes: [
      'Every round imports new sessions (fresh session ids), so each import appends every event; an import of known transcripts appends nothing.',
      '"vs raw publish" divides the import\'s events/s by the raw publish of the same events in the same round mix: the importer\'s overhead over the log itself.',
      'The import path also reads the run back from the log (to skip what is there) and stores the delivered change in the object store, once per run.',
    ],
  });
});
