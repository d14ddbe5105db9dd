/**
 * Custom judges in the sandbox, with the file-descriptor protocol of JUDGES.md: fd 0 the test
 * input, 3 the program's output, 4 the expected output, 5 the source, 1 the score, 6 the debug
 * stream (problem setter), 7 information for the user, 8 the channel to the running program of an
 * interactive problem. Exit code 0 accepts, 1 rejects, anything else is a judge error (21).
 */
import { closeSync, openSync, readSync, writeFileSync, constants as fsc, fstatSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex, Readable, Writable } from 'node:stream';
import { Status } from '../../../shared/status.js';
import type { Executor, ExtraFd, Limits, Program, StageOutcome } from '../../exec/types.js';
import { ACCEPTED_SCORE, type FinalVerdict, type TestcaseOutcome } from './builtin.js';
import { masterInput, parseJudgeScore, parseMasterOutput } from './protocol.js';

/** Limits of a judge run (not the submission's: a judge is the problem setter's program). */
export const JUDGE_LIMITS: Limits = { timeSec: 10, memoryKb: 512 * 1024 };
/** Bytes kept of a judge's debug (fd 6) and user (fd 7) streams, per test case. */
export const JUDGE_TEXT_CAP = 64 * 1024;
/** After an interactive judge ends, how long the program may take to exit on its own. */
const INTERACTIVE_GRACE_MS = 500;

/** What a custom test-case judge decided. */
export interface CustomVerdict {
  /** 15, 14, 21 (judge error) or 20 (the sandbox failed) */
  status: number;
  score: number;
  /** fd 6 */
  debug: string;
  /** fd 7 */
  info: string;
  /** why a judge error happened, for the problem setter (debug stream) */
  failure?: string;
  outcome: StageOutcome;
}

/** Host files of one test case that a judge gets as fds (see {@link writeJudgeFiles}). */
export interface JudgeFiles {
  dir: string;
  output: string;
  expected: string;
  source: string;
  debug: string;
  info: string;
}

/** Writes the files a test-case judge reads (and the paths it writes) into `dir`. */
export function writeJudgeFiles(
  dir: string,
  data: { output: Buffer; expected: Buffer; source: Buffer },
): JudgeFiles {
  const f: JudgeFiles = {
    dir,
    output: join(dir, 'output'),
    expected: join(dir, 'expected'),
    source: join(dir, 'source'),
    debug: join(dir, 'judge-debug'),
    info: join(dir, 'judge-info'),
  };
  writeFileSync(f.output, data.output);
  writeFileSync(f.expected, data.expected);
  writeFileSync(f.source, data.source);
  return f;
}

/**
 * Reads at most `cap` bytes of a file the engine wrote for a judge's fd, never through a symlink
 * and only when it is a regular file; '' when missing.
 */
