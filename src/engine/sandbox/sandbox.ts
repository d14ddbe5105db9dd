/**
 * Runs one stage (a compile or a run) in the sandbox of SANDBOX.md:
 *
 *   node --spawn(env {}, own process group)--> se-init launch   (root: joins the run's cgroups,
 *        drops to uid/gid 60000+slot)
 *     --exec--> bwrap (namespaces, read-only root, capped /tmp, /box, seccomp)
 *       --exec--> se-init run (PID 1: rlimits, reaping, figures on a private fd)
 *         --fork/exec--> the program
 *
 * The engine keeps a wall-clock backstop, enforces the output caps while it reads the pipes, and
 * maps what happened to a status with `decideStatus`. Without a working sandbox a stage runs only
 * when the development flag allows it (`unsafe`), unconfined and marked as such.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, constants, fstatSync, openSync, writeSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { PassThrough, type Duplex, type Readable, type Writable } from 'node:stream';
import type { ExtraFd, StageOutcome, StopReason } from '../exec/types.js';
import type { RunCgroup, RunCgroupFactory } from './cgroups.js';
import { Signals } from '../exec/signals.js';
import { decideStatus, type InitReport } from './status.js';

/** First uid/gid of the worker slots: slot n runs as 60000 + n (when the engine is root). */
export const SLOT_UID_BASE = 60000;

/** Where the sandbox's tools live on this machine. */
export interface SandboxPaths {
  bwrap: string;
  /** native/build/se-init: the launcher the engine starts */
  init: string;
  /** a copy of se-init that bwrap binds into the box (in a folder the slot uids can reach) */
  initBound: string;
  /** the seccomp filter (BPF), written at start from seccomp.ts */
  seccomp: string;
  /**
   * a copy of native/build/se-pty (the terminal's pty relay) beside `initBound`, for the same
   * reason; null when it was not built (workspaces then have no terminal)
   */
  ptyBound?: string | null;
}

export interface StageLimits {
  /** CPU seconds (RLIMIT_CPU soft = ceil, hard = soft + 1; the status uses the exact value) */
  cpuSec: number;
  memoryBytes: number;
  wallMs: number;
  pids: number;
  nofile: number;
  fsizeBytes: number;
  stackBytes: number;
  /** size of the private /tmp (tmpfs, charged to the memory cgroup as well) */
  tmpBytes: number;
}

export interface StageSpec {
  stage: 'compile' | 'run';
  /** argv inside the sandbox; the working directory is /box */
  argv: string[];
  /** extra environment variables (the base is PATH, HOME=/tmp, TMPDIR=/tmp, LANG=C.UTF-8) */
  env?: Record<string, string>;
  /** host folder bound at /box */
  boxDir: string;
  boxWritable: boolean;
  /**
   * run stages: the top-level names of `boxDir`. When given, /box is a fresh writable tmpfs of
   * `limits.tmpBytes` holding a symlink per name into the read-only program folder (bound at
   * /.prog): a program can create files in its working folder, and nothing carries over.
   */
  boxEntries?: string[];
  /**
   * compile stages without a kernel-capped program folder (not root): /box is a fresh tmpfs of
   * this many bytes and `boxDir` is bound writable at /.out; the argv copies the files in and out
   * (the executor's `inTmpfs`), so parallel writers cannot overshoot the cap.
   */
  boxTmpfsBytes?: number;
  slot: number;
  limits: StageLimits;
  outputCapBytes: number;
  /** host paths bound read-only at the same place (e.g. /etc/java-17-openjdk) */
  extraBinds?: string[];
  fds?: ExtraFd[];
  /**
   * Workspaces (the Containers module): instead of /box, these mounts in this order (a host
   * folder or file opened here and passed by fd, never resolved by path inside the chain; or a
   * fresh tmpfs), and this working folder. `boxDir` is then unused.
   */
  layout?: { mounts: Mount[]; cwd: string };
  /** as root: the uid and gid to run as instead of the slot's (a workspace's own) */
  uid?: number;
  /**
   * A command se-init runs before the program, in the same sandbox: its stdout on `fd` (one of
   * `fds`, e.g. a `writeFile`), capped at `wallMs`, everything it started killed before the
   * program starts, and `fd` closed so the program never has it. The program's limits and
   * figures start after it. Not run unconfined (`StageOutcome.pre` is then absent).
   */
  pre?: { argv: string[]; fd: number; wallMs: number };
  /**
   * Set the sandbox up now, but start nothing in it (not even `pre`) until the handle's `open()`:
   * the Containers module prepares a scenario's next stage while the current one runs. The
   * program's limits, figures and the engine's wall backstop start at `open()`; `stop()` before
   * it ends the waiting chain. Ignored unconfined (the program starts at once).
   */
  gated?: boolean;
}

