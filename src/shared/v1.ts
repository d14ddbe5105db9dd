/**
 * The widget-facing API of the signing backend, versioned under `/v1`.
 * This file is the contract between `src/elements` (the caller) and `src/server` (the callee);
 * the README documents the same shapes for hosts. Bodies and answers are schemas (valibot), each
 * type inferred from its schema; `npm run schemas` writes them out as JSON Schema.
 *
 * Every request but `POST /v1/sessions` carries `Authorization: Bearer <session token>`.
 * Every refusal is `V1Error` JSON with an HTTP status (400, 401, 403, 404, 413, 429, 500, 502, 503,
 * 504).
 */
import * as v from 'valibot';
import { CompilerVersionSchema, HighlightersSchema, StatusInfoSchema } from './compilers.js';
import { LimitsReportSchema } from './sandbox-limits.js';
import { optional, required, type Sendable } from './schema.js';

// --- request bodies, as schemas (the backend validates them; a failure's message is the
// `bad_request` message)

const needed = (key: string) => `'${key}' is required.`;
const wholeNumber = (key: string) => {
  const wrong = `'${key}' must be a whole number.`;
  return v.pipe(v.number(wrong), v.integer(wrong), v.minValue(0, wrong));
};
const string = (key: string) => v.string(`'${key}' must be a string.`);

/** `POST /v1/sessions` body. */
export const CreateSessionBody = v.object({
  widget: required(needed('widget'), string('widget'), 'value'),
});

/** `POST /v1/runs` body. */
export const CreateRunBody = v.object({
  compilerId: required(needed('compilerId'), wholeNumber('compilerId'), 'value'),
  compilerVersionId: optional(wholeNumber('compilerVersionId'), undefined, 'value'),
  source: required(needed('source'), string('source'), 'value'),
  input: optional(string('input'), undefined, 'value'),
});

/** `POST /v1/submissions` body. */
export const CreateSubmissionBody = v.object({
  problemId: required(
    needed('problemId'),
    v.pipe(
      v.custom<number | string>(
        (x) => typeof x === 'number' || typeof x === 'string',
        needed('problemId'),
      ),
      // the JSON Schema of the custom check (npm run schemas)
      v.metadata({ type: ['number', 'string'] }),
    ),
    'value',
  ),
  compilerId: required(needed('compilerId'), wholeNumber('compilerId'), 'value'),
  compilerVersionId: optional(wholeNumber('compilerVersionId'), undefined, 'value'),
  source: required(needed('source'), string('source'), 'value'),
});

// --- answers, as schemas (the types below are inferred from them; nothing validates an answer at
// run time: the schemas are the one source of the types and of the JSON Schema)

const nullableNumber = v.nullable(v.number());

export const WidgetModeSchema = v.picklist(['run', 'problem', 'workspace']);
export type WidgetMode = v.InferOutput<typeof WidgetModeSchema>;
export const SessionActionSchema = v.picklist(['run', 'submit', 'workspace']);
export type SessionAction = v.InferOutput<typeof SessionActionSchema>;

/** What a widget may show, from the backend's widget config. */
export const DisplayOptionsSchema = v.object({
  /** show the per-test-case table */
  perTestResults: v.boolean(),
  /** show program output, error and compiler messages */
  output: v.boolean(),
  /** show expected versus produced output of failed test cases */
  expectedVsGot: v.boolean(),
});
export type DisplayOptions = v.InferOutput<typeof DisplayOptionsSchema>;

/** The public description of a configured widget. */
export const WidgetInfoSchema = v.object({
  id: v.string(),
  mode: WidgetModeSchema,
  problemId: nullableNumber,
  /** compiler ids the widget allows (empty: every compiler of the upstream) */
  compilers: v.array(v.number()),
  defaultCompilerId: nullableNumber,
  display: DisplayOptionsSchema,
  /** what the session may do: `run` (Compilers), `submit` (Problems) */
  actions: v.array(SessionActionSchema),
});
export type WidgetInfo = v.InferOutput<typeof WidgetInfoSchema>;

/** `POST /v1/sessions` body: a session for a public widget (no host server needed). */
export type CreateSessionRequest = Sendable<v.InferOutput<typeof CreateSessionBody>>;

