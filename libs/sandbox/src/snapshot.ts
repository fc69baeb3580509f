import { ValidationError } from '@loopwright/core';
import { IRREGULAR_KINDS, IrregularEntry } from './workspace-entries';
import type { WorkspaceFile } from './workspace';

/** A snapshot as bytes for the artifact store: the regular files, and what else was there (never restored). */
export function encodeSnapshot(files: readonly WorkspaceFile[], irregular: readonly IrregularEntry[] = []): Uint8Array {
  const byPath = <T extends { path: string }>(entries: readonly T[]) => [...entries].sort((a, b) => a.path.localeCompare(b.path));
  return new TextEncoder().encode(JSON.stringify({ files: byPath(files), irregular: byPath(irregular) }));
}

/** The files and irregular entries of a snapshot; a snapshot from before irregular entries were kept has none. */
export function decodeSnapshotWithIrregular(bytes: Uint8Array): { files: WorkspaceFile[]; irregular: IrregularEntry[] } {
  let parsed: { files?: unknown; irregular?: unknown };
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ValidationError('artifact is not a workspace snapshot (not JSON)', [], { cause: error });
  }
  const files = parsed?.files;
  const irregular = parsed?.irregular ?? [];
  if (!Array.isArray(files) || !files.every(isWorkspaceFile)) {
    throw new ValidationError('artifact is not a workspace snapshot: "files" must be a list of { path, content } strings');
  }
  if (!Array.isArray(irregular) || !irregular.every(isIrregularEntry)) {
    throw new ValidationError(`artifact is not a workspace snapshot: "irregular" must be a list of { path, kind (${IRREGULAR_KINDS.join(', ')}), target?, bytes? }`);
  }
  return { files, irregular };
}

export function decodeSnapshot(bytes: Uint8Array): WorkspaceFile[] {
  return decodeSnapshotWithIrregular(bytes).files;
}

function isWorkspaceFile(value: unknown): value is WorkspaceFile {
  const file = value as WorkspaceFile;
  return typeof file?.path === 'string' && typeof file.content === 'string';
}

function isIrregularEntry(value: unknown): value is IrregularEntry {
  const entry = value as IrregularEntry;
  return (
    typeof entry?.path === 'string' &&
    IRREGULAR_KINDS.includes(entry.kind) &&
    (entry.target === undefined || typeof entry.target === 'string') &&
    (entry.bytes === undefined || Number.isInteger(entry.bytes)) &&
    Object.keys(entry).every((k) => k === 'path' || k === 'kind' || k === 'target' || k === 'bytes')
  );
}