/** A mount of a workspace stage: a host path bound by fd, or a fresh tmpfs. */
export type Mount =
  { target: string; host: string; writable: boolean } | { target: string; tmpfsBytes: number };

/** A started stage. */
export interface StageHandle {
  stdin: Writable;
  /** capped; only meaningful when the stage was started with `collect: false` */
  stdout: Readable;
  fds: ReadonlyMap<number, Duplex>;
  done: Promise<StageOutcome>;
  stop(): void;
  /** a gated stage (`StageSpec.gated`): let it start; a no-op otherwise */
  open(): void;
}

// Fixed fd numbers of the chain: 0-2 stdio, 3-8 the program's extra fds, then ours (closed by
// se-init before the program starts).
const FD_SECCOMP = 9;
const FD_REPORT = 10;
const FD_INFO = 11;
const FD_BOX = 12;
const FD_INIT = 13;
/** A gated stage's gate: se-init waits for one byte on it before anything starts. */
const FD_GATE = 14;
/** The first fd of a layout's bound mounts (one per bound mount, in order). */
const FD_MOUNTS = 15;
const INIT_IN_SANDBOX = '/.se-init';
/** where a run stage sees its program folder (read-only) when /box is its own tmpfs */
const PROGRAM_IN_SANDBOX = '/.prog';
/** where a compile stage with `boxTmpfsBytes` sees its (host) program folder */
export const BOX_OUT_IN_SANDBOX = '/.out';
const REPORT_CAP = 4096;
/** POSIX shared memory (/dev/shm): small, and charged to the memory cgroup like /tmp. */
const SHM_BYTES = 16 * 1024 * 1024;
/** How long a stopped run may take to report before its process group is killed. */
const STOP_GRACE_MS = 500;
/**
 * Without cgroups: se-init's watchdog kills at the memory limit (it polls every 2 ms);
 * RLIMIT_DATA at twice the limit plus this stops what outruns it (a JVM needs about 1.2 GiB of
 * writable address space whatever its heap).
 */
const DATA_BACKSTOP_BYTES = 1536 * 1024 * 1024;
/** Without cgroups: processes of the chain itself (bwrap twice, se-init) beside the program's. */
const NPROC_CHAIN = 3;
/** The engine's wall timer fires this long after se-init's own. */
const BACKSTOP_MS = 1000;

/** Host entries at / that a sandbox recreates: symlinks into /usr (merged /usr) or folders. */
export const ROOT_LINKS = ['bin', 'lib', 'lib32', 'lib64', 'libx32', 'sbin'];

export interface SandboxOptions {
  paths: SandboxPaths;
  cgroups: RunCgroupFactory | null;
  /**
   * no usable cgroup (mode `none`): memory by RLIMIT_DATA (a backstop at twice the limit; the
   * verdict from the helper's peak RSS), processes by RLIMIT_NPROC of the slot uid (root only)
   */
  rlimitsOnly?: boolean;
  /** true: run unconfined (the development flag, after the self-test failed) */
  unsafe: boolean;
  /** host entries that exist at the root, as symlinks (merged /usr) or folders */
  rootLinks: Array<{ name: string; target: string | null }>;
  /** /etc files every stage gets */
  etcBinds: string[];
}

/** Runs stages. One instance per engine; safe for concurrent stages on different slots. */
export class Sandbox {
  private readonly live = new Set<StageHandle>();

  constructor(private readonly opts: SandboxOptions) {}

  /** The pty relay to bind into a workspace stage (a copy the sandbox uids reach), or null. */
  get ptyHelper(): string | null {
    return this.opts.paths.ptyBound ?? null;
  }

  /** Starts a stage. With `collect`, stdout is gathered into the outcome instead of streamed. */
  start(spec: StageSpec, collect: boolean): StageHandle {
    const h = new Stage(this, this.opts, spec, collect).handle;
    this.live.add(h);
    void h.done.finally(() => this.live.delete(h)).catch(() => undefined);
    return h;
  }

  /** Stops every running stage and waits (at most `waitMs`) until each has cleaned up. */
  async stopAll(waitMs = 5000): Promise<void> {
    const all = [...this.live];
    for (const h of all) h.stop();
    await Promise.race([Promise.all(all.map((h) => h.done.catch(() => undefined))), delay(waitMs)]);
  }

