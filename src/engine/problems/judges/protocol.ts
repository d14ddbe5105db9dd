/**
 * The text protocols between the engine and custom judges (JUDGES.md): the lines a master judge
 * reads and writes, and the score a test-case judge writes.
 */
import { Status } from '../../../shared/status.js';
import type { FinalVerdict, TestcaseOutcome } from './builtin.js';

/** Status mnemonics in master-judge lines (SPOJ style); numeric codes are accepted as well. */
export const STATUS_MNEMONICS: Readonly<Record<string, number>> = {
  CE: Status.CompilationError,
  RE: Status.RuntimeError,
  TLE: Status.TimeLimitExceeded,
  WA: Status.WrongAnswer,
  AC: Status.Accepted,
  MLE: Status.MemoryLimitExceeded,
  SYS: Status.IllegalSystemCall,
  IE: Status.InternalError,
  JE: Status.JudgeError,
  PE: Status.ProblemError,
};

const mnemonicOf = new Map(Object.entries(STATUS_MNEMONICS).map(([k, v]) => [v, k]));

/** The mnemonic of a final status code (`AC` for 15); the number itself when it has none. */
export function statusMnemonic(code: number): string {
  return mnemonicOf.get(code) ?? String(code);
}

/** A status given as a mnemonic (any case) or a final code; null when neither. */
export function parseStatus(word: string): number | null {
  const byName = STATUS_MNEMONICS[word.toUpperCase()];
  if (byName !== undefined) return byName;
  if (/^\d+$/.test(word) && mnemonicOf.has(Number(word))) return Number(word);
  return null;
}

const num = (x: number): string => String(Math.round(x * 1000) / 1000);

/** The master judge's stdin: one line `test status score signal time memory` per test case. */
export function masterInput(results: TestcaseOutcome[]): string {
  return results
    .map(
      (r) =>
        `${r.number} ${statusMnemonic(r.status)} ${num(r.score)} ${r.signal} ${num(r.time)} ${r.memory}\n`,
    )
    .join('');
}

/**
 * Reads a master judge's stdout: its first non-empty line `STATUS score [signal time memory]`.
 * Missing signal, time and memory default to 0, the sum of the times and the largest memory.
 * Returns null when the line is missing or malformed (a judge error).
 */
export function parseMasterOutput(out: string, results: TestcaseOutcome[]): FinalVerdict | null {
  const line = out.split('\n').find((l) => l.trim() !== '');
  if (line === undefined) return null;
  const words = line.trim().split(/\s+/);
  if (words.length < 2 || words.length > 5) return null;
  const status = parseStatus(words[0]!);
  const score = Number(words[1]);
  if (status === null || !Number.isFinite(score)) return null;
  const signal = words[2] === undefined ? 0 : Number(words[2]);
  const time = words[3] === undefined ? results.reduce((s, r) => s + r.time, 0) : Number(words[3]);
  const memory =
    words[4] === undefined ? results.reduce((m, r) => Math.max(m, r.memory), 0) : Number(words[4]);
  if (!Number.isInteger(signal) || signal < 0) return null;
  if (!Number.isFinite(time) || time < 0 || !Number.isFinite(memory) || memory < 0) return null;
  return {
    status,
    score,
    signal,
    time: Math.round(time * 1000) / 1000,
    memory: Math.round(memory),
  };
}

/**
 * Reads the score a test-case judge wrote to fd 1: the first number of its output. An empty
 * output gives `fallback`; anything else that is not a number gives null (a judge error).
 */
export function parseJudgeScore(out: string, fallback: number): number | null {
  const t = out.trim();
  if (t === '') return fallback;
  const first = t.split(/\s+/)[0]!;
  const n = Number(first);
  return Number.isFinite(n) ? n : null;
}
