import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { ValidationError } from '@loopwright/core';
import { TRANSCRIPT_FORMATS, TranscriptFormat } from '@loopwright/events';
import { detectFormat } from './detect-format';
import { parseClaudeCode } from './formats/claude-code';
import { parseMiniSweAgent } from './formats/mini-swe-agent';
import { parseOpenHands } from './formats/openhands';
import { parseOtlpJson } from './formats/otlp-json';
import { parseSweAgent } from './formats/swe-agent';
import { ImportedRun, lineAt, TranscriptError } from './imported-run';

/** The largest transcript read whole; a bigger file is refused with the way out. */
export const MAX_TRANSCRIPT_BYTES = 100 * 1024 * 1024;

/** A transcript refused: the file, the line and the problem, as `file:line: problem` (`file: problem` for the whole file). */
export class TranscriptRefused extends ValidationError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    // Line 0 is a problem of the whole file (its size): there is no line to name.
    super(line > 0 ? `${file}:${line}: ${problem}` : `${file}: ${problem}`, [{ path: line > 0 ? `${file}:${line}` : file, message: problem }]);
  }
}

const PARSERS: Record<TranscriptFormat, (text: string, hint: { name: string }) => ImportedRun[]> = {
  'claude-code': (text) => parseClaudeCode(text),
  'swe-agent': parseSweAgent,
  'mini-swe-agent': parseMiniSweAgent,
  openhands: parseOpenHands,
  'otlp-json': (text) => parseOtlpJson(text),
};

/** Parses a transcript's text in a format (detected when not given). Pure: no I/O. */
export function parseTranscript(text: string, name: string, format?: TranscriptFormat): ImportedRun[] {
  const chosen = format ?? detectFormat(text);
  if (!chosen) {
    throw new TranscriptError(1, `not a transcript format Loopwright knows; pass --format (${TRANSCRIPT_FORMATS.join(', ')})`);
  }
  return PARSERS[chosen](text, { name: basename(name) });
}

/**
 * Reads one transcript file into runs. Refuses, naming the file and line: a file over the size
 * limit, binary data, text that is not UTF-8, an unknown format, a malformed or truncated transcript.
 */
export async function readTranscript(
  file: string,
  options: { format?: TranscriptFormat; maxBytes?: number } = {},
): Promise<{ runs: ImportedRun[]; bytes: Buffer }> {
  const maxBytes = options.maxBytes ?? MAX_TRANSCRIPT_BYTES;
  const size = (await stat(file).catch((error: Error) => {
    throw new TranscriptRefused(file, 0, `cannot read the file (${error.message})`);
  })).size;
  if (size > maxBytes) {
    throw new TranscriptRefused(file, 0, `the file is ${megabytes(size)}, over the ${megabytes(maxBytes)} limit: split the session or import the sessions one by one`);
  }
  const bytes = await readFile(file);
  const text = decodeText(file, bytes);
  try {
    return { runs: parseTranscript(text, file, options.format), bytes };
  } catch (error) {
    if (error instanceof TranscriptError) throw new TranscriptRefused(file, error.line, error.problem);
    throw error;
  }
}

function decodeText(file: string, bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new TranscriptRefused(file, lineAt(bytes.subarray(0, nul).toString('latin1'), nul), 'binary data (a NUL byte), not a text transcript');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const text = bytes.toString('utf8');
    const bad = text.indexOf('\uFFFD');
    throw new TranscriptRefused(file, lineAt(text, Math.max(0, bad)), 'not UTF-8 text: re-export the transcript as UTF-8');
  }
}

const megabytes = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;