  /** Runs a stage to its end with the given stdin. */
  run(spec: StageSpec, stdin: Buffer | string): Promise<StageOutcome> {
    const h = this.start(spec, true);
    h.stdin.on('error', () => {
      // EPIPE: the program exited without reading all of its input
    });
    h.stdin.end(stdin);
    return h.done;
  }

  /** The bwrap arguments of a stage. */
  bwrapArgs(spec: StageSpec): string[] {
    const a: string[] = [
      '--unshare-user',
      '--unshare-pid',
      '--unshare-net',
      '--unshare-ipc',
      '--unshare-uts',
      '--unshare-cgroup-try',
      '--hostname',
      'sandbox',
      '--die-with-parent',
      '--new-session',
      '--disable-userns',
      '--as-pid-1',
      '--info-fd',
      String(FD_INFO),
      '--ro-bind',
      '/usr',
      '/usr',
    ];
    for (const l of this.opts.rootLinks)
      if (l.target !== null) a.push('--symlink', l.target, `/${l.name}`);
      else a.push('--ro-bind', `/${l.name}`, `/${l.name}`);
    for (const p of [...this.opts.etcBinds, ...(spec.extraBinds ?? [])]) a.push('--ro-bind', p, p);
    // /dev itself read-only (its device nodes stay usable); /dev/shm a small private tmpfs
    a.push('--proc', '/proc', '--dev', '/dev');
    a.push('--size', String(SHM_BYTES), '--tmpfs', '/dev/shm', '--remount-ro', '/dev');
    a.push('--size', String(spec.limits.tmpBytes), '--tmpfs', '/tmp');
    if (spec.layout) {
      let fd = FD_MOUNTS;
      for (const m of spec.layout.mounts)
        if ('tmpfsBytes' in m) a.push('--size', String(m.tmpfsBytes), '--tmpfs', m.target);
        else a.push(m.writable ? '--bind-fd' : '--ro-bind-fd', String(fd++), m.target);
    } else if (spec.boxEntries && !spec.boxWritable) {
      a.push('--ro-bind-fd', String(FD_BOX), PROGRAM_IN_SANDBOX);
      a.push('--size', String(spec.limits.tmpBytes), '--tmpfs', '/box');
      for (const name of spec.boxEntries)
        a.push('--symlink', `${PROGRAM_IN_SANDBOX}/${name}`, `/box/${name}`);
    } else if (spec.boxTmpfsBytes !== undefined && spec.boxWritable) {
      a.push('--bind-fd', String(FD_BOX), BOX_OUT_IN_SANDBOX);
      a.push('--size', String(spec.boxTmpfsBytes), '--tmpfs', '/box');
    } else a.push(spec.boxWritable ? '--bind-fd' : '--ro-bind-fd', String(FD_BOX), '/box');
    a.push('--ro-bind-fd', String(FD_INIT), INIT_IN_SANDBOX);
    a.push('--remount-ro', '/', '--chdir', spec.layout?.cwd ?? '/box', '--clearenv');
    const env: Record<string, string> = {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: '/tmp',
      TMPDIR: '/tmp',
      LANG: 'C.UTF-8',
      ...spec.env,
    };
    for (const [k, v] of Object.entries(env)) a.push('--setenv', k, v);
    a.push('--seccomp', String(FD_SECCOMP));
    const l = spec.limits;
    a.push(
      INIT_IN_SANDBOX,
      'run',
      '--report-fd',
      String(FD_REPORT),
      '--cpu',
      String(Math.max(1, Math.ceil(l.cpuSec))),
      '--fsize',
      String(Math.floor(l.fsizeBytes)),
      '--nofile',
      String(l.nofile),
      '--stack',
      String(Math.floor(l.stackBytes)),
      '--wall-ms',
      String(Math.ceil(l.wallMs)),
    );
    if (spec.gated) a.push('--gate-fd', String(FD_GATE));
    if (spec.pre) {
      a.push('--pre-fd', String(spec.pre.fd), '--pre-wall-ms', String(Math.ceil(spec.pre.wallMs)));
      for (const arg of spec.pre.argv) a.push('--pre', arg);
    }
    if (this.opts.rlimitsOnly)
      a.push(
        '--data',
        String(Math.floor(l.memoryBytes * 2 + DATA_BACKSTOP_BYTES)),
        '--mem-kb',
        String(Math.floor(l.memoryBytes / 1024)),
      );
    a.push('--', ...spec.argv);
    return a;
  }

