/**
 * The execution core's contract: what the Compilers and Problems modules call to compile and run
 * code, and what the sandbox (src/engine/sandbox) provides. Statuses follow SANDBOX.md's
 * "Outcome to status" table.
 */
import type { Duplex, Readable, Writable } from 'node:stream';
import type { Highlighters } from '../../shared/compilers.js';
import type { LimitsReport } from '../../shared/sandbox-limits.js';
import type { StopReason } from '../../shared/status.js';

export type { LimitsReport, StopReason };

/**
 * The sandbox's start-up self-test (SANDBOX.md, "Policy when the sandbox is missing"). `problems`
 * names each missing piece with the command that installs or fixes it; empty when `ok`.
 */
export interface SelfTestResult {
  ok: boolean;
  problems: string[];
  /** how the runs' limits are enforced (absent when the sandbox tools are missing) */
  limits?: LimitsReport;
}

/** A language the engine can run on this machine (detected at start). */
export interface LanguageInfo {
  id: number;
  name: string;
  short: string;
  versions: Array<{ id: number; name: string }>;
  highlighters: Highlighters;
  /** file name the single-file source is written to inside /box (e.g. `prog.cpp`) */
  sourceFile: string;
  /** true when the language has a compile stage */
  compiled: boolean;
  /** true when multi-file submissions (`files`) are supported */
  multiFile: boolean;
  /** the version used when a request names none (the first of `versions`) */
  defaultVersionId: number;
}

export interface Limits {
  /** CPU seconds */
  timeSec: number;
  /** kilobytes */
  memoryKb: number;
}

/** What a compile or run stage produced. */
export interface StageOutcome {
  /**
   * 0 when the stage succeeded (exit 0 inside the limits); otherwise the final status the stage
   * decides: 11 (compile stage failed), 12, 13, 17, 19 or 20.
   */
  status: number;
  exitCode: number | null;
  /** terminating signal number, 0 when none */
  signal: number;
  /** CPU user+system seconds (the limit when killed by the wall timer) */
  timeSec: number;
  /** peak resident kilobytes */
  memoryKb: number;
  wallMs: number;
  stdout: Buffer;
  stderr: Buffer;
  /** true when stdout or stderr hit the output cap and the program was stopped */
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** why the engine stopped the program (a limit it hit); absent when it ended on its own */
  reason?: StopReason;
  /** for status 20: what failed, for the operator (never shown with host paths to users) */
  internalError?: string;
  /**
   * true when the stage ran WITHOUT the sandbox (development flag `unsafeNoSandbox`); such a
   * result must never be trusted or shown as a real verdict
   */
  unsandboxed?: boolean;
  /** the stage's `pre` command (sandbox.ts): its exit code, and whether its time ran out */
  pre?: { exit: number; killed: boolean };
  /** extra fds (see `ExtraFd`) whose `writeFile` hit its cap: the file holds the first bytes */
  truncatedFds?: number[];
  /** status 11 from `run()`: the syntax check's message (see `CompileOptions.syntaxCheck`) */
  cmpinfo?: string;
}

/** A compiled (or prepared, for interpreted languages) program, ready to run many times. */
export interface Program {
  language: LanguageInfo;
  versionId: number;
  /** host folder mounted read-only at /box in run stages */
  dir: string;
  /** argv of a run inside the sandbox (working directory /box), e.g. `['./prog']` */
  command: string[];
  /** removes the program's folder */
  dispose(): Promise<void>;
}

export type CompileResult =
  | { ok: true; program: Program; cmpinfo: string; outcome: StageOutcome | null }
  | { ok: false; status: number; cmpinfo: string; outcome: StageOutcome };

/** fd numbers a program may receive besides 0-2 (the custom-judge protocol of JUDGES.md). */
export type ExtraFdNumber = 3 | 4 | 5 | 6 | 7 | 8;

