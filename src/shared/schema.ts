/**
 * Small pieces shared by the package's schemas (valibot) at every edge: parameters that may be
 * missing, sent empty, or sent as JSON `null`. Pure; imports nothing of ours.
 */
import * as v from 'valibot';

/** A check's message, fixed or made from the failing value. */
export type Message = string | ((issue: v.BaseIssue<unknown>) => string);

/** How a parameter that was sent empty (`''`, as a form leaves a field blank) is read. */
export type Empty = 'absent' | 'value';

const notSent = (x: unknown, empty: Empty) =>
  x === undefined || x === null || (empty === 'absent' && x === '');

/**
 * A parameter: `schema` always runs, on `undefined` when the parameter was not sent (missing, JSON
 * `null`, or `''` unless `empty` is `'value'`). (The object's own "missing key" issue never comes
 * up: the default `null` makes the object run the entry.)
 */
export function sent<S extends v.GenericSchema>(
  schema: S,
  empty: Empty,
  param: 'required' | 'optional' = 'optional',
): v.GenericSchema<unknown, v.InferOutput<S>> {
  return v.pipe(
    v.optional(v.unknown(), null),
    v.transform((x): unknown => (notSent(x, empty) ? undefined : x)),
    schema,
    // for the JSON Schema writer (scripts/schemas.ts): every parameter is optional to valibot
    v.metadata({ param }),
  );
}

/** A required parameter: `missing` when it was not sent. */
export function required<S extends v.GenericSchema>(
  missing: Message,
  schema: S,
  empty: Empty = 'absent',
): v.GenericSchema<unknown, v.InferOutput<S>> {
  return sent(
    v.pipe(
      v.custom<unknown>((x) => x !== undefined, missing),
      schema,
    ),
    empty,
    'required',
  );
}

/** An optional parameter: `fallback` when it was not sent. */
export function optional<S extends v.GenericSchema, const F>(
  schema: S,
  fallback: F,
  empty: Empty = 'absent',
): v.GenericSchema<unknown, Exclude<v.InferOutput<S>, undefined> | F> {
  return sent(
    v.pipe(
      v.optional(schema),
      v.transform((x) =>
        x === undefined ? fallback : (x as Exclude<v.InferOutput<S>, undefined>),
      ),
    ),
    empty,
  );
}

/** The value as it was sent (`undefined` when not sent), for a check made with other parameters. */
export function raw(empty: Empty = 'absent'): v.GenericSchema<unknown, unknown> {
  return sent(v.unknown(), empty);
}

/**
 * What a client sends for a schema whose output is `T`: keys whose value may be `undefined` are
 * optional.
 */
export type Sendable<T> = {
  [K in keyof T as undefined extends T[K] ? never : K]: T[K];
} & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};