  /** The whole argv the engine spawns for a stage (the launcher first). */
  launchArgv(spec: StageSpec, cgroup: RunCgroup | null): string[] {
    const argv = [this.opts.paths.init, 'launch'];
    for (const f of cgroup?.procsFiles ?? []) argv.push('--cgroup', f);
    if (process.getuid?.() === 0) {
      const id = String(spec.uid ?? SLOT_UID_BASE + spec.slot);
      argv.push('--uid', id, '--gid', id);
      // the slot uid runs nothing else, so its process count is this run's
      if (this.opts.rlimitsOnly) argv.push('--nproc', String(spec.limits.pids + NPROC_CHAIN));
    }
    argv.push('--', this.opts.paths.bwrap, ...this.bwrapArgs(spec));
    return argv;
  }
}

/** Opens a file for an fd the program reads: never through a symlink, regular files only. */
function openReadFile(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${path} is not a regular file`);
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

class Stage {
  readonly handle: StageHandle;
  private child: ChildProcess | null = null;
  private cgroup: RunCgroup | null = null;
  private sandboxPid = 0;
  private engineStop: 'wall' | 'output' | 'caller' | null = null;
  private killedGroup = false;
  private stdoutChunks: Buffer[] = [];
  private stderrChunks: Buffer[] = [];
  private stdoutBytes = 0;
  private stderrBytes = 0;
  private stdoutTruncated = false;
  private stderrTruncated = false;
  private report = '';
  private info = '';
  private truncatedFds: number[] = [];
  private readonly stdin = new PassThrough();
  private readonly stdout = new PassThrough();
  private readonly callerFds = new Map<number, Duplex>();
  private readonly timers: NodeJS.Timeout[] = [];
  private t0 = Date.now();
  /** a gated stage: whether `open()` came, and the backstop waiting for it */
  private opened: boolean;
  private armBackstop: (() => void) | null = null;

  constructor(
    private readonly sandbox: Sandbox,
    private readonly opts: SandboxOptions,
    private readonly spec: StageSpec,
    private readonly collect: boolean,
  ) {
    this.opened = !spec.gated || opts.unsafe;
    const done = this.launch();
    this.handle = {
      stdin: this.stdin,
      stdout: this.stdout,
      fds: this.callerFds,
      done,
      stop: () => this.stop('caller'),
      open: () => this.open(),
    };
  }

  /** Opens a gated stage's gate: se-init starts the program, the backstop starts counting. */
  private open(): void {
    if (this.opened) return;
    this.opened = true;
    this.t0 = Date.now();
    const pipes = this.child?.stdio as unknown as Array<Writable | null | undefined> | undefined;
    const gate = pipes?.[FD_GATE];
    gate?.on('error', () => {
      // the chain is gone already: its outcome says why
    });
    gate?.end('g');
    this.armBackstop?.();
    this.armBackstop = null;
  }

  private fail(reason: string): StageOutcome {
    this.stdout.end();
    return {
      status: 20,
      exitCode: null,
      signal: 0,
      timeSec: 0,
      memoryKb: 0,
      wallMs: Date.now() - this.t0,
      stdout: Buffer.alloc(0),
      stderr: Buffer.alloc(0),
      stdoutTruncated: false,
      stderrTruncated: false,
      internalError: reason,
      ...(this.opts.unsafe ? { unsandboxed: true } : {}),
    };
  }

  /** The stage's life: fd plan, spawn, output sinks, exit, outcome. */
  private async launch(): Promise<StageOutcome> {
    let plan: FdPlan;
    try {
      plan = this.planFds();
    } catch (err) {
      return this.abort(`sandbox setup: ${(err as Error).message}`, null);
    }
    let child: ChildProcess;
    try {
      child = this.spawnChain(plan);
    } catch (err) {
      return this.abort(`spawn: ${(err as Error).message}`, plan);
    }
    // The child has its own copies now.
    closeAll(plan.opened);
    this.child = child;
    const ended = this.attachSinks(child, plan);
    const { exit, spawnError } = await this.awaitExit(child);
    // Every process of the sandbox is gone once bwrap exits, so the pipes are at EOF; the bound
    // only matters for a spawn error or an unconfined program's escaped child.
    if (!spawnError) await Promise.race([Promise.all(ended), delay(2000)]);
    const pipes = child.stdio as unknown as Array<Readable | Writable | null | undefined>;
    for (const [i, s] of pipes.entries()) if (i > 0 && !this.callerFds.has(i)) s?.destroy();
    for (const t of this.timers) clearTimeout(t);
    for (const w of plan.writeFiles.values()) closeSync(w.fd);
    this.stdout.end();
    const wallMs = Date.now() - this.t0;
    const stdout = Buffer.concat(this.stdoutChunks);
    const stderr = Buffer.concat(this.stderrChunks);
    if (this.opts.unsafe) return this.unsafeOutcome(exit, spawnError, wallMs, stdout, stderr);
    return this.outcome(exit, spawnError, wallMs, stdout, stderr);
  }

  /** Undoes a plan that could not be carried out; status 20 with the reason. */
  private async abort(reason: string, plan: FdPlan | null): Promise<StageOutcome> {
    if (plan) {
      closeAll(plan.opened);
      for (const w of plan.writeFiles.values()) closeSync(w.fd);
    }
    await this.cgroup?.remove().catch(() => undefined);
    return this.fail(reason);
  }

  /**
   * The fd plan: 0-2 pipes, 3-8 the program's extra fds (files opened here, never through a
   * symlink; pipes for written files and streams), then the chain's own (seccomp filter, report,
   * info, box, helper); the run's cgroups; the argv to spawn. Throws what is wrong; what it opened
   * is in the plan it returns, or closed when it throws.
   */
  private planFds(): FdPlan {
    const spec = this.spec;
    const plan: FdPlan = {
      stdio: ['pipe', 'pipe', 'pipe'],
      opened: [],
      writeFiles: new Map(),
      argv: [],
    };
    const stdio = plan.stdio;
    try {
      for (let fd = 3; fd <= 8; fd++) stdio[fd] = 'ignore';
      for (const x of spec.fds ?? []) {
        if (!Number.isInteger(x.fd) || x.fd < 3 || x.fd > 8)
          throw new Error(`extra fd ${x.fd} is outside 3..8`);
        if (stdio[x.fd] !== 'ignore') throw new Error(`extra fd ${x.fd} is given twice`);
        if ('readFile' in x) {
          const fd = openReadFile(x.readFile);
          plan.opened.push(fd);
          stdio[x.fd] = fd;
        } else if ('writeFile' in x) {
          const fd = openSync(
            x.writeFile,
            constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
            0o600,
          );
          plan.writeFiles.set(x.fd, { fd, cap: x.capBytes ?? spec.outputCapBytes, written: 0 });
          stdio[x.fd] = 'pipe';
        } else {
          if (this.collect) throw new Error('stream fds need Executor.start');
          stdio[x.fd] = 'pipe';
        }
      }
      if (this.opts.unsafe) {
        plan.argv = spec.argv;
        return plan;
      }
      if (this.opts.cgroups)
        this.cgroup = this.opts.cgroups.createRun({
          memoryBytes: spec.limits.memoryBytes,
          pidsMax: spec.limits.pids,
        });
      const seccomp = openReadFile(this.opts.paths.seccomp);
      plan.opened.push(seccomp);
      let fd = FD_MOUNTS;
      for (const m of spec.layout?.mounts ?? []) {
        if ('tmpfsBytes' in m) continue;
        // a folder or a file, never through a symlink (O_PATH would do, but Node lacks it)
        const opened = openSync(m.host, constants.O_RDONLY | constants.O_NOFOLLOW);
        plan.opened.push(opened);
        stdio[fd++] = opened;
      }
      let box: number | 'ignore' = 'ignore';
      if (!spec.layout) {
        box = openSync(
          spec.boxDir,
          constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW,
        );
        plan.opened.push(box);
      }
      const init = openReadFile(this.opts.paths.initBound);
      plan.opened.push(init);
      stdio[FD_SECCOMP] = seccomp;
      stdio[FD_REPORT] = 'pipe';
      stdio[FD_INFO] = 'pipe';
      stdio[FD_BOX] = box;
      stdio[FD_INIT] = init;
      stdio[FD_GATE] = spec.gated ? 'pipe' : 'ignore';
      plan.argv = this.sandbox.launchArgv(spec, this.cgroup);
      return plan;
    } catch (err) {
      closeAll(plan.opened);
      for (const w of plan.writeFiles.values()) closeSync(w.fd);
      plan.writeFiles.clear();
      throw err;
    }
  }

  /** Spawns the chain in its own process group, with an empty environment when confined. */
  private spawnChain(plan: FdPlan): ChildProcess {
    const spec = this.spec;
    return spawn(plan.argv[0], plan.argv.slice(1), {
      stdio: plan.stdio,
      detached: true, // own process group (setsid), so the whole chain can be killed at once
      cwd: this.opts.unsafe ? spec.boxDir : '/',
      env: this.opts.unsafe
        ? {
            PATH: '/usr/local/bin:/usr/bin:/bin',
            HOME: spec.boxDir,
            TMPDIR: tmpdir(),
            LANG: 'C.UTF-8',
            ...spec.env,
          }
        : {},
      // unconfined, a root engine still drops the program to the slot's uid
      ...(this.opts.unsafe && process.getuid?.() === 0
        ? { uid: SLOT_UID_BASE + spec.slot, gid: SLOT_UID_BASE + spec.slot }
        : {}),
    });
  }

  /**
   * The output sinks: stdout and stderr capped (the stage stops at the cap), the helper's report
   * and bwrap's info, written files capped, caller streams handed over, stdin piped in. Returns
   * one promise per pipe that settles at its end.
   */
  private attachSinks(child: ChildProcess, plan: FdPlan): Array<Promise<void>> {
    // child.stdio is typed as a 5-tuple; the chain uses up to fd 13
    const pipes = child.stdio as unknown as Array<Readable | Writable | null | undefined>;
    const ended: Array<Promise<void>> = [];
    const drain = (s: Readable | null | undefined, onData: (b: Buffer) => void) => {
      if (!s) return;
      ended.push(
        new Promise<void>((resolve) => {
          s.on('data', onData);
          s.on('error', () => resolve());
          s.on('close', () => resolve());
          s.on('end', () => resolve());
        }),
      );
    };
    const cap = this.spec.outputCapBytes;
    drain(child.stdout, (b) => {
      if (this.stdoutTruncated) return;
      const room = cap - this.stdoutBytes;
      const part = b.length > room ? b.subarray(0, room) : b;
      this.stdoutBytes += part.length;
      if (this.collect) this.stdoutChunks.push(part);
      else if (part.length && !this.stdout.write(part)) {
        // streamed: the reader's pace holds the program back (the terminal's flow control)
        child.stdout?.pause();
        this.stdout.once('drain', () => child.stdout?.resume());
      }
      if (b.length > room) {
        this.stdoutTruncated = true;
        this.stop('output');
      }
    });
    drain(child.stderr, (b) => {
      if (this.stderrTruncated) return;
      const room = cap - this.stderrBytes;
      const part = b.length > room ? b.subarray(0, room) : b;
      this.stderrBytes += part.length;
      this.stderrChunks.push(part);
      if (b.length > room) {
        this.stderrTruncated = true;
        this.stop('output');
      }
    });
    if (!this.opts.unsafe) {
      drain(pipes[FD_REPORT] as Readable, (b) => {
        if (this.report.length < REPORT_CAP) this.report += b.toString('utf8');
      });
      drain(pipes[FD_INFO] as Readable, (b) => {
        if (this.info.length < REPORT_CAP) this.info += b.toString('utf8');
        const m = /"child-pid"\s*:\s*(\d+)/.exec(this.info);
        if (m) this.sandboxPid = Number(m[1]);
      });
    }
    for (const [n, w] of plan.writeFiles) {
      drain(pipes[n] as Readable, (b) => {
        const room = w.cap - w.written;
        if (room <= 0) {
          if (!this.truncatedFds.includes(n)) this.truncatedFds.push(n);
          return;
        }
        const part = b.length > room ? b.subarray(0, room) : b;
        try {
          writeSync(w.fd, part);
        } catch {
          // the host file became unwritable: the judge sees a short file
        }
        w.written += part.length;
        if (b.length > room && !this.truncatedFds.includes(n)) this.truncatedFds.push(n);
      });
    }
    for (const x of this.spec.fds ?? [])
      if ('stream' in x) this.callerFds.set(x.fd, pipes[x.fd] as Duplex);
    if (child.stdin) {
      child.stdin.on('error', () => {
        // EPIPE when the program exits without reading everything
      });
      this.stdin.pipe(child.stdin);
    }
    return ended;
  }

  /** Waits for the chain to exit, with the engine's wall backstop armed meanwhile. */
  private async awaitExit(child: ChildProcess): Promise<{ exit: Exit; spawnError: string | null }> {
    let spawnError: string | null = null;
    const exited = new Promise<Exit>((resolve) => {
      child.once('error', (err) => {
        spawnError = err.message;
        resolve({ code: null, signal: null });
      });
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    // se-init enforces the wall limit itself; this is the backstop (and the only timer unsandboxed).
    const wall = this.spec.limits.wallMs + (this.opts.unsafe ? 0 : BACKSTOP_MS);
    const arm = () => this.timers.push(setTimeout(() => this.stop('wall'), wall));
    if (this.opened) arm();
    else this.armBackstop = arm;
    const exit = await exited;
    if (this.opts.unsafe && child.pid) {
      // unconfined: take the program's leftover background processes down with it
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // none left
      }
    }
    return { exit, spawnError };
  }

  /** The outcome of a confined stage: figures, status (SANDBOX.md's table), reason, cleanup. */
  private async outcome(
    exit: Exit,
    spawnError: string | null,
    wallMs: number,
    stdout: Buffer,
    stderrIn: Buffer,
  ): Promise<StageOutcome> {
    const spec = this.spec;
    let stderr = stderrIn;
    const report = parseReport(this.report);
    let oomKills = 0;
    let peakBytes = 0;
    // without cgroups the helper's peak RSS decides the memory verdict
    if (
      this.opts.rlimitsOnly &&
      report &&
      (report.mem_killed === 1 || report.maxrss_kb * 1024 > spec.limits.memoryBytes)
    )
      oomKills = 1;
    let cleanupError: string | null = null;
    if (this.cgroup) {
      oomKills = this.cgroup.oomKills();
      peakBytes = this.cgroup.peakBytes();
      try {
        await this.cgroup.remove();
      } catch (err) {
        cleanupError = (err as Error).message;
      }
    }
    let setupError: string | null = spawnError ? `spawn: ${spawnError}` : null;
    if (!report && !this.engineStop && !setupError) {
      // bwrap or the launcher failed before the program ran; their message is on stderr
      const text = stderr.toString('utf8').trim().split('\n').slice(-5).join('\n');
      setupError = `sandbox setup failed (exit ${exit.code ?? exit.signal}): ${text}`;
    }
    const decided = decideStatus({
      stage: spec.stage,
      report,
      setupError,
      engineStop: this.engineStop,
      oomKills,
      cpuLimitSec: spec.limits.cpuSec,
      outputTruncated: this.stdoutTruncated || this.stderrTruncated,
      programInBox: !spec.argv[0]?.startsWith('/'),
    });
    if (report?.exec_errno && decided.status !== 20) {
      const why = report.exec_errno === 2 ? 'not found' : `errno ${report.exec_errno}`;
      stderr = Buffer.concat([stderr, Buffer.from(`cannot execute ${spec.argv[0]}: ${why}\n`)]);
    }
    if (decided.status === 20) stderr = Buffer.alloc(0); // may hold host paths: operator only
    const timedOut = this.engineStop === 'wall' || (report?.wall_killed ?? 0) > 0;
    const outcome: StageOutcome = {
      status: decided.status,
      exitCode: report && report.exit >= 0 ? report.exit : null,
      signal: report?.signal ?? (this.killedGroup ? 9 : 0),
      // a wall-timer kill reports the limit; a CPU-limit kill at least the limit (SIGXCPU comes
      // on the kernel's tick, the figures may round a little under it)
      timeSec: timedOut
        ? spec.limits.cpuSec
        : report
          ? decided.status === 13
            ? Math.max(report.cpu_ms / 1000, spec.limits.cpuSec)
            : report.cpu_ms / 1000
          : Math.min(wallMs, spec.limits.wallMs) / 1000,
      memoryKb: report ? report.maxrss_kb : Math.round(peakBytes / 1024),
      wallMs: report ? report.wall_ms : wallMs,
      stdout,
      stderr,
      stdoutTruncated: this.stdoutTruncated,
      stderrTruncated: this.stderrTruncated,
    };
    if (spec.pre && report)
      outcome.pre = { exit: report.pre_exit ?? -1, killed: !!report.pre_killed };
    if (decided.status === 20) outcome.internalError = decided.reason;
    else {
      const reason = stopReason(spec, {
        memory: oomKills > 0,
        wall: timedOut,
        cpu:
          !!report &&
          (report.signal === Signals.SIGXCPU || report.cpu_ms / 1000 > spec.limits.cpuSec),
        output: this.stdoutTruncated || this.stderrTruncated,
      });
      if (reason) outcome.reason = reason;
    }
    if (cleanupError)
      outcome.internalError = [outcome.internalError, cleanupError].filter(Boolean).join('; ');
    if (this.truncatedFds.length) outcome.truncatedFds = this.truncatedFds.sort();
    return outcome;
  }

  private unsafeOutcome(
    exit: { code: number | null; signal: NodeJS.Signals | null },
    spawnError: string | null,
    wallMs: number,
    stdout: Buffer,
    stderr: Buffer,
  ): StageOutcome {
    if (spawnError) return this.fail(`spawn: ${spawnError}`);
    const signal = exit.signal
      ? ((osConstants.signals as Record<string, number>)[exit.signal] ?? 0)
      : 0;
    const timedOut = this.engineStop === 'wall';
    const out = this.truncatedFds;
    const failed = signal !== 0 || exit.code !== 0 || this.engineStop !== null;
    let status = 0;
    if (this.spec.stage === 'compile') status = failed ? 11 : 0;
    else if (timedOut) status = 13;
    else if (failed) status = 12;
    return {
      status,
      exitCode: exit.code,
      signal,
      // no figures without se-init: wall time stands in for CPU time, memory is unknown
      timeSec: timedOut ? this.spec.limits.cpuSec : wallMs / 1000,
      memoryKb: 0,
      wallMs,
      stdout,
      stderr,
      stdoutTruncated: this.stdoutTruncated,
      stderrTruncated: this.stderrTruncated,
      unsandboxed: true,
      ...(out.length ? { truncatedFds: out.sort() } : {}),
      ...withReason(
        stopReason(this.spec, {
          memory: false,
          wall: timedOut,
          cpu: false,
          output: this.stdoutTruncated || this.stderrTruncated,
        }),
      ),
    };
  }

  private stop(reason: 'wall' | 'output' | 'caller'): void {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      // not started yet or already gone; a stop before spawn ends the run as soon as it starts
      if (!child) this.engineStop ??= reason;
      return;
    }
    this.engineStop ??= reason;
    if (reason !== 'wall' && this.sandboxPid && !this.opts.unsafe) {
      // Let se-init stop the program so the figures survive; kill the group if it lingers.
      try {
        process.kill(this.sandboxPid, 'SIGUSR1');
      } catch {
        // already gone
      }
      this.timers.push(setTimeout(() => this.killGroup(), STOP_GRACE_MS));
      return;
    }
    this.killGroup();
  }

  private killGroup(): void {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    this.killedGroup = true;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The limit that stopped a stage, in the order the status table decides (memory first). */
export function stopReason(
  spec: Pick<StageSpec, 'limits' | 'outputCapBytes'>,
  hit: { memory: boolean; wall: boolean; cpu: boolean; output: boolean },
): StopReason | undefined {
  const l = spec.limits;
  if (hit.memory) return { kind: 'memory', limit: Math.round(l.memoryBytes / 1024) };
  if (hit.wall) return { kind: 'wall_time', limit: l.wallMs / 1000 };
  if (hit.cpu) return { kind: 'cpu_time', limit: l.cpuSec };
  if (hit.output) return { kind: 'output_cap', limit: spec.outputCapBytes };
  return undefined;
}

function withReason(reason: StopReason | undefined): { reason?: StopReason } {
  return reason ? { reason } : {};
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** What `planFds` decided: the spawn's stdio, the fds it opened, the written files, the argv. */
interface FdPlan {
  stdio: Exclude<StdioOptions, string>;
  opened: number[];
  writeFiles: Map<number, { fd: number; cap: number; written: number }>;
  argv: string[];
}

function closeAll(fds: number[]): void {
  for (const fd of fds.splice(0))
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function parseReport(text: string): InitReport | null {
  const line = text.split('\n').find((l) => l.startsWith('{'));
  if (!line) return null;
  try {
    const r = JSON.parse(line) as Partial<InitReport>;
    const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
    return {
      exit: typeof r.exit === 'number' ? r.exit : -1,
      signal: n(r.signal),
      cpu_ms: n(r.cpu_ms),
      maxrss_kb: n(r.maxrss_kb),
      wall_ms: n(r.wall_ms),
      wall_killed: n(r.wall_killed),
      stopped: n(r.stopped),
      exec_errno: n(r.exec_errno),
      mem_killed: n(r.mem_killed),
      mem_peak_kb: n(r.mem_peak_kb),
      pre_exit: typeof r.pre_exit === 'number' ? r.pre_exit : -1,
      pre_killed: n(r.pre_killed),
    };
  } catch {
    return null;
  }
}
