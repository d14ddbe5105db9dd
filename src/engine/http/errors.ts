/**
 * Every error the engine answers with, as the spec's `{error_code, message}` body. Handlers throw an
 * {@link ApiError}; the server turns it into the response in one place ({@link errorResponse}).
 *
 * Errors the specs define carry their own codes (e.g. 401/1, 404/1001). Errors the specs do not
 * define use the HTTP status as the `error_code` (404 unknown path, 405 wrong method, 413 body too
 * large, 415 unsupported content type, 500 internal error, 503 queue full).
 */
export class ApiError extends Error {
  constructor(
    /** HTTP status */
    readonly status: number,
    /** the body's `error_code` */
    readonly code: number,
    message: string,
    /** extra response headers (e.g. `Retry-After`) */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Error codes shared by every module (spec: "Response HTTP Code" tables). */
export const ErrorCode = {
  Unauthorized: 1,
  InvalidRequestData: 10,
  NotFound: 404,
  MethodNotAllowed: 405,
  BodyTooLarge: 413,
  UnsupportedMediaType: 415,
  Internal: 500,
  QueueFull: 503,
} as const;

/** A 400 with the spec's `error_code`. */
export const badRequest = (code: number, message: string): ApiError =>
  new ApiError(400, code, message);

export const unauthorized = (): ApiError =>
  new ApiError(401, ErrorCode.Unauthorized, 'unauthorized access');

/** The bounded queue is full: the client should retry after `retryAfterSec`. */
export const queueFull = (retryAfterSec: number): ApiError =>
  new ApiError(
    503,
    ErrorCode.QueueFull,
    `the submission queue is full; retry in ${retryAfterSec} s`,
    { 'Retry-After': String(retryAfterSec) },
  );
