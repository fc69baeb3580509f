import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { EventLog } from '@loopwright/eventlog';
import type { TranscriptFormat } from '@loopwright/events';
import {
  eventsOfImportedRun, ImportedRun, ImportGoal, importedRunId, isOpenHandsConversation, readTranscript, sessionOfSubAgentFile, TranscriptRefused,
} from '@loopwright/importers';
import { encodeSnapshot } from '@loopwright/sandbox';

/** What became of one transcript (or one run of it). */
export interface ImportOutcome {
  file: string;
  runId?: string;
  format?: TranscriptFormat;
  steps?: number;
  result: 'imported' | 'already there' | 'completed' | 'refused';
  /** For a refusal: `file:line: problem`. */
  reason?: string;
  /** Events appended by this import. */
  appended: number;
  /** What the transcript could not say (no exit codes, no final diff, …). */
  gaps?: string[];
}

/**
 * Transcripts named on the command line; a directory stands for the transcripts below it: its
 * files, an OpenHands SDK conversation folder (`base_state.json`, `events/`) as one, and not the
 * Claude Code sub-agents' transcripts of a session it also holds (that session's import reads them).
 */
export async function transcriptFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (!info?.isDirectory() || (await isOpenHandsConversation(path))) {
      files.push(path);
      continue;
    }
    const entries = await readdir(path, { recursive: true, withFileTypes: true });
    const conversations = entries.filter((e) => e.name === 'base_state.json' && e.isFile()).map((e) => e.parentPath)
      .filter((dir) => entries.some((e) => e.name === 'events' && e.isDirectory() && e.parentPath === dir));
    const inConversation = (file: string) => conversations.some((dir) => file.startsWith(`${dir}${sep}`));
    const found = entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => join(e.parentPath, e.name)).filter((f) => !inConversation(f));
    const present = new Set(found);
    for (const file of [...found, ...conversations].sort()) {
      const session = await sessionOfSubAgentFile(file);
      if (!session || !present.has(session)) files.push(file);
    }
  }
  return files;
}

/**
 * Imports one transcript file: each run it holds is appended as the events of a run, skipping the
 * events the log already has (importing again adds nothing; an import cut off is completed).
 * A transcript that cannot be read is refused with its reason; nothing else is affected.
 */
export async function importFile(
  log: EventLog,
  file: string,
  goal: ImportGoal,
  options: { format?: TranscriptFormat; maxBytes?: number; now: () => Date },
): Promise<ImportOutcome[]> {
  let runs: ImportedRun[];
  let bytes: Buffer;
  try {
    ({ runs, bytes } = await readTranscript(file, options));
  } catch (error) {
    if (error instanceof TranscriptRefused) return [{ file, result: 'refused', reason: error.message, appended: 0 }];
    throw error;
  }
  const contentDigest = createHash('sha256').update(bytes).digest('hex');
  const outcomes: ImportOutcome[] = [];
  for (const run of runs) {
    const description = goal.description ?? run.task;
    if (description.trim() === '') {
      outcomes.push({ file, format: run.format, result: 'refused', appended: 0, reason: `${file}:1: no task statement in the transcript; give one with --description or a --goal file` });
      continue;
    }
    const runId = importedRunId(run, contentDigest);
    const existing = new Set((await log.readRun(runId)).map((e) => e.id));
    const artifactDigest = await (await log.artifacts()).put(encodeSnapshot(run.change));
    const events = eventsOfImportedRun(run, goal, { runId, contentDigest, artifactDigest, occurredAt: options.now() });
    const missing = events.filter((e) => !existing.has(e.id));
    if (missing.length > 0) await log.appendMany(missing);
    const result = missing.length === 0 ? 'already there' : existing.size === 0 ? 'imported' : 'completed';
    outcomes.push({ file, runId, format: run.format, steps: run.steps.length, result, appended: missing.length, gaps: run.gaps });
  }
  return outcomes;
}
