/**
 * A result in words a beginner can act on: why the program stopped (output cap, time, memory, a
 * signal), and whether a "runtime error" is really a syntax error the interpreter met first.
 */
import { Status } from '../../shared/status.js';
import type { V1Result, V1TestResult } from '../../shared/v1.js';
import type { Messages } from '../i18n/en.js';

/** The engine's note when a program printed past the output cap (see the embedded engine). */
const outputCapNote = /output exceeded the cap of (\d+) bytes/;
/** A Python program that never started: the traceback has no "most recent call last" frame. */
const pythonSyntax = /^\s*(SyntaxError|IndentationError|TabError):/m;

/** True when a runtime error is Python refusing to read the program: shown as a compile error. */
export function isSyntaxError(r: V1Result): boolean {
  const b = r.result;
  if (b.status.code !== Status.RuntimeError) return false;
  const text = b.error?.text ?? '';
  return pythonSyntax.test(text) && !/Traceback \(most recent call last\)/.test(text);
}

/** The status the learner is shown: a Python syntax error reads as a compilation error. */
export function shownStatus(r: V1Result): number {
  return isSyntaxError(r) ? Status.CompilationError : r.result.status.code;
}

export function formatBytes(locale: string, n: number): string {
  const num = (v: number, d: number) =>
    new Intl.NumberFormat(locale, { maximumFractionDigits: d }).format(v);
  if (n < 1024) return `${num(n, 0)} B`;
  if (n < 1024 * 1024) return `${num(n / 1024, 1)} KB`;
  return `${num(n / 1024 / 1024, 1)} MB`;
}

/** The time limit of the test (or run) that ran out of time, when known. */
export function timeLimitOf(r: V1Result): number | null {
  const failed = r.result.testcases?.find((t) => t.status.code === Status.TimeLimitExceeded);
  return failed?.timeLimit ?? null;
}

/** Why the program stopped, in one sentence; null when the status says it all. */
export function reasonOf(m: Messages, locale: string, r: V1Result): string | null {
  const b = r.result;
  const code = b.status.code;
  const secs = (n: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(n);
  if (isSyntaxError(r)) return m.reasonSyntax;
  const given = b.reason;
  if (given) {
    if (given.kind === 'output_cap')
      return m.reasonOutputCap(given.limit ? formatBytes(locale, given.limit) : '');
    if (given.kind === 'memory') return m.reasonMemory;
    return m.reasonTime(given.limit ? secs(given.limit) : '');
  }
  const cap = outputCapNote.exec(b.error?.text ?? '');
  if (cap) return m.reasonOutputCap(formatBytes(locale, Number(cap[1])));
  if (code === Status.TimeLimitExceeded) {
    const limit = timeLimitOf(r);
    return m.reasonTime(limit === null ? '' : secs(limit));
  }
  if (code === Status.MemoryLimitExceeded) return m.reasonMemory;
  const signal = b.signal ?? firstFailed(r)?.signal ?? null;
  if (signal && code !== Status.Accepted) return m.reasonSignal(m.signalWords(signal));
  return null;
}

/** The first test case that did not pass. */
export function firstFailed(r: V1Result): V1TestResult | undefined {
  return r.result.testcases?.find((t) => t.status.code !== Status.Accepted);
}

/** The line (from 1) of the first difference between two outputs; null when they are equal. */
export function firstDifference(expected: string, got: string): number | null {
  const a = expected.replace(/\s+$/, '').split('\n');
  const b = got.replace(/\s+$/, '').split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if ((a[i] ?? '').trimEnd() !== (b[i] ?? '').trimEnd()) return i + 1;
  return null;
}
