/**
 * SANDBOX.md's "Outcome to status" table as one pure function (first match wins).
 */
import { Signals } from '../exec/signals.js';

/** The figures line se-init writes (native/se-init.c). */
export interface InitReport {
  exit: number;
  signal: number;
  cpu_ms: number;
  maxrss_kb: number;
  wall_ms: number;
  wall_killed: number;
  stopped: number;
  exec_errno: number;
  /** without a memory cgroup: 1 when the watchdog killed the program at the memory limit */
  mem_killed?: number;
  /** without a memory cgroup: the watchdog's peak of the namespace's resident memory */
  mem_peak_kb?: number;
  /** with a --pre command: its exit code (-1 when a signal ended it or none ran) */
  pre_exit?: number;
  /** with a --pre command: 1 when its wall time ran out */
  pre_killed?: number;
}

export interface StatusInput {
  stage: 'compile' | 'run';
  /** the figures line, or null when none arrived */
  report: InitReport | null;
  /** the sandbox could not be set up (cgroup, spawn or launcher error) */
  setupError: string | null;
  /** the engine stopped the run itself (its wall backstop, the output cap, a caller's stop) */
  engineStop: 'wall' | 'output' | 'caller' | null;
  oomKills: number;
  cpuLimitSec: number;
  outputTruncated: boolean;
  /**
   * true when the program is a file of the box (e.g. `./prog`): its failing to start is the
   * submission's fault (12), not the sandbox's (20)
   */
  programInBox?: boolean;
}

/** 0 for success, otherwise the final status (11, 12, 13, 17, 19, 20). */
export function decideStatus(i: StatusInput): { status: number; reason?: string } {
  if (i.setupError) return { status: 20, reason: i.setupError };
  const r = i.report;
  if (!r && !i.engineStop) return { status: 20, reason: 'the sandbox reported no figures' };
  if (r?.exec_errno) {
    const reason = `exec failed with errno ${r.exec_errno}`;
    if (!i.programInBox) return { status: 20, reason };
    return { status: i.stage === 'compile' ? 11 : 12, reason };
  }
  const oom = i.oomKills > 0;
  const timedOut =
    i.engineStop === 'wall' ||
    (r !== null &&
      (r.wall_killed > 0 || r.signal === Signals.SIGXCPU || r.cpu_ms / 1000 > i.cpuLimitSec));
  const failed =
    i.engineStop !== null || i.outputTruncated || r === null || r.signal !== 0 || r.exit !== 0;
  if (i.stage === 'compile') return oom || timedOut || failed ? { status: 11 } : { status: 0 };
  if (oom) return { status: 17 };
  if (timedOut) return { status: 13 };
  if (r?.signal === Signals.SIGSYS) return { status: 19 };
  if (failed) return { status: 12 };
  return { status: 0 };
}
