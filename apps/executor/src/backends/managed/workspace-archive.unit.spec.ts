import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packWorkspace, unpackWorkspace } from './workspace-archive';

/** The archive format is checked against GNU tar itself, both ways. */
describe('workspace archive', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'archive-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const deep = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(60)}.js`;

  it('writes an archive GNU tar extracts, long paths and unicode included', () => {
    const files = [
      { path: 'src/sum.js', content: 'module.exports = { sum: (a, b) => a + b };\n' },
      { path: 'README.md', content: 'héllo — ünïcode\n' },
      { path: deep, content: 'x'.repeat(1_000) },
      { path: 'empty.txt', content: '' },
    ];
    writeFileSync(path.join(dir, 'w.tar'), packWorkspace(files));
    mkdirSync(path.join(dir, 'out'));
    execFileSync('tar', ['-xf', path.join(dir, 'w.tar'), '-C', path.join(dir, 'out')]);
    for (const file of files) expect(readFileSync(path.join(dir, 'out', file.path), 'utf8')).toBe(file.content);
  });

  it('reads what GNU tar writes from a workspace: ./ prefixes, directories, long names, links reported and not followed', () => {
    const ws = path.join(dir, 'ws');
    mkdirSync(path.join(ws, 'src'), { recursive: true });
    mkdirSync(path.join(ws, path.dirname(deep)), { recursive: true });
    writeFileSync(path.join(ws, 'src', 'sum.js'), 'module.exports = 1;\n');
    writeFileSync(path.join(ws, deep), 'deep');
    symlinkSync('/etc/passwd', path.join(ws, 'src', 'escape'));
    for (const format of ['gnu', 'pax', 'ustar']) {
      const archive = execFileSync('tar', ['-cf', '-', `--format=${format}`, '-C', ws, '.']);
      const { files, irregular } = unpackWorkspace(new Uint8Array(archive));
      expect(files.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
        { path: deep, content: 'deep' },
        { path: 'src/sum.js', content: 'module.exports = 1;\n' },
      ]);
      expect(irregular).toEqual([{ path: 'src/escape', kind: 'symlink', target: '/etc/passwd' }]);
    }
  });

  it('never takes a path that climbs out, and reports files over the size limit instead of carrying them', () => {
    const ws = path.join(dir, 'ws');
    mkdirSync(ws);
    writeFileSync(path.join(ws, 'big.bin'), 'z'.repeat(2_000));
    writeFileSync(path.join(dir, 'outside.txt'), 'outside');
    const archive = execFileSync('tar', ['-cPf', '-', '-C', ws, 'big.bin', '-C', dir, '../' + path.basename(dir) + '/outside.txt', path.join(dir, 'outside.txt')]);
    const { files, irregular } = unpackWorkspace(new Uint8Array(archive), 1_000);
    expect(files).toEqual([]);
    expect(irregular).toEqual([
      { path: 'big.bin', kind: 'oversized', bytes: 2_000 },
      { path: `../${path.basename(dir)}/outside.txt`, kind: 'other' },
      { path: path.join(dir, 'outside.txt'), kind: 'other' },
    ]);
  });

  it('carries files in archive order until their sizes reach the total budget, and reports the rest as oversized', () => {
    const files = Array.from({ length: 6 }, (_, i) => ({ path: `f${i}.txt`, content: String(i).repeat(400) }));
    const { files: carried, irregular } = unpackWorkspace(packWorkspace(files), 1_000, 1_000);
    expect(carried.map((f) => f.path)).toEqual(['f0.txt', 'f1.txt']);
    expect(irregular).toEqual(['f2.txt', 'f3.txt', 'f4.txt', 'f5.txt'].map((path) => ({ path, kind: 'oversized', bytes: 400 })));
  });

  it('refuses bytes that are not a tar archive, and an archive cut short, saying which', () => {
    expect(() => unpackWorkspace(new TextEncoder().encode('{"not": "a tar"}'.padEnd(1_024, ' ')))).toThrow(/fails its checksum/);
    const whole = packWorkspace([{ path: 'a.txt', content: 'a'.repeat(2_000) }]);
    expect(() => unpackWorkspace(whole.subarray(0, 1_024))).toThrow(/cut off/);
    expect(() => unpackWorkspace(whole.subarray(0, whole.length - 1_024))).toThrow(/truncated/);
  });
});
