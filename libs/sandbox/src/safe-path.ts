import { constants } from 'node:fs';
import { FileHandle, lstat, mkdir, open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '@loopwright/core';

/**
 * The segments of a workspace-relative path. Refuses absolute paths, `..` anywhere, and NUL;
 * drops `.` and empty segments, so '' and '.' name the workspace itself.
 */
export function relativeSegments(relative: string): string[] {
  if (relative.includes('\0')) throw new ValidationError(`"${relative.replace(/\0/g, '\\0')}" contains a NUL byte: name a file of the workspace`);
  if (path.isAbsolute(relative)) throw new ValidationError(`"${relative}" is absolute: paths are relative to the workspace`);
  const segments = relative.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new ValidationError(`"${relative}" contains "..": name the file by its path from the workspace root`);
  return segments;
}

const linkRefusal = (shown: string) =>
  new ValidationError(`"${shown}" is a symbolic link: the file tools never follow links; use the real path inside the workspace`);

/**
 * The absolute path of the directory `segments` name under `root`, checking every component
 * with lstat: a link or a non-directory anywhere is refused; missing ones are made when `create`.
 */
export async function realDirectory(root: string, segments: readonly string[], create: boolean): Promise<string> {
  let current = root;
  for (let i = 0; i < segments.length; i++) {
    current = path.join(current, segments[i]);
    const shown = segments.slice(0, i + 1).join('/');
    const stat = await lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (stat === undefined) {
      if (!create) throw new ValidationError(`"${shown}" does not exist in the workspace`);
      await mkdir(current).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      continue;
    }
    if (stat.isSymbolicLink()) throw linkRefusal(shown);
    if (!stat.isDirectory()) throw new ValidationError(`"${shown}" is not a directory`);
  }
  // Nothing above was a link, so the real path is the path itself; a link swapped in since says otherwise.
  if ((await realpath(current)) !== current) throw new ValidationError(`"${segments.join('/')}" leaves the workspace through a link`);
  return current;
}

/**
 * Opens a regular file of the workspace without following any link, by a walk from directory
 * handle to directory handle (each opened through /proc/self/fd/N with O_NOFOLLOW, as openat
 * would): a directory checked by name could be swapped for a link before the open, by a command
 * still running. The file itself is opened with O_NOFOLLOW (and O_NONBLOCK, so a fifo cannot
 * hang the caller), and anything but a regular file with a single link is refused.
 */
export async function openInside(root: string, relative: string, mode: 'read' | 'write'): Promise<FileHandle> {
  const segments = relativeSegments(relative);
  if (segments.length === 0) throw new ValidationError(`"${relative}" is the workspace itself: name a file in it`);
  let dir = await open(root, constants.O_RDONLY | constants.O_DIRECTORY);
  let handle: FileHandle;
  try {
    for (let i = 0; i < segments.length - 1; i++) {
      const next = await openDirectoryIn(dir, segments[i], segments.slice(0, i + 1).join('/'), mode === 'write');
      await dir.close();
      dir = next;
    }
    const flags =
      constants.O_NOFOLLOW | constants.O_NONBLOCK | (mode === 'read' ? constants.O_RDONLY : constants.O_WRONLY | constants.O_CREAT);
    handle = await openIn(dir, segments[segments.length - 1], flags, segments.join('/'));
  } finally {
    await dir.close();
  }
  const shown = segments.join('/');
  const stat = await handle.stat();
  const problem = !stat.isFile()
    ? `is not a regular file: the file tools read and write regular files only`
    : stat.nlink > 1
      ? `is a hard link (${stat.nlink} names for one file): the file tools refuse it, as it may be a file outside the workspace`
      : undefined;
  if (problem) {
    await handle.close();
    throw new ValidationError(`"${shown}" ${problem}`);
  }
  return handle;
}

/** `name` in the directory `dir` holds open, never through a link; /proc/self/fd/N is that directory itself, whatever its name now. */
async function openIn(dir: FileHandle, name: string, flags: number, shown: string): Promise<FileHandle> {
  try {
    return await open(`/proc/self/fd/${dir.fd}/${name}`, flags, 0o644);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw linkRefusal(shown);
    if (code === 'ENOTDIR') {
      // O_DIRECTORY answers a link with ENOTDIR too: the message says which it was; both are refused.
      const isLink = await lstat(`/proc/self/fd/${dir.fd}/${name}`).then((stat) => stat.isSymbolicLink(), () => false);
      throw isLink ? linkRefusal(shown) : new ValidationError(`"${shown}" is not a directory`);
    }
    if (code === 'ENXIO') throw new ValidationError(`"${shown}" is not a regular file (a fifo): the file tools read and write regular files only`);
    if (code === 'ENOENT') throw new ValidationError(`"${shown}" does not exist in the workspace`, [], { cause: error });
    throw error;
  }
}

async function openDirectoryIn(dir: FileHandle, name: string, shown: string, create: boolean): Promise<FileHandle> {
  if (create) {
    await mkdir(`/proc/self/fd/${dir.fd}/${name}`).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
  return openIn(dir, name, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW, shown);
}