export function readCapped(path: string, cap = JUDGE_TEXT_CAP): string {
  let fd: number;
  try {
    fd = openSync(path, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  } catch {
    return '';
  }
  try {
    if (!fstatSync(fd).isFile()) return '';
    const buf = Buffer.alloc(cap);
    let n = 0;
    while (n < cap) {
      const r = readSync(fd, buf, n, cap - n, null);
      if (r === 0) break;
      n += r;
    }
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function decide(o: StageOutcome, stdout: string, debug: string, info: string): CustomVerdict {
  const base = { debug, info, outcome: o };
  if (o.status === Status.InternalError) {
    return { ...base, status: Status.InternalError, score: 0, failure: o.internalError };
  }
  let status: number;
  if (o.status === 0 && o.exitCode === 0) status = Status.Accepted;
  else if (o.status === Status.RuntimeError && o.exitCode === 1 && o.signal === 0) {
    status = Status.WrongAnswer;
  } else {
    return { ...base, status: Status.JudgeError, score: 0, failure: describeFailure(o) };
  }
  const score = parseJudgeScore(stdout, status === Status.Accepted ? ACCEPTED_SCORE : 0);
  if (score === null) {
    return {
      ...base,
      status: Status.JudgeError,
      score: 0,
      failure: `the judge wrote a score that is not a number: ${JSON.stringify(stdout.slice(0, 80))}`,
    };
  }
  return { ...base, status, score };
}

/** Why a judge run counts as a judge error, in words. */
export function describeFailure(o: StageOutcome): string {
  if (o.status === Status.TimeLimitExceeded) return `the judge exceeded its time limit`;
  if (o.status === Status.MemoryLimitExceeded) return `the judge exceeded its memory limit`;
  if (o.status === Status.IllegalSystemCall) return `the judge made an illegal system call`;
  if (o.signal) return `the judge was killed by signal ${o.signal}`;
  if (o.exitCode === 2) return 'the judge reported a judge error (exit code 2)';
  return `the judge exited with code ${o.exitCode}`;
}

/** A test-case judge's files as its fds 3 to 7 (see the top of this file). */
const judgeFds = (f: JudgeFiles): ExtraFd[] => [
  { fd: 3, readFile: f.output },
  { fd: 4, readFile: f.expected },
  { fd: 5, readFile: f.source },
  { fd: 6, writeFile: f.debug, capBytes: JUDGE_TEXT_CAP },
  { fd: 7, writeFile: f.info, capBytes: JUDGE_TEXT_CAP },
];

/** Runs a custom test-case judge after the program's run on one test case. */
export async function runTestcaseJudge(
  executor: Executor,
  judge: Program,
  input: Buffer,
  files: JudgeFiles,
  slot: number,
): Promise<CustomVerdict> {
  const o = await executor.run(judge, {
    stdin: input,
    limits: JUDGE_LIMITS,
    slot,
    outputCapBytes: JUDGE_TEXT_CAP,
    fds: judgeFds(files),
  });
  return decide(o, o.stdout.toString('utf8'), readCapped(files.debug), readCapped(files.info));
}

/** The outcome of an interactive test case: the program's run and the judge's verdict. */
export interface InteractiveOutcome {
  program: StageOutcome;
  /** what the program wrote to the judge (capped), for the `output` stream */
  transcript: Buffer;
  judge: CustomVerdict;
}

/**
 * Runs the program and the judge together: what the judge writes to fd 8 is the program's stdin,
 * what the program writes to stdout the judge reads from fd 8. The judge also gets the test input
 * on fd 0, the expected output on fd 4 and the source on fd 5 (fd 3 is empty: the output went to
 * the judge). When the judge ends first, the program gets end-of-file and a short grace to exit.
 */
export async function runInteractive(
  executor: Executor,
  program: Program,
  judge: Program,
  input: Buffer,
  files: JudgeFiles,
  limits: Limits,
  slot: number,
  outputCap: number,
): Promise<InteractiveOutcome> {
  const p = executor.start(program, { limits, slot, outputCapBytes: outputCap });
  const j = executor.start(judge, {
    limits: { ...JUDGE_LIMITS, timeSec: Math.max(JUDGE_LIMITS.timeSec, limits.timeSec * 2) },
    slot,
    outputCapBytes: JUDGE_TEXT_CAP,
    fds: [...judgeFds(files), { fd: 8, stream: true }],
  });
  const channel = j.fds.get(8);
  const ignore = () => undefined;
  // A side that ends early makes the other's writes fail (EPIPE): expected, never fatal.
  for (const s of [p.stdin, p.stdout, j.stdin, j.stdout, channel] as Array<
    Readable | Writable | Duplex | undefined
  >) {
    s?.on('error', ignore);
  }
  j.stdin.end(input);
  const score = collect(j.stdout, JUDGE_TEXT_CAP);
  const transcript: Buffer[] = [];
  let kept = 0;
  if (channel) {
    channel.pipe(p.stdin);
    p.stdout.on('data', (d: Buffer) => {
      if (kept < outputCap) {
        transcript.push(d.subarray(0, outputCap - kept));
        kept += Math.min(d.length, outputCap - kept);
      }
      if (!channel.destroyed) channel.write(d);
    });
    p.stdout.on('end', () => channel.end());
  } else {
    p.stdin.end();
    p.stdout.resume();
  }
  const judged = j.done.then((o) => {
    // The judge has decided: the program gets end-of-file, then a moment to finish.
    p.stdin.end();
    const timer = setTimeout(() => p.stop(), INTERACTIVE_GRACE_MS);
    void p.done.finally(() => clearTimeout(timer));
    return o;
  });
  const [po, jo] = await Promise.all([p.done, judged]);
  channel?.destroy();
  const verdict = channel
    ? decide(jo, await score, readCapped(files.debug), readCapped(files.info))
    : {
        status: Status.InternalError,
        score: 0,
        debug: '',
        info: '',
        failure: 'the execution core gave no fd 8 stream',
        outcome: jo,
      };
  return { program: po, transcript: Buffer.concat(transcript), judge: verdict };
}

function collect(stream: Readable, cap: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (d: Buffer) => {
      if (size < cap) chunks.push(d.subarray(0, cap - size));
      size += d.length;
    });
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** What a custom master judge decided; `failure` set means a judge error. */
export interface MasterRun {
  verdict: FinalVerdict | null;
  debug: string;
  info: string;
  failure?: string;
  internal?: boolean;
}

/**
 * Runs a custom master judge: stdin one line `test status score signal time memory` per test
 * case, stdout one line `STATUS score signal time memory`; fds 6 and 7 as for test-case judges.
 */
export async function runMasterJudge(
  executor: Executor,
  master: Program,
  results: TestcaseOutcome[],
  dir: string,
  slot: number,
): Promise<MasterRun> {
  const debug = join(dir, 'master-debug');
  const info = join(dir, 'master-info');
  const o = await executor.run(master, {
    stdin: masterInput(results),
    limits: JUDGE_LIMITS,
    slot,
    outputCapBytes: JUDGE_TEXT_CAP,
    fds: [
      { fd: 6, writeFile: debug, capBytes: JUDGE_TEXT_CAP },
      { fd: 7, writeFile: info, capBytes: JUDGE_TEXT_CAP },
    ],
  });
  const texts = { debug: readCapped(debug), info: readCapped(info) };
  if (o.status === Status.InternalError) {
    return { verdict: null, ...texts, failure: o.internalError ?? 'sandbox', internal: true };
  }
  if (o.status !== 0) return { verdict: null, ...texts, failure: describeFailure(o) };
  const verdict = parseMasterOutput(o.stdout.toString('utf8'), results);
  if (!verdict) {
    return {
      verdict: null,
      ...texts,
      failure: `the master judge's output is not 'STATUS score [signal time memory]': ${JSON.stringify(o.stdout.toString('utf8').slice(0, 120))}`,
    };
  }
  return { verdict, ...texts };
}
