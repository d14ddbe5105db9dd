/**
 * The built-in judges of JUDGES.md as pure functions: test-case judges 1, 2, 3, 4, 9 and 10, and
 * master judges 1000 and 1001. They run inside the engine (no sandbox: they read data, never code).
 */
import { Status, type StopReason } from '../../../shared/status.js';

/** What a test-case judge decides for one test case. */
export interface TestcaseVerdict {
  /** 15 accepted or 14 wrong answer */
  status: number;
  score: number;
  /** text for the submission's debug stream (judge 9: where the outputs differ) */
  debug?: string;
}

/** The data a test-case judge sees. */
export interface TestcaseJudgeInput {
  /** the program's output */
  output: Buffer;
  /** the test case's expected output */
  expected: Buffer;
  /** the program's source size in bytes (judge 4 scores by it) */
  sourceBytes: number;
}

/** One test case's outcome, as a master judge reads it. */
export interface TestcaseOutcome {
  number: number;
  status: number;
  score: number;
  signal: number;
  /** seconds */
  time: number;
  /** kilobytes */
  memory: number;
  /** why the engine stopped the program on this test case (extension) */
  reason?: StopReason;
}

/** A master judge's decision for the whole submission. */
export interface FinalVerdict {
  status: number;
  score: number;
  signal: number;
  time: number;
  memory: number;
}

/** Score of an accepted test case under the judges that do not score by length. */
export const ACCEPTED_SCORE = 100;

// Bytes are compared as latin1 so every byte maps to one character: no UTF-8 decoding can make
// two different outputs equal (or hide invalid sequences).
const text = (b: Buffer): string => b.toString('latin1');

/** Judge 1's rule: trim, then every run of spaces, tabs, CR and LF counts as one space. */
export function tokens(b: Buffer): string[] {
  const t = text(b).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  return t === '' ? [] : t.split(/[ \t\r\n]+/);
}

const verdict = (ok: boolean, acceptedScore = ACCEPTED_SCORE): TestcaseVerdict => ({
  status: ok ? Status.Accepted : Status.WrongAnswer,
  score: ok ? acceptedScore : 0,
});

function sameTokens(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Judge 1: ignores extra whitespace. */
export function judgeIgnoreWhitespace(input: TestcaseJudgeInput): TestcaseVerdict {
  return verdict(sameTokens(tokens(input.output), tokens(input.expected)));
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * True when two tokens are equal, or both numbers differing by at most `eps`. A relative slack of
 * a few ulps keeps decimal bounds exact in binary floating point (1.01 - 1.00 is 0.010000000000000009).
 */
export function tokensMatch(got: string, want: string, eps: number): boolean {
  if (got === want) return true;
  if (!NUMBER.test(got) || !NUMBER.test(want)) return false;
  const a = Number(got);
  const b = Number(want);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  const slack = eps * 1e-9 + 4 * Number.EPSILON * Math.max(Math.abs(a), Math.abs(b));
  return Math.abs(a - b) <= eps + slack;
}

/** Judges 2 and 3: like judge 1, token by token, numbers within `eps`. */
export function judgeFloat(input: TestcaseJudgeInput, eps: number): TestcaseVerdict {
  const got = tokens(input.output);
  const want = tokens(input.expected);
  if (got.length !== want.length) return verdict(false);
  for (let i = 0; i < got.length; i++)
    if (!tokensMatch(got[i]!, want[i]!, eps)) return verdict(false);
  return verdict(true);
}

/** Judge 4: checks like judge 1; an accepted test case scores the source length in bytes. */
export function judgeSourceLength(input: TestcaseJudgeInput): TestcaseVerdict {
  return verdict(sameTokens(tokens(input.output), tokens(input.expected)), input.sourceBytes);
}

/** Judge 9 (Academy): checks like judge 1 and describes the first difference for display. */
export function judgeAcademy(input: TestcaseJudgeInput): TestcaseVerdict {
  const got = tokens(input.output);
  const want = tokens(input.expected);
  if (sameTokens(got, want)) return verdict(true);
  return { ...verdict(false), debug: describeDifference(input.output, input.expected) };
}

/** Judge 10: byte-identical output. */
export function judgeExact(input: TestcaseJudgeInput): TestcaseVerdict {
  return verdict(input.output.equals(input.expected));
}

/**
 * Where two outputs first differ under judge 1's rule: the token's position and the whole line it
 * sits on in each output (cut to a readable length).
 */
export function describeDifference(output: Buffer, expected: Buffer): string {
  const got = positioned(output.toString('utf8'));
  const want = positioned(expected.toString('utf8'));
  let i = 0;
  while (i < got.length && i < want.length && got[i]!.token === want[i]!.token) i++;
  const line = (src: string, at: { line: number } | undefined, all: Array<{ line: number }>) => {
    const n = at ? at.line : (all[all.length - 1]?.line ?? 0);
    return { n: n + 1, text: cut(src.split('\n')[n] ?? '') };
  };
  const g = line(output.toString('utf8'), got[i], got);
  const w = line(expected.toString('utf8'), want[i], want);
  const lines = [`first difference at token ${i + 1}`];
  lines.push(
    i < want.length
      ? `expected (line ${w.n}): ${w.text}`
      : `expected: end of output after ${want.length} tokens`,
  );
  lines.push(
    i < got.length
      ? `produced (line ${g.n}): ${g.text}`
      : `produced: end of output after ${got.length} tokens`,
  );
  return lines.join('\n') + '\n';
}

function positioned(s: string): Array<{ token: string; line: number }> {
  const out: Array<{ token: string; line: number }> = [];
  const re = /[^ \t\r\n]+|\n/g;
  let line = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m[0] === '\n') line++;
    else out.push({ token: m[0], line });
  }
  return out;
}

