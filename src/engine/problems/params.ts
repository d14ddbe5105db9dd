/**
 * Readers for request parameters. JSON bodies carry typed values, form and multipart bodies carry
 * strings: each reader accepts both and says `undefined` for an absent value and `null` for one of
 * the wrong kind, so the caller picks the spec's error code.
 */

/** Absent: missing, null (JSON) or, for non-text parameters, the empty string. */
export const absent = (v: unknown): boolean => v === undefined || v === null;

/** An integer (number or digits, optionally signed). */
export function readInt(v: unknown): number | null | undefined {
  if (absent(v) || v === '') return undefined;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : null;
  if (typeof v === 'string' && /^\s*[+-]?\d{1,15}\s*$/.test(v)) return Number(v);
  return null;
}

/** A finite number (number or decimal text). */
export function readNumber(v: unknown): number | null | undefined {
  if (absent(v) || v === '') return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*$/.test(v)) return Number(v);
  return null;
}

/** A boolean: JSON true/false, or `true`/`false`/`1`/`0` (any case) as text or number. */
export function readBool(v: unknown): boolean | null | undefined {
  if (absent(v) || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
  }
  return null;
}

/** Text (numbers are turned into text, as a form would send them). */
export function readString(v: unknown): string | null | undefined {
  if (absent(v)) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/**
 * A comma-separated list of non-negative integers (a JSON array of them is accepted too). `''`
 * gives `[]`; null when malformed.
 */
export function readNumberList(v: unknown): number[] | null | undefined {
  if (absent(v)) return undefined;
  if (Array.isArray(v)) {
    return v.every((x) => readInt(x) !== null && readInt(x) !== undefined && Number(x) >= 0)
      ? v.map((x) => Number(readInt(x)))
      : null;
  }
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? [v] : null;
  if (typeof v !== 'string') return null;
  if (v.trim() === '') return [];
  const parts = v.split(',').map((s) => s.trim());
  if (!parts.every((p) => /^\d{1,9}$/.test(p))) return null;
  return parts.map(Number);
}

/** A query parameter as an integer in [min, max]; `fallback` when absent or malformed. */
export function queryInt(
  query: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const n = readInt(query.get(name) ?? undefined);
  if (typeof n !== 'number') return fallback;
  return Math.min(max, Math.max(min, n));
}

/** A boolean query parameter; false when absent or malformed. */
export function queryBool(query: URLSearchParams, name: string): boolean {
  return readBool(query.get(name) ?? undefined) === true;
}