/** `POST /v1/sessions` and `POST /v1/sessions/refresh` answer (201 and 200). */
export const SessionResponseSchema = v.object({
  /** the session token: a short-lived JWT, sent back as `Authorization: Bearer` */
  token: v.string(),
  /** ISO 8601 expiry of the token */
  expiresAt: v.string(),
  widget: WidgetInfoSchema,
});
export type SessionResponse = v.InferOutput<typeof SessionResponseSchema>;

/** An item of `GET /v1/languages`. */
export const V1LanguageSchema = v.object({
  id: v.number(),
  name: v.string(),
  short: v.string(),
  versions: v.array(CompilerVersionSchema),
  highlighters: HighlightersSchema,
});
export type V1Language = v.InferOutput<typeof V1LanguageSchema>;

/** `GET /v1/languages`. */
export const LanguagesResponseSchema = v.object({
  items: v.array(V1LanguageSchema),
  /** the widget's default compiler id, when set */
  defaultId: nullableNumber,
  /**
   * the session's widget, as `POST /v1/sessions` describes it: how an element holding a
   * host-signed token learns the widget's problem
   */
  widget: WidgetInfoSchema,
});
export type LanguagesResponse = v.InferOutput<typeof LanguagesResponseSchema>;

/** `GET /v1/problems/:id`. */
export const V1ProblemSchema = v.object({
  id: v.number(),
  name: v.string(),
  /** the statement as the problem setter wrote it (HTML); render it sanitized, never as trusted markup */
  statement: v.string(),
  type: v.object({ id: v.number(), name: v.string() }),
  /** compiler ids allowed for this problem in this session */
  languages: v.array(v.number()),
  display: DisplayOptionsSchema,
  /**
   * the input of the problem's first test case, to try a program with before submitting; null when
   * the widget hides its test cases (no expected-versus-got)
   */
  sampleInput: v.nullable(v.string()),
});
export type V1Problem = v.InferOutput<typeof V1ProblemSchema>;

/** `POST /v1/runs` body (Compilers module). */
export type CreateRunRequest = Sendable<v.InferOutput<typeof CreateRunBody>>;

/** `POST /v1/submissions` body (Problems module). */
export type CreateSubmissionRequest = Sendable<v.InferOutput<typeof CreateSubmissionBody>>;

/** 201 answer of `POST /v1/runs` and `POST /v1/submissions`. */
export const CreatedResponseSchema = v.object({
  /** opaque id, valid only for the session's subject */
  id: v.string(),
});
export type CreatedResponse = v.InferOutput<typeof CreatedResponseSchema>;

/** A stream's text, inline. `truncated` is true when the text was cut (at the program or the relay). */
export const V1StreamSchema = v.object({
  text: v.string(),
  truncated: v.boolean(),
  /** size in bytes of the whole stream */
  size: v.number(),
});
export type V1Stream = v.InferOutput<typeof V1StreamSchema>;

export const V1TestResultSchema = v.object({
  number: v.number(),
  status: StatusInfoSchema,
  score: nullableNumber,
  time: nullableNumber,
  memory: nullableNumber,
  signal: nullableNumber,
  /** the test case's time limit in seconds, when the upstream tells it */
  timeLimit: v.optional(nullableNumber),
  /** present when the widget's display allows expected-vs-got and the test case failed */
  expected: v.optional(V1StreamSchema),
  got: v.optional(V1StreamSchema),
  /** the failed test case's input, under the same condition as `expected` */
  input: v.optional(V1StreamSchema),
});
export type V1TestResult = v.InferOutput<typeof V1TestResultSchema>;

/**
 * Why the engine stopped a program, machine-readable: relayed when the upstream reports it (the
 * embedded engine's hardening adds it); absent otherwise, and the widget reads the other fields.
 */
export const V1StopReasonSchema = v.object({
  kind: v.picklist(['output_cap', 'wall_time', 'cpu_time', 'memory']),
  /** the limit that was hit: bytes, seconds or kilobytes */
  limit: v.optional(v.number()),
});
export type V1StopReason = v.InferOutput<typeof V1StopReasonSchema>;

