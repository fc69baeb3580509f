import { Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { visibleName } from './capped-output';

/** Something in a workspace that is not a regular file of its own (or has a name no tool can use); recorded, never followed. */
export interface IrregularEntry {
  path: string;
  kind: 'symlink' | 'hardlink' | 'fifo' | 'socket' | 'device' | 'oversized' | 'other';
  /** A symlink's target, as written in the link. */
  target?: string;
  /** An oversized file's size in bytes. */
  bytes?: number;
}

export const IRREGULAR_KINDS: readonly IrregularEntry['kind'][] = ['symlink', 'hardlink', 'fifo', 'socket', 'device', 'oversized', 'other'];

/** The largest file a snapshot carries: a workspace filled to its disk limit is reported, not delivered. */
export const MAX_DELIVERED_FILE_BYTES = 1024 * 1024;
/** The most a snapshot carries in all; files past it are reported as oversized too. */
export const MAX_DELIVERED_TOTAL_BYTES = 16 * 1024 * 1024;

/** What an lstat says a non-directory entry is: a regular file of its own, or which irregular kind. */
export function entryKind(stat: Stats): 'file' | IrregularEntry['kind'] {
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isFile()) return stat.nlink > 1 ? 'hardlink' : 'file';
  if (stat.isFIFO()) return 'fifo';
  if (stat.isSocket()) return 'socket';
  if (stat.isBlockDevice() || stat.isCharacterDevice()) return 'device';
  return 'other';
}

/**
 * Walks `start` (a real directory under `root`) with lstat only: descends real directories,
 * never a link, and sorts what it finds into regular files and irregular entries.
 */
export async function walkEntries(root: string, start: string): Promise<{ files: SizedFile[]; irregular: IrregularEntry[] }> {
  const files: SizedFile[] = [];
  const irregular: IrregularEntry[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const raw of await readdir(dir, { encoding: 'buffer' })) {
      const name = raw.toString('utf8');
      const full = path.join(dir, name);
      const relative = path.relative(root, full).split(path.sep).join('/');
      // A name that is not UTF-8 cannot be opened by its decoded text, and one with control
      // characters would break a listing into false lines or carry escapes to a terminal.
      if (!Buffer.from(name, 'utf8').equals(raw) || visibleName(name) !== name) {
        irregular.push({ path: visibleName(relative), kind: 'other' });
        continue;
      }
      const stat = await lstat(full).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENAMETOOLONG') return undefined;
        throw error;
      });
      // Nested past the longest path the host can name: recorded, never read.
      if (stat === undefined) {
        irregular.push({ path: relative, kind: 'other' });
        continue;
      }
      if (stat.isDirectory()) {
        await walk(full);
        continue;
      }
      const kind = entryKind(stat);
      if (kind === 'file' && stat.size > MAX_DELIVERED_FILE_BYTES) irregular.push({ path: relative, kind: 'oversized', bytes: stat.size });
      else if (kind === 'file') files.push({ path: relative, bytes: stat.size });
      else if (kind === 'symlink') irregular.push({ path: relative, kind, target: await readlink(full) });
      else irregular.push({ path: relative, kind });
    }
  };
  await walk(start);
  const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return { files: files.sort((a, b) => byPath(a.path, b.path)), irregular: irregular.sort((a, b) => byPath(a.path, b.path)) };
}

/** A regular file of the workspace and its size when it was walked. */
export interface SizedFile {
  path: string;
  bytes: number;
}

/**
 * The files a snapshot carries, in path order until their sizes add up to `budget`, and the rest
 * as oversized entries: files under the per-file cap can still add up to more than the host can
 * hold (sparse ones cost the workspace no disk at all).
 */
export function withinDeliveryBudget(files: readonly SizedFile[], budget = MAX_DELIVERED_TOTAL_BYTES): { delivered: string[]; over: IrregularEntry[] } {
  const delivered: string[] = [];
  const over: IrregularEntry[] = [];
  let left = budget;
  for (const file of files) {
    if (file.bytes <= left) {
      delivered.push(file.path);
      left -= file.bytes;
    } else over.push({ path: file.path, kind: 'oversized', bytes: file.bytes });
  }
  return { delivered, over };
}
