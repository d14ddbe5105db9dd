/**
 * Submission status codes shared by the Compilers and Problems modules of the Sphere Engine API.
 * Codes below 10 are transient (`executing: true`); the rest are final.
 */
export const Status = {
  Waiting: 0,
  Compiling: 1,
  Compiling2: 2,
  Executing: 3,
  CompilingJudge: 4,
  ExecutingJudge: 5,
  CompilingMasterJudge: 6,
  ExecutingMasterJudge: 7,
  Testing: 8,
  CompilationError: 11,
  RuntimeError: 12,
  TimeLimitExceeded: 13,
  WrongAnswer: 14,
  Accepted: 15,
  MemoryLimitExceeded: 17,
  IllegalSystemCall: 19,
  InternalError: 20,
  JudgeError: 21,
  ProblemError: 22,
} as const;

export type StatusCode = (typeof Status)[keyof typeof Status];

/**
 * Why the engine stopped a program, machine-readable: an extension field (`reason`) of the
 * embedded engine's results; the hosted service does not send it. `limit` is the limit that was
 * hit: bytes (output_cap), seconds (wall_time, cpu_time) or kilobytes (memory).
 */
export interface StopReason {
  kind: 'output_cap' | 'wall_time' | 'cpu_time' | 'memory';
  limit?: number;
}

const names: Record<number, string> = {
  0: 'waiting...',
  1: 'compilation...',
  2: 'compilation...',
  3: 'running...',
  4: 'compiling judge...',
  5: 'executing judge...',
  6: 'compiling master judge...',
  7: 'executing master judge...',
  8: 'testing...',
  11: 'compilation error',
  12: 'runtime error',
  13: 'time limit exceeded',
  14: 'wrong answer',
  15: 'accepted',
  17: 'memory limit exceeded',
  19: 'illegal system call',
  20: 'internal error',
  21: 'judge error',
  22: 'problem error',
};

/** The API's name of a status code (e.g. 15 is "accepted"). */
export function statusName(code: number): string {
  return names[code] ?? 'unknown';
}

/** True for codes that mean the submission is still being processed. */
export function isTransient(code: number): boolean {
  return code >= 0 && code < 10;
}
