/**
 * Request parameters by schema (valibot), at the edge. Each API method's parameters are one schema
 * over the parsed body (or the query); the handler gets the schema's typed output.
 *
 * Error codes: a failing check's message is a {@link Failure}, `"<error_code> <message>"`, so the
 * code stands beside the check that causes it; {@link parseParams} turns the first failure (in the
 * schema's order, which is the order the spec's checks are made in) into the spec's 400
 * `{error_code, message}`.
 *
 * The three body formats carry values differently (JSON keeps its types; form and multipart fields
 * are text), so the field schemas here take both: {@link int} accepts `42` and `"42"`.
 */
import * as v from 'valibot';
import { optional, raw, required, sent } from '../../shared/schema.js';
import { InvalidText, type Body } from './body.js';
import { ApiError } from './errors.js';

export { optional, raw, required };
export type { Empty } from '../../shared/schema.js';

/** A check's message: the spec's error code, one space, the message. */
export type Failure = `${number} ${string}`;

/** A failure message, fixed or made from the failing value. */
export type Say = Failure | ((issue: v.BaseIssue<unknown>) => Failure);

export const failure = (code: number, message: string): Failure => `${code} ${message}`;

const FAILURE = /^(\d+) ([\s\S]*)$/;

/**
 * The output of `schema` for `input`, or the spec's 400 for its first failure. A failure without a
 * code (a check that was given no {@link Failure}) answers `fallback`, the method's "creation
 * failed".
 */
export function parseParams<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  fallback: number,
): v.InferOutput<S> {
  const result = v.safeParse(schema, input, { abortEarly: true });
  if (result.success) return result.output;
  const message = result.issues[0].message;
  const m = FAILURE.exec(message);
  if (m) throw new ApiError(400, Number(m[1]), m[2]!);
  throw new ApiError(400, fallback, `invalid parameters: ${message}`);
}

const INT = /^\s*[+-]?\d{1,15}\s*$/;
const DECIMAL = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*$/;

/**
 * `x` as an integer: a safe integer number, or text matching `pattern` (signed digits by default);
 * undefined otherwise. For checks that read a value beside others (a compiler's version).
 */
export function intValue(x: unknown, pattern: RegExp = INT): number | undefined {
  if (typeof x === 'number') return Number.isSafeInteger(x) ? x : undefined;
  return typeof x === 'string' && pattern.test(x) ? Number(x) : undefined;
}

/** An integer: a safe integer number, or text matching `pattern` (signed digits by default). */
export function int(wrong: Say, pattern: RegExp = INT) {
  return v.pipe(
    v.custom<number | string>((x) => intValue(x, pattern) !== undefined, wrong),
    v.transform((x) => intValue(x, pattern)!),
  );
}

/** A number: a finite number, or decimal text matching `pattern`. */
export function decimal(wrong: Say, pattern: RegExp = DECIMAL) {
  return v.pipe(
    v.custom<number | string>(
      (x) =>
        typeof x === 'number' ? Number.isFinite(x) : typeof x === 'string' && pattern.test(x),
      wrong,
    ),
    v.transform(Number),
  );
}

function toBool(x: unknown): boolean | undefined {
  if (typeof x === 'boolean') return x;
  if (x === 1 || x === 0) return x === 1;
  if (typeof x === 'string') {
    const t = x.trim().toLowerCase();
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
  }
  return undefined;
}

/** A boolean: JSON true/false, or `true`/`false`/`1`/`0` (any case) as text or number. */
export function bool(wrong: Say) {
  return v.pipe(
    v.custom<boolean | number | string>((x) => toBool(x) !== undefined, wrong),
    v.transform((x) => toBool(x)!),
  );
}

/** Text; a number is taken as its text, as a form would send it. */
export function text(wrong: Say) {
  return v.pipe(
    v.custom<string | number>(
      (x) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)),
      wrong,
    ),
    v.transform(String),
  );
}

function toNumberList(x: unknown): number[] | null {
  if (Array.isArray(x)) {
    const list = x.map((y) => intValue(y));
    return list.every((n) => n !== undefined && n >= 0) ? (list as number[]) : null;
  }
  if (typeof x === 'number') return Number.isSafeInteger(x) && x >= 0 ? [x] : null;
  if (typeof x !== 'string') return null;
  if (x.trim() === '') return [];
  const parts = x.split(',').map((s) => s.trim());
  return parts.every((p) => /^\d{1,9}$/.test(p)) ? parts.map(Number) : null;
}

/**
 * Non-negative integers: comma-separated text (`''` is none), one number, or a JSON array of them.
 */
