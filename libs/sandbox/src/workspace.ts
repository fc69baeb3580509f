import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ValidationError } from '@loopwright/core';

export interface WorkspaceFile {
  path: string;
  content: string;
}

/** A directory of its own for one task (or one grading): every path is resolved inside it. */
export class Workspace {
  private constructor(readonly root: string) {}

  static async create(label: string): Promise<Workspace> {
    const base = path.join(tmpdir(), 'loopwright');
    await mkdir(base, { recursive: true });
    return new Workspace(await mkdtemp(path.join(base, `${label.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)}-`)));
  }

  /** The absolute path of a relative one; refuses absolute paths and escapes with `..`. */
  resolve(relative: string): string {
    if (path.isAbsolute(relative)) throw new ValidationError(`"${relative}" is absolute: paths are relative to the workspace`);
    const absolute = path.resolve(this.root, relative);
    if (absolute !== this.root && !absolute.startsWith(this.root + path.sep)) {
      throw new ValidationError(`"${relative}" leaves the workspace`);
    }
    return absolute;
  }

  async write(relative: string, content: string): Promise<void> {
    const target = this.resolve(relative);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }

  read(relative: string): Promise<string> {
    return readFile(this.resolve(relative), 'utf8');
  }

  /** Every file under `relative`, as workspace-relative paths, sorted. */
  async list(relative = '.'): Promise<string[]> {
    const start = this.resolve(relative);
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.isFile()) out.push(path.relative(this.root, full));
      }
    };
    await walk(start);
    return out.sort();
  }

  async snapshot(): Promise<WorkspaceFile[]> {
    const files = await this.list();
    return Promise.all(files.map(async (p) => ({ path: p, content: await this.read(p) })));
  }

  async restore(files: readonly WorkspaceFile[]): Promise<void> {
    for (const file of files) await this.write(file.path, file.content);
  }

  dispose(): Promise<void> {
    return rm(this.root, { recursive: true, force: true });
  }
}

/** A snapshot as bytes for the artifact store, and back. */
export function encodeSnapshot(files: readonly WorkspaceFile[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ files: [...files].sort((a, b) => a.path.localeCompare(b.path)) }));
}

export function decodeSnapshot(bytes: Uint8Array): WorkspaceFile[] {
  const parsed = JSON.parse(new TextDecoder().decode(bytes)) as { files?: WorkspaceFile[] };
  if (!Array.isArray(parsed.files)) throw new ValidationError('artifact is not a workspace snapshot');
  return parsed.files;
}