/**
 * An extra descriptor for a run, as custom judges need (JUDGES.md: 3 = program output,
 * 4 = expected output, 5 = source, 6 = setter debug, 7 = user info, 8 = interactive channel):
 *
 * - `readFile`: a host file the engine opens read-only (never following a symlink; it must be a
 *   regular file) and hands over as that fd. The program can read it but not reopen it by path.
 * - `writeFile`: a host file the engine creates (0600, truncated, never through a symlink); the
 *   program writes to a pipe on that fd and the engine copies at most `capBytes` (default: the
 *   output cap) into the file. Extra bytes are dropped and the fd is listed in
 *   `StageOutcome.truncatedFds`; the program is not stopped for it.
 * - `stream`: a socket pair; the program gets one end on that fd, the caller gets the other as a
 *   Node `Duplex` in `RunningProgram.fds` (only with `Executor.start`). Used for fd 8 of
 *   interactive problems, where the judge and the running program talk while both run.
 */
export type ExtraFd =
  | { fd: ExtraFdNumber; readFile: string }
  | { fd: ExtraFdNumber; writeFile: string; capBytes?: number }
  | { fd: ExtraFdNumber; stream: true };

export interface RunOptions {
  stdin: Buffer | string;
  limits: Limits;
  /** worker slot (0-based): picks the sandbox uid and cgroup */
  slot: number;
  /** per-stream output cap in bytes (default: the engine's cap) */
  outputCapBytes?: number;
  /** extra fds 3..8 (custom judges); `stream` entries need `Executor.start` */
  fds?: ExtraFd[];
}

/** Options of `Executor.start`: stdin is a stream there, so it is not given up front. */
export type StartOptions = Omit<RunOptions, 'stdin'>;

/**
 * A program started with `Executor.start`, for interactive judging: the caller writes its stdin
 * and reads its stdout while it runs (e.g. piping them to and from a judge's fd 8 stream).
 */
export interface RunningProgram {
  /** the program's stdin; end it when no more input will come */
  stdin: Writable;
  /** the program's stdout, capped at the output cap (the program is stopped at the cap) */
  stdout: Readable;
  /** the caller's ends of `stream` fds, by fd number */
  fds: ReadonlyMap<number, Duplex>;
  /**
   * resolves when every process of the run is gone; its `stdout` is empty (the output went to
   * the stream; `stdoutTruncated` still says whether the cap was hit), its `stderr` is collected
   */
  done: Promise<StageOutcome>;
  /** stops the run now (a stopped run reports what it had reached, usually status 12 or 13) */
  stop(): void;
}

export interface CompileOptions {
  /**
   * When an interpreted language's syntax check runs (a failed check is a compilation error,
   * status 11): `before-run` (default) as the compile stage, so no test case runs a program that
   * does not parse; `after-failure` only when a run fails with what looks like a syntax error, so
   * the common case (a program that parses) costs one sandboxed run, not two.
   */
  syntaxCheck?: 'before-run' | 'after-failure';
}

export interface Executor {
  /** Languages available on this machine, by id. */
  languages(): Map<number, LanguageInfo>;
  /**
   * Writes the source (or `files` in multi-file mode) to a fresh folder and runs the compile stage,
   * if any, with the compile stage's own fixed, generous limits (COMPILE_LIMITS: 10 s CPU, 512 MB,
   * Java 1 GB). Resolves `ok: false` with status 11 (the compiler failed, or was stopped for time,
   * memory or output; `cmpinfo` says why) or 20 (the sandbox failed or is unavailable). Throws
   * `FilesError` for a refused `files` map or a missing source, `RangeError` for an unknown
   * language, version or slot: nothing ran then. Multi-file conventions: see exec/executor.ts.
   */
  compile(
    req: {
      languageId: number;
      versionId: number;
      source?: string;
      files?: Record<string, string>;
    },
    slot: number,
    options?: CompileOptions,
  ): Promise<CompileResult>;
  /**
   * Runs a prepared program once with the given stdin; collects stdout and stderr (capped). For a
   * program compiled with `syntaxCheck: 'after-failure'`, a failed run that looks like a syntax
   * error runs the check, and a failed check turns the outcome into status 11 with `cmpinfo`.
   */
  run(program: Program, options: RunOptions): Promise<StageOutcome>;
  /** Starts a prepared program with streams for stdin and stdout (interactive judges). */
  start(program: Program, options: StartOptions): RunningProgram;
}
