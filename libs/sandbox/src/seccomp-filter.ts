import { endianness } from 'node:os';

/**
 * The seccomp filter bwrap installs before the command starts, as the classic BPF program the
 * kernel takes (what `seccomp_export_bpf` writes): it refuses the system calls that take disk
 * without writing it, and allows every other call.
 *
 * fallocate is the one: it reserves blocks at once, past RLIMIT_FSIZE when it keeps the size
 * (FALLOC_FL_KEEP_SIZE), and below it in as many files as the command likes, faster than the
 * workspace guard can measure. Refused with EOPNOTSUPP, glibc's posix_fallocate falls back to
 * writing the blocks, which the file-size limit and the guard see.
 */

/** The call numbers of fallocate by the architecture seccomp reports (the AUDIT_ARCH_* values). */
const REFUSED_CALLS: readonly { arch: number; numbers: readonly number[] }[] = [
  // x86_64, and the same call through the x32 ABI (its numbers carry bit 30).
  { arch: 0xc000003e, numbers: [285, 0x40000000 | 285] },
  // i386, which a 64-bit x86 kernel runs too.
  { arch: 0x40000003, numbers: [324] },
  // aarch64.
  { arch: 0xc00000b7, numbers: [47] },
];

const EOPNOTSUPP = 95;
const RET_ALLOW = 0x7fff0000;
const RET_ERRNO = 0x00050000;

// struct seccomp_data: the call number at offset 0, the architecture at offset 4.
const NR_OFFSET = 0;
const ARCH_OFFSET = 4;

const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const RET_K = 0x06;

interface Instruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/**
 * For each architecture: load it, skip the group unless it matches, load the call number, jump
 * to the refusal on each refused number, else allow. The refusal is the last instruction.
 */
export function seccompProgram(refused = REFUSED_CALLS): Instruction[] {
  const groupLength = (n: number) => 4 + n;
  const refusalAt = refused.reduce((at, group) => at + groupLength(group.numbers.length), 0) + 1;
  const program: Instruction[] = [];
  for (const { arch, numbers } of refused) {
    program.push({ code: LD_W_ABS, jt: 0, jf: 0, k: ARCH_OFFSET });
    program.push({ code: JEQ_K, jt: 0, jf: groupLength(numbers.length) - 2, k: arch });
    program.push({ code: LD_W_ABS, jt: 0, jf: 0, k: NR_OFFSET });
    for (const nr of numbers) program.push({ code: JEQ_K, jt: refusalAt - program.length - 1, jf: 0, k: nr });
    program.push({ code: RET_K, jt: 0, jf: 0, k: RET_ALLOW });
  }
  program.push({ code: RET_K, jt: 0, jf: 0, k: RET_ALLOW });
  program.push({ code: RET_K, jt: 0, jf: 0, k: RET_ERRNO | EOPNOTSUPP });
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