export const V1ResultBodySchema = v.object({
  status: StatusInfoSchema,
  /** why the engine stopped the program, when the upstream says */
  reason: v.optional(v.nullable(V1StopReasonSchema)),
  /** CPU seconds */
  time: nullableNumber,
  /** peak kilobytes */
  memory: nullableNumber,
  score: nullableNumber,
  signal: nullableNumber,
  signalDesc: v.nullable(v.string()),
  output: v.nullable(V1StreamSchema),
  error: v.nullable(V1StreamSchema),
  cmpinfo: v.nullable(V1StreamSchema),
  /** per-test-case results (submissions only, when the widget allows them) */
  testcases: v.optional(v.array(V1TestResultSchema)),
});
export type V1ResultBody = v.InferOutput<typeof V1ResultBodySchema>;

/** `GET /v1/runs/:id` and `GET /v1/submissions/:id`; also the `result` server-sent event. */
export const V1ResultSchema = v.object({
  id: v.string(),
  kind: v.picklist(['run', 'submission']),
  executing: v.boolean(),
  result: V1ResultBodySchema,
});
export type V1Result = v.InferOutput<typeof V1ResultSchema>;

/**
 * Server-sent events of `GET /v1/runs/:id/events` and `GET /v1/submissions/:id/events`:
 * `event: status` with `V1StatusEvent` on every status change, then `event: result` with
 * `V1Result` once final, then the stream ends. `event: error` carries a `V1Error`.
 */
export const V1StatusEventSchema = v.object({
  id: v.string(),
  executing: v.boolean(),
  status: StatusInfoSchema,
});
export type V1StatusEvent = v.InferOutput<typeof V1StatusEventSchema>;

export const V1ErrorCodeSchema = v.picklist([
  'bad_request',
  'unauthorized',
  'token_expired',
  'forbidden',
  'not_found',
  'too_large',
  'rate_limited',
  'origin_not_allowed',
  'upstream_error',
  'upstream_unavailable',
  'upstream_timeout',
  'internal',
  /** a file changed since the edit started (`PUT /v1/workspace/file` with `baseVersion`) */
  'conflict',
  /** the feature needs what this backend does not have (a terminal on a hosted upstream) */
  'unavailable',
]);
export type V1ErrorCode = v.InferOutput<typeof V1ErrorCodeSchema>;

/** The figures behind a refusal, for a message in the page's language. */
export const V1ErrorDetailsSchema = v.object({
  /** the widget the request was for */
  widget: v.optional(v.string()),
  /** the page origin that was refused (`origin_not_allowed`) */
  origin: v.optional(v.string()),
  /** what was too large (`too_large`) */
  what: v.optional(v.picklist(['source', 'input', 'body', 'file'])),
  /** its size in bytes, and the widget's limit (`too_large`) */
  size: v.optional(v.number()),
  limit: v.optional(v.number()),
  /** seconds until a retry may pass (`rate_limited`) */
  retryAfter: v.optional(v.number()),
  /** why a session could not be had: `not_public`, `no_widget`, `invalid_token` */
  reason: v.optional(v.picklist(['not_public', 'no_widget', 'invalid_token'])),
});
export type V1ErrorDetails = v.InferOutput<typeof V1ErrorDetailsSchema>;

/** Every refusal of `/v1`, with its HTTP status. */
export const V1ErrorSchema = v.object({
  error: v.object({
    code: V1ErrorCodeSchema,
    message: v.string(),
    details: v.optional(V1ErrorDetailsSchema),
  }),
});
export type V1Error = v.InferOutput<typeof V1ErrorSchema>;

const moduleHealth = v.object({ reachable: v.boolean(), embedded: v.boolean() });

/** `GET /healthz`. */
export const HealthResponseSchema = v.object({
  ok: v.boolean(),
  upstream: v.object({ compilers: moduleHealth, problems: moduleHealth, containers: moduleHealth }),
  sandbox: v.optional(
    v.object({
      ok: v.boolean(),
      problems: v.array(v.string()),
      limits: v.optional(LimitsReportSchema),
    }),
  ),
});
export type HealthResponse = v.InferOutput<typeof HealthResponseSchema>;
