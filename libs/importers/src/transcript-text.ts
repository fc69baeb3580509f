import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
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

/**
 * A regular file's bytes, read through no link (O_NOFOLLOW) and never waiting on a FIFO
 * (O_NONBLOCK); null when nothing is there. A link, a device or a folder in its place, or a file
 * over `left` bytes, is refused (`{left}` in `tooBig` names what is left).
 */
export async function readRegularFile(path: string, left: number, tooBig: string): Promise<Buffer | null> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
    if (error.code === 'ELOOP') throw new TranscriptRefused(path, 0, 'a symbolic link, not a transcript: refusing to follow it');
    throw new TranscriptRefused(path, 0, `cannot read the file (${error.message})`);
  });
  if (!handle) return null;
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new TranscriptRefused(path, 0, 'not a regular file: refusing to read it as a transcript');
    if (info.size > left) throw new TranscriptRefused(path, 0, tooBig.replace('{left}', megabytes(left)));
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
