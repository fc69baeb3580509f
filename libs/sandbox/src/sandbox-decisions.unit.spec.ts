import { ValidationError } from '@loopwright/core';
import { CappedOutput } from './capped-output';
import { memoryHierarchy } from './memory-cgroup';
import { relativeSegments } from './safe-path';
import { DEFAULT_SANDBOX_LIMITS, resolveLimits } from './sandbox-limits';
import { withinDeliveryBudget } from './workspace-entries';
import { seccompBytes, seccompProgram } from './seccomp-filter';
import { usageProblem } from './workspace-usage';

describe('workspace-relative paths', () => {
  it('splits a path into its segments, dropping `.` and empty ones', () => {
    expect(relativeSegments('src/./a//b.js')).toEqual(['src', 'a', 'b.js']);
    expect(relativeSegments('.')).toEqual([]);
    expect(relativeSegments('')).toEqual([]);
  });

  it.each(['../x', 'src/../../x', 'src/../a.js', 'a/..'])('refuses `..` in %s, even where it would stay inside', (p) => {
    expect(() => relativeSegments(p)).toThrow(/contains "\.\."/);
  });

  it('refuses absolute paths and NUL bytes, saying what to name instead', () => {
    expect(() => relativeSegments('/etc/passwd')).toThrow(ValidationError);
    expect(() => relativeSegments('/etc/passwd')).toThrow(/absolute: paths are relative to the workspace/);
    expect(() => relativeSegments('src/a\0.js')).toThrow(/NUL byte/);
  });
});

describe('capped output', () => {
  it('keeps everything under the cap, untouched', () => {
    const output = new CappedOutput(10);
    output.append(Buffer.from('abc'));
    output.append(Buffer.from('def'));
    expect(output.truncated).toBe(false);
    expect(output.text()).toBe('abcdef');
  });

  it('keeps the first bytes up to the cap and says how many were dropped', () => {
    const output = new CappedOutput(4);
    output.append(Buffer.from('abc'));
    output.append(Buffer.from('defgh'));
    output.append(Buffer.from('ij'));
    expect(output.truncated).toBe(true);
    expect(output.text()).toBe('abcd\n[output capped at 4 bytes; 6 more bytes were dropped]');
  });
});

describe('sandbox limits', () => {
  it('fills what is not overridden from the defaults', () => {
    expect(resolveLimits({ wallTimeMs: 500 })).toEqual({ ...DEFAULT_SANDBOX_LIMITS, wallTimeMs: 500 });
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %p as a limit', (value) => {
    expect(() => resolveLimits({ processes: value })).toThrow(/processes must be a positive integer/);
  });
});

describe('the delivery budget', () => {
  it('carries files in path order while they fit, and reports each one past the budget with its size', () => {
    const files = [{ path: 'a', bytes: 4 }, { path: 'b', bytes: 5 }, { path: 'c', bytes: 1 }];
    expect(withinDeliveryBudget(files, 6)).toEqual({ delivered: ['a', 'c'], over: [{ path: 'b', kind: 'oversized', bytes: 5 }] });
    expect(withinDeliveryBudget(files, 10)).toEqual({ delivered: ['a', 'b', 'c'], over: [] });
  });
});

describe('the workspace limits', () => {
  const limits = { workspaceBytes: 100, workspaceEntries: 3 };
  it('names the limit passed, and nothing at the limit', () => {
    expect(usageProblem({ bytes: 100, entries: 3 }, limits)).toBeUndefined();
    expect(usageProblem({ bytes: 101, entries: 1 }, limits)).toBe('the workspace passed its limit of 100 bytes on disk');
    expect(usageProblem({ bytes: 0, entries: 4 }, limits)).toBe('the workspace passed its limit of 3 entries');
  });

  it('holds a workspace already over its limits where it stood when the command started', () => {
    const atStart = { bytes: 500, entries: 10 };
    expect(usageProblem({ bytes: 400, entries: 2 }, limits, atStart)).toBeUndefined();
    expect(usageProblem({ bytes: 500, entries: 10 }, limits, atStart)).toBeUndefined();
    expect(usageProblem({ bytes: 501, entries: 10 }, limits, atStart)).toMatch(/100 bytes/);
    expect(usageProblem({ bytes: 0, entries: 11 }, limits, atStart)).toMatch(/3 entries/);
  });
});

describe('the seccomp filter', () => {
  /** Runs the classic BPF program over one call, as the kernel would: what it returns. */
  const verdict = (arch: number, nr: number): number => {
    const program = seccompProgram();
    let accumulator = 0;
    for (let pc = 0; pc < program.length; pc++) {
      const { code, jt, jf, k } = program[pc];
      if (code === 0x20) accumulator = k === 0 ? nr : k === 4 ? arch : NaN;
      else if (code === 0x15) pc += accumulator === k ? jt : jf;
      else if (code === 0x06) return k;
      else throw new Error(`unexpected instruction ${code}`);
    }
    throw new Error('ran off the end of the program');
  };
  const allowed = 0x7fff0000;
  const refused = 0x00050000 | 95;
  const absent = 0x00050000 | 38;

  it.each([
    ['x86_64', 0xc000003e, 285],
    ['x32', 0xc000003e, 0x40000000 | 285],
    ['i386', 0x40000003, 324],
    ['aarch64', 0xc00000b7, 47],
  ])('refuses fallocate on %s with EOPNOTSUPP', (_name, arch, nr) => {
    expect(verdict(arch, nr)).toBe(refused);
  });

  it.each([
    ['x86_64', 0xc000003e, 0],
    ['x32', 0xc000003e, 0x40000000],
    ['i386', 0x40000003, 0],
    ['aarch64', 0xc00000b7, 0],
  ])('answers io_uring on %s with ENOSYS, as a kernel without it would', (_name, arch, bias) => {
    for (const nr of [425, 426, 427]) expect(verdict(arch, bias | nr)).toBe(absent);
  });

  it('allows every other call, and fallocate numbers of another architecture', () => {
    for (const nr of [0, 1, 47, 59, 284, 286, 324, 424, 428]) expect(verdict(0xc000003e, nr)).toBe(allowed);
    expect(verdict(0x40000003, 285)).toBe(allowed);
    expect(verdict(0xc00000b7, 285)).toBe(allowed);
    expect(verdict(0x12345678, 285)).toBe(allowed);
  });

  it('is encoded as 8-byte sock_filter entries', () => {
    expect(seccompBytes().length).toBe(seccompProgram().length * 8);
  });
});

describe('the memory cgroup of the service', () => {
  it('is the v1 memory hierarchy when there is one, whatever other controllers share its line', () => {
    const v1 = '9:name=systemd:/\n4:memory:/process_api/abc\n1:cpu,cpuacct:/x\n0::/\n';
    expect(memoryHierarchy(v1)).toEqual({ relative: 'memory/process_api/abc', version: 1 });
    expect(memoryHierarchy('5:cpuacct,memory:/a:b\n')).toEqual({ relative: 'memory/a:b', version: 1 });
  });

  it('is the unified hierarchy on a v2-only host, and none when /proc/self/cgroup says nothing', () => {
    expect(memoryHierarchy('0::/system.slice/loopwright.service\n')).toEqual({ relative: '/system.slice/loopwright.service', version: 2 });
    expect(memoryHierarchy('')).toBeUndefined();
  });
});
