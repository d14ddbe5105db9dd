/**
 * The execution core's contract: what the Compilers and Problems modules call to compile and run
 * code, and what the sandbox (src/engine/sandbox) provides. Statuses follow SANDBOX.md's
 * "Outcome to status" table.
 */
import type { Highlighters } from '../../shared/compilers.js';

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
  /** for status 20: what failed, for the operator (never shown with host paths to users) */
  internalError?: string;
}

/** A compiled (or prepared, for interpreted languages) program, ready to run many times. */
export interface Program {
  language: LanguageInfo;
  versionId: number;
  /** host folder mounted read-only at /box in run stages */
  dir: string;
  /** removes the program's folder */
  dispose(): Promise<void>;
}

export type CompileResult =
  | { ok: true; program: Program; cmpinfo: string; outcome: StageOutcome | null }
  | { ok: false; status: number; cmpinfo: string; outcome: StageOutcome };

export interface RunOptions {
  stdin: Buffer | string;
  limits: Limits;
  /** worker slot (0-based): picks the sandbox uid and cgroup */
  slot: number;
  /** per-stream output cap in bytes (default: the engine's cap) */
  outputCapBytes?: number;
}

export interface Executor {
  /** Languages available on this machine, by id. */
  languages(): Map<number, LanguageInfo>;
  /**
   * Writes the source (or `files` in multi-file mode) to a fresh folder and runs the compile stage,
   * if any, with `limits` (compilers get a fixed, generous limit of their own).
   */
  compile(
    req: {
      languageId: number;
      versionId: number;
      source?: string;
      files?: Record<string, string>;
    },
    slot: number,
  ): Promise<CompileResult>;
  /** Runs a prepared program once. */
  run(program: Program, options: RunOptions): Promise<StageOutcome>;
}
