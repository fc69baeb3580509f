import { mkdir, mkdtemp, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runHostTool } from './host-command';
import { openInside, realDirectory, relativeSegments } from './safe-path';
import { IrregularEntry, walkEntries, withinDeliveryBudget } from './workspace-entries';

export interface WorkspaceFile {
  path: string;
  content: string;
}

/**
 * A directory of its own for one task (or one grading). Every path is resolved inside it
 * without following links: a link anywhere on a path, a hard link, a fifo or a device is refused.
 */
export class Workspace {
  private constructor(readonly root: string) {}

  static async create(label: string): Promise<Workspace> {
    const base = path.join(tmpdir(), 'loopwright');
    await mkdir(base, { recursive: true, mode: 0o755 });
    const dir = await mkdtemp(path.join(base, `${label.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)}-`));
    return new Workspace(await realpath(dir));
  }

  /** A workspace at a directory of the caller's choosing (created if missing), for state that must outlive a process. */
  static async at(dir: string): Promise<Workspace> {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    return new Workspace(await realpath(dir));
  }

  /** The absolute path of a relative one, by its text alone; refuses absolute paths and `..`. */
  resolve(relative: string): string {
    return path.join(this.root, ...relativeSegments(relative));
  }

  async write(relative: string, content: string): Promise<void> {
    const handle = await openInside(this.root, relative, 'write');
    try {
      await handle.truncate(0);
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
  }

  async read(relative: string): Promise<string> {
    const handle = await openInside(this.root, relative, 'read');
    try {
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  }

  /** Every regular file under `relative`, as workspace-relative paths, sorted; links are neither listed nor followed. */
  async list(relative = '.'): Promise<string[]> {
    const start = await realDirectory(this.root, relativeSegments(relative), false);
    return (await walkEntries(this.root, start)).files.map((f) => f.path);
  }

  /**
   * The regular files with their content, and every entry that is not one (links, hard links,
   * fifos, …) or is too big to carry, alone or past the snapshot's total budget.
   */
  async scan(): Promise<{ files: WorkspaceFile[]; irregular: IrregularEntry[] }> {
    const walked = await walkEntries(this.root, this.root);
    const { delivered, over } = withinDeliveryBudget(walked.files);
    const irregular = [...walked.irregular, ...over].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const files: WorkspaceFile[] = [];
    // One at a time: reading them all at once holds every file's buffer together.
    for (const p of delivered) files.push({ path: p, content: await this.read(p) });
    return { files, irregular };
  }

  /** The regular files only. */
  async snapshot(): Promise<WorkspaceFile[]> {
    return (await this.scan()).files;
  }

  /** Writes the files in; every path is checked before any is written, and none goes through a link. */
  async restore(files: readonly WorkspaceFile[]): Promise<void> {
    for (const file of files) relativeSegments(file.path);
    for (const file of files) await this.write(file.path, file.content);
  }

  /** Removes the workspace; `rm -r` reaches a tree nested past the longest path a walk by name can open. */
  dispose(): Promise<void> {
    return runHostTool('rm', ['-rf', '--one-file-system', '--', this.root]);
  }
}
