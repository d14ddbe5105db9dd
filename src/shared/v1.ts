/**
 * The widget-facing API of the signing backend, versioned under `/v1`.
 * This file is the contract between `src/elements` (the caller) and `src/server` (the callee);
 * the README documents the same shapes for hosts.
 *
 * Every request but `POST /v1/sessions` carries `Authorization: Bearer <session token>`.
 * Every refusal is `V1Error` JSON with an HTTP status (400, 401, 403, 404, 413, 429, 500, 502, 503,
 * 504).
 */
import * as v from 'valibot';
import type { CompilerVersion, Highlighters, StatusInfo } from './compilers.js';
import type { LimitsReport } from './sandbox-limits.js';
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
    v.custom<number | string>(
      (x) => typeof x === 'number' || typeof x === 'string',
      needed('problemId'),
    ),
    'value',
  ),
  compilerId: required(needed('compilerId'), wholeNumber('compilerId'), 'value'),
  compilerVersionId: optional(wholeNumber('compilerVersionId'), undefined, 'value'),
  source: required(needed('source'), string('source'), 'value'),
});

export type WidgetMode = 'run' | 'problem';
export type SessionAction = 'run' | 'submit' | 'workspace';

/** What a widget may show, from the backend's widget config. */
export interface DisplayOptions {
  /** show the per-test-case table */
  perTestResults: boolean;
  /** show program output, error and compiler messages */
  output: boolean;
  /** show expected versus produced output of failed test cases */
  expectedVsGot: boolean;
}

/** The public description of a configured widget. */
export interface WidgetInfo {
  id: string;
  mode: WidgetMode;
  problemId: number | null;
  /** compiler ids the widget allows (empty: every compiler of the upstream) */
  compilers: number[];
  defaultCompilerId: number | null;
  display: DisplayOptions;
  /** what the session may do: `run` (Compilers), `submit` (Problems) */
  actions: SessionAction[];
}

/** `POST /v1/sessions` body: a session for a public widget (no host server needed). */
export type CreateSessionRequest = Sendable<v.InferOutput<typeof CreateSessionBody>>;

/** `POST /v1/sessions` and `POST /v1/sessions/refresh` answer (201 and 200). */
export interface SessionResponse {
  /** the session token: a short-lived JWT, sent back as `Authorization: Bearer` */
  token: string;
  /** ISO 8601 expiry of the token */
  expiresAt: string;
  widget: WidgetInfo;
}

/** An item of `GET /v1/languages`. */
export interface V1Language {
  id: number;
  name: string;
  short: string;
  versions: CompilerVersion[];
  highlighters: Highlighters;
}

export interface LanguagesResponse {
  items: V1Language[];
  /** the widget's default compiler id, when set */
  defaultId: number | null;
  /**
   * the session's widget, as `POST /v1/sessions` describes it: how an element holding a
   * host-signed token learns the widget's problem
   */
  widget: WidgetInfo;
}

/** `GET /v1/problems/:id`. */
export interface V1Problem {
  id: number;
  name: string;
  /** the statement as the problem setter wrote it (HTML); render it sanitized, never as trusted markup */
  statement: string;
  type: { id: number; name: string };
  /** compiler ids allowed for this problem in this session */
  languages: number[];
  display: DisplayOptions;
  /**
   * the input of the problem's first test case, to try a program with before submitting; null when
   * the widget hides its test cases (no expected-versus-got)
   */
  sampleInput: string | null;
}

/** `POST /v1/runs` body (Compilers module). */
export type CreateRunRequest = Sendable<v.InferOutput<typeof CreateRunBody>>;

/** `POST /v1/submissions` body (Problems module). */
export type CreateSubmissionRequest = Sendable<v.InferOutput<typeof CreateSubmissionBody>>;

/** 201 answer of `POST /v1/runs` and `POST /v1/submissions`. */
export interface CreatedResponse {
  /** opaque id, valid only for the session's subject */
  id: string;
}

/** A stream's text, inline. `truncated` is true when the text was cut (at the program or the relay). */
export interface V1Stream {
  text: string;
  truncated: boolean;
  /** size in bytes of the whole stream */
  size: number;
}

export interface V1TestResult {
  number: number;
  status: StatusInfo;
  score: number | null;
  time: number | null;
  memory: number | null;
  signal: number | null;
  /** the test case's time limit in seconds, when the upstream tells it */
  timeLimit?: number | null;
  /** present when the widget's display allows expected-vs-got and the test case failed */
  expected?: V1Stream;
  got?: V1Stream;
  /** the failed test case's input, under the same condition as `expected` */
  input?: V1Stream;
}

/**
 * Why the engine stopped a program, machine-readable: relayed when the upstream reports it (the
 * embedded engine's hardening adds it); absent otherwise, and the widget reads the other fields.
 */
export interface V1StopReason {
  kind: 'output_cap' | 'wall_time' | 'cpu_time' | 'memory';
  /** the limit that was hit: bytes, seconds or kilobytes */
  limit?: number;
}

export interface V1ResultBody {
  status: StatusInfo;
  /** why the engine stopped the program, when the upstream says */
  reason?: V1StopReason | null;
  /** CPU seconds */
  time: number | null;
  /** peak kilobytes */
  memory: number | null;
  score: number | null;
  signal: number | null;
  signalDesc: string | null;
  output: V1Stream | null;
  error: V1Stream | null;
  cmpinfo: V1Stream | null;
  /** per-test-case results (submissions only, when the widget allows them) */
  testcases?: V1TestResult[];
}

/** `GET /v1/runs/:id` and `GET /v1/submissions/:id`; also the `result` server-sent event. */
export interface V1Result {
  id: string;
  kind: 'run' | 'submission';
  executing: boolean;
  result: V1ResultBody;
}

/**
 * Server-sent events of `GET /v1/runs/:id/events` and `GET /v1/submissions/:id/events`:
 * `event: status` with `V1StatusEvent` on every status change, then `event: result` with
 * `V1Result` once final, then the stream ends. `event: error` carries a `V1Error`.
 */
export interface V1StatusEvent {
  id: string;
  executing: boolean;
  status: StatusInfo;
}

export type V1ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'token_expired'
  | 'forbidden'
  | 'not_found'
  | 'too_large'
  | 'rate_limited'
  | 'origin_not_allowed'
  | 'upstream_error'
  | 'upstream_unavailable'
  | 'upstream_timeout'
  | 'internal';

/** The figures behind a refusal, for a message in the page's language. */
export interface V1ErrorDetails {
  /** the widget the request was for */
  widget?: string;
  /** the page origin that was refused (`origin_not_allowed`) */
  origin?: string;
  /** what was too large (`too_large`) */
  what?: 'source' | 'input' | 'body';
  /** its size in bytes, and the widget's limit (`too_large`) */
  size?: number;
  limit?: number;
  /** seconds until a retry may pass (`rate_limited`) */
  retryAfter?: number;
  /** why a session could not be had: `not_public`, `no_widget`, `invalid_token` */
  reason?: 'not_public' | 'no_widget' | 'invalid_token';
}

export interface V1Error {
  error: { code: V1ErrorCode; message: string; details?: V1ErrorDetails };
}

/** `GET /healthz`. */
export interface HealthResponse {
  ok: boolean;
  upstream: Record<
    'compilers' | 'problems' | 'containers',
    { reachable: boolean; embedded: boolean }
  >;
  sandbox?: { ok: boolean; problems: string[]; limits?: LimitsReport };
}
