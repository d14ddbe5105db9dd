/**
 * The sandbox's seccomp filter, generated here as a classic BPF program (no libseccomp needed on
 * the machine). bwrap loads it with `--seccomp FD` just before it execs se-init, so everything in
 * the sandbox runs under it. A denylist (default allow) as SANDBOX.md specifies:
 *
 *   kill the process (the run reports SIGSYS, status 19): debugging and cross-process access,
 *     mounts and namespaces, bpf/perf/userfaultfd, keyrings, io_uring, kexec and modules,
 *     reboot/swap/syslog/acct/quota, open_by_handle_at, personality, clock setters, iopl/ioperm,
 *     socket(AF_VSOCK);
 *   EPERM: clone with a namespace flag, ioctl(TIOCSTI), prlimit64 on another process (the
 *     box's PID-1 helper runs with the program's uid: its rlimits stay out of the program's reach);
 *   ENOSYS: clone3 (its flags live in memory a filter cannot read; glibc falls back to clone).
 *
 * Only the native architecture is allowed: any other ABI (i386 `int 0x80`, x32) is killed.
 * `native/se-seccomp-gen.c` writes the same policy with libseccomp; a test runs both programs
 * through a BPF interpreter and compares every decision.
 */

/** Calls that kill the process, by name (a name absent on an architecture is skipped). */
export const KILLED_CALLS = [
  'ptrace',
  'process_vm_readv',
  'process_vm_writev',
  'kcmp',
  // mounts, the new mount API, root changes, namespaces
  'mount',
  'umount',
  'umount2',
  'fsopen',
  'fsconfig',
  'fsmount',
  'fspick',
  'move_mount',
  'open_tree',
  'mount_setattr',
  'pivot_root',
  'chroot',
  'unshare',
  'setns',
  // kernel attack surface
  'bpf',
  'perf_event_open',
  'userfaultfd',
  'keyctl',
  'add_key',
  'request_key',
  'io_uring_setup',
  'io_uring_enter',
  'io_uring_register',
  'kexec_load',
  'kexec_file_load',
  'init_module',
  'finit_module',
  'delete_module',
  'create_module',
  'reboot',
  'swapon',
  'swapoff',
  'syslog',
  'acct',
  'quotactl',
  'quotactl_fd',
  'open_by_handle_at',
  'name_to_handle_at',
  'personality',
  'lookup_dcookie',
  'nfsservctl',
  'uselib',
  'vhangup',
  // clocks
  'settimeofday',
  'stime',
  'clock_settime',
  'clock_adjtime',
  'adjtimex',
  // raw port I/O
  'iopl',
  'ioperm',
] as const;

type CallName =
  (typeof KILLED_CALLS)[number] | 'clone' | 'clone3' | 'ioctl' | 'socket' | 'prlimit64';

interface ArchTable {
  /** AUDIT_ARCH_* value in seccomp_data.arch */
  audit: number;
  /** syscall numbers of this ABI; absent names do not exist there */
  calls: Partial<Record<CallName, number>>;
  /** numbers at or above this belong to another ABI sharing the audit value (x32) */
  foreignFrom?: number;
}

/**
 * Calls added since Linux 5.1 have one number on every architecture (the unified syscall table),
 * so both tables share them.
 */
const UNIFIED_CALLS: Partial<Record<CallName, number>> = {
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  move_mount: 429,
  open_tree: 428,
  mount_setattr: 442,
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
  quotactl_fd: 443,
  clone3: 435,
};

/** From the kernel's syscall tables (asm/unistd_64.h; asm-generic/unistd.h for arm64). */
const ARCHES: Record<string, ArchTable> = {
  x64: {
    audit: 0xc000003e,
    foreignFrom: 0x40000000,
    calls: {
      ...UNIFIED_CALLS,
      ptrace: 101,
      process_vm_readv: 310,
      process_vm_writev: 311,
      kcmp: 312,
      mount: 165,
      umount2: 166,
      pivot_root: 155,
      chroot: 161,
      unshare: 272,
      setns: 308,
      bpf: 321,
      perf_event_open: 298,
      userfaultfd: 323,
      keyctl: 250,
      add_key: 248,
      request_key: 249,
      kexec_load: 246,
      kexec_file_load: 320,
      init_module: 175,
      finit_module: 313,
      delete_module: 176,
      create_module: 174,
      reboot: 169,
      swapon: 167,
      swapoff: 168,
      syslog: 103,
      acct: 163,
      quotactl: 179,
      open_by_handle_at: 304,
      name_to_handle_at: 303,
      personality: 135,
      lookup_dcookie: 212,
      nfsservctl: 180,
      uselib: 134,
      vhangup: 153,
      settimeofday: 164,
      clock_settime: 227,
      clock_adjtime: 305,
      adjtimex: 159,
      iopl: 172,
      ioperm: 173,
      clone: 56,
      ioctl: 16,
      socket: 41,
      prlimit64: 302,
    },
  },
  arm64: {
    audit: 0xc00000b7,
    calls: {
      ...UNIFIED_CALLS,
      ptrace: 117,
      process_vm_readv: 270,
      process_vm_writev: 271,
      kcmp: 272,
      mount: 40,
      umount2: 39,
      pivot_root: 41,
      chroot: 51,
      unshare: 97,
      setns: 268,
      bpf: 280,
      perf_event_open: 241,
      userfaultfd: 282,
      keyctl: 219,
      add_key: 217,
      request_key: 218,
      kexec_load: 104,
      kexec_file_load: 294,
      init_module: 105,
      finit_module: 273,
      delete_module: 106,
      reboot: 142,
      swapon: 224,
      swapoff: 225,
      syslog: 116,
      acct: 89,
      quotactl: 60,
      open_by_handle_at: 265,
      name_to_handle_at: 264,
      personality: 92,
      lookup_dcookie: 18,
      nfsservctl: 42,
      vhangup: 58,
      settimeofday: 170,
      clock_settime: 112,
      clock_adjtime: 266,
      adjtimex: 171,
      clone: 220,
      ioctl: 29,
      socket: 198,
      prlimit64: 261,
    },
  },
};

