import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { TRANSCRIPT_FORMATS, TranscriptFormat } from '@loopwright/events';
import { detectFormat } from './detect-format';
import { parseClaudeCode } from './formats/claude-code';
import { parseMiniSweAgent } from './formats/mini-swe-agent';
import { parseOpenHands } from './formats/openhands';
import { parseOtlpJson } from './formats/otlp-json';
import { parseSweAgent } from './formats/swe-agent';
import type { SubAgentFiles } from './formats/claude-code-subagents';
import { ImportedRun, TranscriptError } from './imported-run';
import { isOpenHandsConversation, readOpenHandsConversation } from './openhands-conversation';
import { readSubAgentFiles } from './sub-agent-files';
import { decodeText, megabytes, TranscriptRefused } from './transcript-text';

export { TranscriptRefused } from './transcript-text';

/** The largest transcript read whole; a bigger file is refused with the way out. */
export const MAX_TRANSCRIPT_BYTES = 100 * 1024 * 1024;

const PARSERS: Record<TranscriptFormat, (text: string, hint: { name: string; subAgents?: SubAgentFiles }) => ImportedRun[]> = {
  'claude-code': (text, hint) => parseClaudeCode(text, hint.subAgents),
  'swe-agent': parseSweAgent,
  'mini-swe-agent': parseMiniSweAgent,
  openhands: parseOpenHands,
  'otlp-json': (text) => parseOtlpJson(text),
};

/** The format a transcript is in: the one given, else the one detected; none is refused. */
function formatOf(text: string, format?: TranscriptFormat): TranscriptFormat {
  const chosen = format ?? detectFormat(text);
  if (!chosen) {
    throw new TranscriptError(1, `not a transcript format Loopwright knows; pass --format (${TRANSCRIPT_FORMATS.join(', ')})`);
  }
  return chosen;
}

/**
 * Parses a transcript's text in a format (detected when not given). Pure: no I/O; a Claude Code
 * session's sub-agents are merged in when their transcripts are given.
 */
export function parseTranscript(text: string, name: string, format?: TranscriptFormat, subAgents?: SubAgentFiles): ImportedRun[] {
  return PARSERS[formatOf(text, format)](text, { name: basename(name), subAgents });
}

/**
 * Reads one transcript file into runs. Refuses, naming the file and line: a file over the size
 * limit, binary data, text that is not UTF-8, an unknown format, a malformed or truncated transcript.
 * A Claude Code session brings its sub-agents' transcripts from its folder (`readSubAgentFiles`),
 * within the same size limit; `bytes` are then all of them, so a changed sub-agent is a new run.
 * An OpenHands SDK conversation is a folder (`base_state.json`, `events/`), read whole.
 */
export async function readTranscript(
  file: string,
  options: { format?: TranscriptFormat; maxBytes?: number } = {},
): Promise<{ runs: ImportedRun[]; bytes: Buffer }> {
  const maxBytes = options.maxBytes ?? MAX_TRANSCRIPT_BYTES;
  const info = await stat(file).catch((error: Error) => {
    throw new TranscriptRefused(file, 0, `cannot read the file (${error.message})`);
  });
  try {
    if (info.isDirectory()) {
      if (await isOpenHandsConversation(file)) return await readOpenHandsConversation(file, maxBytes);
      throw new TranscriptRefused(file, 0, 'a folder, and not an OpenHands conversation (base_state.json and events/): name its transcript files');
    }
    return await readTranscriptFile(file, info.size, maxBytes, options.format);
  } catch (error) {
    if (error instanceof TranscriptError) throw new TranscriptRefused(error.file ?? file, error.line, error.problem);
    // JSON.parse takes values nested deeper than re-serializing or walking them can: the transcript is refused, the batch goes on.
    if (error instanceof RangeError) throw new TranscriptRefused(file, 0, `a value nested too deeply (or too large) to read (${error.message}): not a transcript Loopwright can import`);
    throw error;
  }
}

async function readTranscriptFile(file: string, size: number, maxBytes: number, given: TranscriptFormat | undefined) {
  if (size > maxBytes) {
    throw new TranscriptRefused(file, 0, `the file is ${megabytes(size)}, over the ${megabytes(maxBytes)} limit: split the session or import the sessions one by one`);
  }
  const bytes = await readFile(file);
  const text = decodeText(file, bytes);
  const format = formatOf(text, given);
  if (format !== 'claude-code') return { runs: parseTranscript(text, file, format), bytes };
  const subAgents = await readSubAgentFiles(file, text, maxBytes - size);
  return { runs: parseTranscript(text, file, format, subAgents.files), bytes: Buffer.concat([bytes, ...subAgents.bytes]) };
}
