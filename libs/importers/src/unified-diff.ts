import type { ChangedFile } from './imported-run';

/** Splits a unified diff (`git diff` output) into one entry per file, the file's own diff as its content. */
export function filesOfDiff(diff: string): ChangedFile[] {
  const files: ChangedFile[] = [];
  const parts = diff.split(/^(?=diff --git )/m).filter((p) => p.startsWith('diff --git '));
  for (const part of parts) {
    const header = /^diff --git a\/(\S+) b\/(\S+)/.exec(part);
    if (!header) continue;
    const deleted = /^\+\+\+ \/dev\/null$/m.test(part);
    files.push({ path: deleted ? header[1] : header[2], content: part.endsWith('\n') ? part : `${part}\n` });
  }
  return files;
}

/** A minimal diff of one replacement, for sources that record an edit as old and new text. */
export function replacementDiff(path: string, oldText: string, newText: string): string {
  const lines = (text: string, sign: string) => (text === '' ? [] : text.split('\n').map((l) => `${sign}${l}`));
  return [`--- a/${path}`, `+++ b/${path}`, '@@', ...lines(oldText, '-'), ...lines(newText, '+'), ''].join('\n');
}