function cut(s: string, max = 200): string {
  const t = s.replace(/\r$/, '');
  return t.length > max ? t.slice(0, max) + '...' : t;
}

/** Runs built-in test-case judge `id` (1, 2, 3, 4, 9 or 10). */
export function runBuiltinTestcaseJudge(id: number, input: TestcaseJudgeInput): TestcaseVerdict {
  switch (id) {
    case 1:
      return judgeIgnoreWhitespace(input);
    case 2:
      return judgeFloat(input, 1e-2);
    case 3:
      return judgeFloat(input, 1e-6);
    case 4:
      return judgeSourceLength(input);
    case 9:
      return judgeAcademy(input);
    case 10:
      return judgeExact(input);
    default:
      throw new Error(`no built-in test-case judge ${id}`);
  }
}

// A judge error or an internal error is the problem setter's or the engine's failure, never a
// partial success: it decides the final status whatever the master judge.
const isSetupFailure = (s: number) => s === Status.InternalError || s === Status.JudgeError;

function totals(results: TestcaseOutcome[]): { time: number; memory: number } {
  let time = 0;
  let memory = 0;
  for (const r of results) {
    time += r.time;
    memory = Math.max(memory, r.memory);
  }
  return { time: round(time, 3), memory };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * Master judge 1000: accepted only when every test case is; otherwise the status (and signal) of
 * the first failing test case in test order. Score: the mean of the test-case scores when
 * accepted, else 0. Time is the sum, memory the maximum. `results` must not be empty.
 */
export function masterGeneric(results: TestcaseOutcome[]): FinalVerdict {
  const sorted = [...results].sort((a, b) => a.number - b.number);
  const { time, memory } = totals(sorted);
  const failed = sorted.find((r) => r.status !== Status.Accepted);
  if (failed) return { status: failed.status, score: 0, signal: failed.signal, time, memory };
  const score = sorted.reduce((s, r) => s + r.score, 0) / sorted.length;
  return { status: Status.Accepted, score: round(score, 2), signal: 0, time, memory };
}

/**
 * Master judge 1001: accepted when at least one test case is; the score is the percentage of
 * accepted test cases (two decimals). With none accepted, the first failure's status and score 0.
 * A judge or internal error in any test case decides the status.
 */
export function masterPercentage(results: TestcaseOutcome[]): FinalVerdict {
  const sorted = [...results].sort((a, b) => a.number - b.number);
  const { time, memory } = totals(sorted);
  const setup = sorted.find((r) => isSetupFailure(r.status));
  const passed = sorted.filter((r) => r.status === Status.Accepted).length;
  const score = round((100 * passed) / sorted.length, 2);
  if (setup) return { status: setup.status, score, signal: setup.signal, time, memory };
  if (passed > 0) return { status: Status.Accepted, score, signal: 0, time, memory };
  const first = sorted[0]!;
  return { status: first.status, score: 0, signal: first.signal, time, memory };
}

/** Runs built-in master judge `id` (1000 or 1001). */
export function runBuiltinMasterJudge(id: number, results: TestcaseOutcome[]): FinalVerdict {
  if (id === 1000) return masterGeneric(results);
  if (id === 1001) return masterPercentage(results);
  throw new Error(`no built-in master judge ${id}`);
}
