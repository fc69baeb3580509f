import { ValidationError } from '@loopwright/core';
import { IrregularEntry, MAX_DELIVERED_FILE_BYTES, MAX_DELIVERED_TOTAL_BYTES, WorkspaceFile } from '@loopwright/sandbox';

/**
 * A workspace as a tar archive (POSIX ustar), the way files cross into a Managed Agents session and
 * back: written here for the upload, read from what the session delivers (GNU long names and pax
 * paths included). Only regular files are taken; links, devices and paths that climb out are
 * reported as irregular entries and never restored.
 */

const BLOCK = 512;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function packWorkspace(files: readonly WorkspaceFile[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const body = encoder.encode(file.content);
    parts.push(header(file.path, body.length), body, new Uint8Array(padding(body.length)));
  }
  parts.push(new Uint8Array(BLOCK * 2));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export interface UnpackedWorkspace {
  files: WorkspaceFile[];
  irregular: IrregularEntry[];
}

/**
 * The files of a delivered archive, as a snapshot carries them: each under `maxFileBytes`, and in
 * archive order until their sizes reach `maxTotalBytes`; the rest are reported as oversized.
 */
export function unpackWorkspace(archive: Uint8Array, maxFileBytes = MAX_DELIVERED_FILE_BYTES, maxTotalBytes = MAX_DELIVERED_TOTAL_BYTES): UnpackedWorkspace {
  const files: WorkspaceFile[] = [];
  let budgetLeft = maxTotalBytes;
  const irregular: IrregularEntry[] = [];
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  let offset = 0;
  while (offset + BLOCK <= archive.length) {
    const block = archive.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) return { files, irregular };
    verifyChecksum(block, offset);
    const size = pax['size'] !== undefined ? Number(pax['size']) : numberField(block, 124, 12);
    const type = String.fromCharCode(block[156] || 48);
    const dataStart = offset + BLOCK;
    if (!Number.isSafeInteger(size) || size < 0 || dataStart + size > archive.length) {
      throw new ValidationError(`the workspace archive is cut off: the entry at byte ${offset} claims ${size} bytes`);
    }
    const data = archive.subarray(dataStart, dataStart + size);
    offset = dataStart + size + padding(size);
    switch (type) {
      case 'L':
        longName = cString(data);
        continue;
      case 'K':
        longLink = cString(data);
        continue;
      case 'x':
        pax = paxRecords(data);
        continue;
      case 'g':
        continue;
      default:
        break;
    }
    const prefix = magic(block) ? cString(block.subarray(345, 500)) : '';
    const rawName = pax['path'] ?? longName ?? (prefix ? `${prefix}/${cString(block.subarray(0, 100))}` : cString(block.subarray(0, 100)));
    const target = pax['linkpath'] ?? longLink ?? cString(block.subarray(157, 257));
    longName = longLink = undefined;
    pax = {};
    const path = normalize(rawName);
    if (path === '' || type === '5') continue;
    if (path.startsWith('/') || path.split('/').includes('..')) {
      irregular.push({ path, kind: 'other' });
      continue;
    }
    const kind = entryKind(type);
    if (kind !== 'file') irregular.push({ path, kind, ...(kind === 'symlink' || kind === 'hardlink' ? { target } : {}) });
    else if (size > maxFileBytes || size > budgetLeft) irregular.push({ path, kind: 'oversized', bytes: size });
    else {
      files.push({ path, content: decoder.decode(data) });
      budgetLeft -= size;
    }
  }
  throw new ValidationError('the workspace archive ends without its closing blocks: it is truncated or not a tar archive');
}

function entryKind(type: string): 'file' | IrregularEntry['kind'] {
  switch (type) {
    case '0':
    case '7':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '3':
    case '4':
      return 'device';
    case '6':
      return 'fifo';
    default:
      return 'other';
  }
}

function header(path: string, size: number): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const { name, prefix } = splitName(path);
  block.set(encoder.encode(name), 0);
  writeOctal(block, 100, 8, 0o644);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, 0);
  block[156] = '0'.charCodeAt(0);
  block.set(encoder.encode('ustar\u000000'), 257);
  block.set(encoder.encode(prefix), 345);
  block.fill(32, 148, 156);
  const sum = block.reduce((n, b) => n + b, 0);
  block.set(encoder.encode(`${sum.toString(8).padStart(6, '0')}\u0000 `), 148);
  return block;
}

/** A path of up to 255 bytes split into ustar's prefix and name at a slash. */
function splitName(path: string): { name: string; prefix: string } {
  if (encoder.encode(path).length <= 100) return { name: path, prefix: '' };
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (encoder.encode(prefix).length <= 155 && encoder.encode(name).length <= 100) return { name, prefix };
  }
  throw new ValidationError(`the path ${path} is too long for the workspace archive (ustar keeps 255 bytes, split at a slash)`);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  block.set(encoder.encode(`${value.toString(8).padStart(length - 1, '0')}\u0000`), offset);
}

function numberField(block: Uint8Array, offset: number, length: number): number {
  const field = block.subarray(offset, offset + length);
  if (field[0] & 0x80) {
    // GNU base-256: big-endian, the high bit of the first byte marks it.
    let value = field[0] & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const text = cString(field).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function verifyChecksum(block: Uint8Array, offset: number): void {
  const stored = numberField(block, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i];
  if (stored !== sum) throw new ValidationError(`the workspace archive is not a tar archive: the header at byte ${offset} fails its checksum`);
}

function magic(block: Uint8Array): boolean {
  return decoder.decode(block.subarray(257, 262)) === 'ustar';
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return decoder.decode(end === -1 ? bytes : bytes.subarray(0, end));
}

function paxRecords(data: Uint8Array): Record<string, string> {
  const records: Record<string, string> = {};
  for (const line of decoder.decode(data).split('\n')) {
    const match = /^\d+ ([^=]+)=(.*)$/s.exec(line);
    if (match) records[match[1]] = match[2];
  }
  return records;
}

function normalize(name: string): string {
  let path = name.replace(/\/+$/, '');
  while (path.startsWith('./')) path = path.slice(2);
  return path === '.' ? '' : path;
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}
