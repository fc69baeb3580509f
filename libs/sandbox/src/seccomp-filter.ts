import { endianness } from 'node:os';

/**
 * The seccomp filter bwrap installs before the command starts, as the classic BPF program the
 * kernel takes (what `seccomp_export_bpf` writes): it refuses the system calls that take disk
 * without writing it, or would do what is refused out of the filter's sight, and allows every other call.
 *
 * fallocate reserves blocks at once, past RLIMIT_FSIZE when it keeps the size
 * (FALLOC_FL_KEEP_SIZE), and below it in as many files as the command likes, faster than the
 * workspace guard can measure. Refused with EOPNOTSUPP, glibc's posix_fallocate falls back to
 * writing the blocks, which the file-size limit and the guard see.
 *
 * io_uring runs operations (fallocate among them) in the kernel without a system call per
 * operation, so seccomp never sees them. Refused with ENOSYS, as on a kernel without it, libuv
 * and the rest fall back to plain calls.
 */

const EOPNOTSUPP = 95;
const ENOSYS = 38;

/** A refused call: its number on one architecture, and the errno it fails with. */
interface RefusedCall {
  nr: number;
  errno: number;
}

const FALLOCATE = { x86_64: 285, i386: 324, aarch64: 47 };
/** io_uring_setup, io_uring_enter and io_uring_register: the same numbers on every architecture. */
const IO_URING = [425, 426, 427];
/** The x32 ABI runs on x86_64 with its call numbers carrying bit 30. */
const X32 = 0x40000000;

const refusedOn = (fallocate: number, bias = 0): RefusedCall[] => [
  { nr: bias | fallocate, errno: EOPNOTSUPP },
  ...IO_URING.map((nr) => ({ nr: bias | nr, errno: ENOSYS })),
];

/** The refused calls by the architecture seccomp reports (the AUDIT_ARCH_* values). */
const REFUSED_CALLS: readonly { arch: number; calls: readonly RefusedCall[] }[] = [
  { arch: 0xc000003e, calls: [...refusedOn(FALLOCATE.x86_64), ...refusedOn(FALLOCATE.x86_64, X32)] },
  // i386, which a 64-bit x86 kernel runs too.
  { arch: 0x40000003, calls: refusedOn(FALLOCATE.i386) },
  { arch: 0xc00000b7, calls: refusedOn(FALLOCATE.aarch64) },
];

const RET_ALLOW = 0x7fff0000;
const RET_ERRNO = 0x00050000;

// struct seccomp_data: the call number at offset 0, the architecture at offset 4.
const NR_OFFSET = 0;
const ARCH_OFFSET = 4;

const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const RET_K = 0x06;

export interface Instruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/**
 * For each architecture: load it, skip the group unless it matches, load the call number, and
 * for each refused call return its errno when the number matches; else allow.
 */
export function seccompProgram(refused = REFUSED_CALLS): Instruction[] {
  const program: Instruction[] = [];
  for (const { arch, calls } of refused) {
    const groupLength = 3 + 2 * calls.length + 1;
    program.push({ code: LD_W_ABS, jt: 0, jf: 0, k: ARCH_OFFSET });
    program.push({ code: JEQ_K, jt: 0, jf: groupLength - 2, k: arch });
    program.push({ code: LD_W_ABS, jt: 0, jf: 0, k: NR_OFFSET });
    for (const { nr, errno } of calls) {
      program.push({ code: JEQ_K, jt: 0, jf: 1, k: nr });
      program.push({ code: RET_K, jt: 0, jf: 0, k: RET_ERRNO | errno });
    }
    program.push({ code: RET_K, jt: 0, jf: 0, k: RET_ALLOW });
  }
  program.push({ code: RET_K, jt: 0, jf: 0, k: RET_ALLOW });
  return program;
}

/** The program as the bytes of `struct sock_filter[]` in the host's byte order (u16 code, u8 jt, u8 jf, u32 k). */
export function seccompBytes(program: readonly Instruction[] = seccompProgram()): Buffer {
  const bytes = Buffer.alloc(program.length * 8);
  const littleEndian = endianness() === 'LE';
  program.forEach(({ code, jt, jf, k }, i) => {
    if (littleEndian) bytes.writeUInt16LE(code, i * 8);
    else bytes.writeUInt16BE(code, i * 8);
    bytes.writeUInt8(jt, i * 8 + 2);
    bytes.writeUInt8(jf, i * 8 + 3);
    if (littleEndian) bytes.writeUInt32LE(k >>> 0, i * 8 + 4);
    else bytes.writeUInt32BE(k >>> 0, i * 8 + 4);
  });
  return bytes;
}

/** Built once: the filter does not change while the service runs. */
export const SANDBOX_SECCOMP = seccompBytes();