// linux/filter.h and linux/seccomp.h
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const JSET_K = 0x45;
const RET_K = 0x06;
export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
const EPERM = 1;
const ENOSYS = 38;
const AF_VSOCK = 40;
const TIOCSTI = 0x5412;
/** CLONE_NEWNS | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWCGROUP */
export const CLONE_NAMESPACE_FLAGS =
  0x00020000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x02000000;
// offsets in struct seccomp_data (little-endian: an argument's low 32 bits come first)
const OFF_NR = 0;
const OFF_ARCH = 4;
const argLow = (i: number) => 16 + 8 * i;
const argHigh = (i: number) => 20 + 8 * i;

/** The architectures the filter can be generated for (Node's `process.arch` names). */
export const SECCOMP_ARCHES = Object.keys(ARCHES);

type Target = 'allow' | 'kill' | 'eperm' | 'enosys' | 'clone' | 'ioctl' | 'socket' | 'prlimit';
type Insn =
  | { code: number; k: number; jt?: Target; jf?: Target; label?: Target }
  | { code: number; k: number; label?: Target; jt?: undefined; jf?: undefined };

/**
 * The filter as bytes of `struct sock_filter[]` for `arch` (default: this process's), or an
 * error naming the architecture when there is no table for it.
 */
export function seccompFilter(arch: string = process.arch): Buffer {
  const table = ARCHES[arch];
  if (!table)
    throw new Error(
      `no seccomp filter for the ${arch} architecture (supported: ${SECCOMP_ARCHES.join(', ')})`,
    );
  const c = table.calls;
  const must = (name: CallName): number => {
    const nr = c[name];
    if (nr === undefined) throw new Error(`the ${arch} table has no ${name}`);
    return nr;
  };
  const prog: Insn[] = [
    { code: LD_W_ABS, k: OFF_ARCH },
    { code: JEQ_K, k: table.audit, jf: 'kill' },
    { code: LD_W_ABS, k: OFF_NR },
  ];
  // nr -1 is "no call" (the kernel answers ENOSYS); libseccomp lets it by, so does this filter
  if (table.foreignFrom !== undefined)
    prog.push(
      { code: JEQ_K, k: 0xffffffff, jt: 'allow' },
      { code: JGE_K, k: table.foreignFrom, jt: 'kill' },
    );
  for (const name of KILLED_CALLS) {
    const nr = c[name];
    if (nr !== undefined) prog.push({ code: JEQ_K, k: nr, jt: 'kill' });
  }
  prog.push(
    { code: JEQ_K, k: must('clone'), jt: 'clone' },
    { code: JEQ_K, k: must('clone3'), jt: 'enosys' },
    { code: JEQ_K, k: must('ioctl'), jt: 'ioctl' },
    { code: JEQ_K, k: must('socket'), jt: 'socket' },
    { code: JEQ_K, k: must('prlimit64'), jt: 'prlimit' },
    { code: RET_K, k: SECCOMP_RET_ALLOW },
    // all namespace flags sit in the low 32 bits of clone's first argument
    { code: LD_W_ABS, k: argLow(0), label: 'clone' },
    { code: JSET_K, k: CLONE_NAMESPACE_FLAGS, jt: 'eperm', jf: 'allow' },
    // the kernel reads ioctl's request as 32 bits: compare only those
    { code: LD_W_ABS, k: argLow(1), label: 'ioctl' },
    { code: JEQ_K, k: TIOCSTI, jt: 'eperm', jf: 'allow' },
    { code: LD_W_ABS, k: argLow(0), label: 'socket' },
    { code: JEQ_K, k: AF_VSOCK, jt: 'kill', jf: 'allow' },
    // prlimit64(pid, ...): only pid 0 (the caller itself), all 64 bits, as libseccomp compares
    { code: LD_W_ABS, k: argHigh(0), label: 'prlimit' },
    { code: JEQ_K, k: 0, jf: 'eperm' },
    { code: LD_W_ABS, k: argLow(0) },
    { code: JEQ_K, k: 0, jt: 'allow', jf: 'eperm' },
    { code: RET_K, k: SECCOMP_RET_ALLOW, label: 'allow' },
    { code: RET_K, k: SECCOMP_RET_ERRNO | EPERM, label: 'eperm' },
    { code: RET_K, k: SECCOMP_RET_ERRNO | ENOSYS, label: 'enosys' },
    { code: RET_K, k: SECCOMP_RET_KILL_PROCESS, label: 'kill' },
  );
  const at = new Map<Target, number>();
  prog.forEach((insn, i) => {
    if (insn.label) at.set(insn.label, i);
  });
  const out = Buffer.alloc(prog.length * 8);
  prog.forEach((insn, i) => {
    const jump = (t: Target | undefined): number => {
      if (t === undefined) return 0;
      const offset = (at.get(t) ?? -1) - i - 1;
      if (offset < 0 || offset > 255) throw new Error(`seccomp: jump to ${t} out of range`);
      return offset;
    };
    out.writeUInt16LE(insn.code, i * 8);
    out.writeUInt8(jump(insn.jt), i * 8 + 2);
    out.writeUInt8(jump(insn.jf), i * 8 + 3);
    out.writeUInt32LE(insn.k >>> 0, i * 8 + 4);
  });
  return out;
}
