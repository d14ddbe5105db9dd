/**
 * The engine's limits, as the README documents them. Time is CPU seconds and memory is peak
 * resident kilobytes, like the `time` and `memory` fields of a submission.
 */
export const LIMITS = {
  /** bytes of `source` (in multi-file mode: of `source` and every file together) */
  sourceBytes: 256 * 1024,
  /** files of a multi-file submission */
  files: 100,
  /** bytes of `input` */
  inputBytes: 1024 * 1024,
  /** `timeLimit`, seconds */
  timeSec: { min: 1, max: 15, default: 5 },
  /** `memoryLimit`, kilobytes: 16 MiB to 1 GiB, 256 MiB by default */
  memoryKb: { min: 16 * 1024, max: 1024 * 1024, default: 256 * 1024 },
  /** bytes kept of each of a program's stdout and stderr; past this the program is stopped */
  outputBytes: 1024 * 1024,
  /** bytes of a request body (JSON, form or multipart) */
  bodyBytes: 8 * 1024 * 1024,
} as const;

/** Defaults of the queue and pool (both configurable). */
export const QUEUE_DEFAULTS = {
  /** submissions waiting (not counting running ones) before POST answers 503 */
  queueSize: 1000,
} as const;