export function numberList(wrong: Say) {
  return v.pipe(
    v.custom<unknown>((x) => toNumberList(x) !== null, wrong),
    v.transform((x) => toNumberList(x)!),
  );
}

/** One of `values`, compared as sent. */
export function oneOf<const T extends readonly (string | number)[]>(values: T, wrong: Say) {
  return v.custom<T[number]>((x) => values.includes(x as T[number]), wrong);
}

/** `find(value)`, failing with `wrong` when it finds nothing. */
export function lookup<I, O>(find: (value: I) => O | null | undefined, wrong: Say) {
  return v.rawTransform<I, O>(({ dataset, addIssue, NEVER }) => {
    const found = find(dataset.value);
    if (found === null || found === undefined) {
      addIssue({ message: wrong });
      return NEVER;
    }
    return found;
  });
}

/** A check of the value (often of several parameters at once) with a failure message. */
export const check = <I>(ok: (value: I) => boolean, wrong: Say) => v.check<I, Say>(ok, wrong);

/** The parsed body as a record (every body parser gives one). */
export const body = v.custom<Body>((x) => typeof x === 'object' && x !== null);

/**
 * Refuses a body holding text that is not UTF-8 (form, multipart) or not Unicode (a JSON lone
 * surrogate), rather than storing it changed: the code `codes` gives its parameter
 * (`files[name]` counts as `files`), else `fallback` (the method's "creation failed"). It looks at
 * every field, known or not, before any parameter is read.
 */
export function validText(fallback: number, codes: Readonly<Record<string, number>> = {}) {
  return v.rawCheck<Body>(({ dataset, addIssue }) => {
    const bad = firstInvalidText(dataset.value as Body);
    if (!bad) return;
    const { field, key, at } = bad;
    addIssue({
      message: failure(
        codes[key] ?? fallback,
        `${field} is not valid UTF-8 text (${at >= 0 ? `byte ${at}` : 'a lone surrogate'}); ` +
          'send text as UTF-8',
      ),
    });
  });
}

function firstInvalidText(b: Body): { field: string; key: string; at: number } | null {
  for (const [key, x] of Object.entries(b)) {
    if (x instanceof InvalidText) return { field: key, key, at: x.at };
    if (typeof x === 'object' && x !== null && !Array.isArray(x)) {
      for (const [sub, y] of Object.entries(x)) {
        if (y instanceof InvalidText) return { field: `${key}[${sub}]`, key, at: y.at };
      }
    }
  }
  return null;
}

/**
 * Parses `value` with `schema` inside a check of several parameters (one that needs another's
 * output first): the output, or the message of its first failure.
 */
export function parseNested<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
): { ok: true; output: v.InferOutput<S> } | { ok: false; message: string } {
  const result = v.safeParse(schema, value, { abortEarly: true });
  return result.success
    ? { ok: true, output: result.output }
    : { ok: false, message: result.issues[0].message };
}

/** A query flag: true only for a true value (`true`, `1`); anything else is false, never an error. */
export const queryFlag = () =>
  sent(
    v.pipe(
      v.unknown(),
      v.transform((x) => toBool(x) === true),
    ),
    'absent',
  );

/** A query integer clamped to [min, max]; `fallback` when absent or malformed, never an error. */
export function queryInt(fallback: number, min: number, max: number) {
  return sent(
    v.pipe(
      v.unknown(),
      v.transform((x) => {
        const n = intValue(x);
        return n === undefined ? fallback : Math.min(max, Math.max(min, n));
      }),
    ),
    'absent',
  );
}

/**
 * The start of a method's body schema: the body, its text checked ({@link validText}), and each of
 * `groups` set to the whole body: a group of parameters checked together (a compiler and its
 * version) is then one entry of the method's object, in its place in the order.
 */
export function withBody(
  fallback: number,
  o: { codes?: Readonly<Record<string, number>>; groups?: readonly string[] } = {},
) {
  const groups = o.groups ?? [];
  return v.pipe(
    body,
    validText(fallback, o.codes),
    v.transform((b: Body): Body => Object.assign({ ...b }, ...groups.map((g) => ({ [g]: b })))),
  );
}

/** A path parameter that is an id (up to 15 digits); null when it cannot be one. */
export function pathId(param: string | undefined): number | null {
  return param !== undefined && /^\d{1,15}$/.test(param) ? Number(param) : null;
}

/** Query parameters as a record of their (first) values, for a schema to read. */
export function queryRecord(query: URLSearchParams): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [k, x] of query) if (!(k in out)) out[k] = x;
  return out;
}
