import { ValidationError } from '@loopwright/core';
import { lineAt } from './imported-run';

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

/** A file's bytes as UTF-8 text; binary data or text in another encoding is refused, naming the line. */
export function decodeText(file: string, bytes: Buffer): string {
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

export const megabytes = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;
