import type { V1ErrorCode, V1ErrorDetails } from '../shared/v1.js';
import {
  UpstreamError,
  UpstreamHttpError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../upstream/index.js';

/** A refusal of the /v1 API: sent as `V1Error` JSON with `status`. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: V1ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    /** the figures behind the refusal, sent to the page and named in the log line */
    readonly details: V1ErrorDetails = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new ApiError(400, 'bad_request', message);
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);
export const notFound = (message: string) => new ApiError(404, 'not_found', message);
export const tooLarge = (
  message: string,
  details: Pick<V1ErrorDetails, 'what' | 'size' | 'limit'> = {},
) => new ApiError(413, 'too_large', message, {}, details);
export const rateLimited = (message: string, retryAfterSeconds: number) =>
  new ApiError(
    429,
    'rate_limited',
    message,
    { 'Retry-After': String(retryAfterSeconds) },
    { retryAfter: retryAfterSeconds },
  );

/**
 * Maps a failure of the upstream to the /v1 error the page sees. The message is the upstream
 * client's own (written from the spec tables), never the upstream's body.
 * `what` names the thing looked up, for 404s.
 */
export function fromUpstream(err: unknown, what?: string): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof UpstreamTimeoutError) {
    return new ApiError(
      504,
      'upstream_timeout',
      `The code-execution service did not answer in time. ${err.message}`,
    );
  }
  if (err instanceof UpstreamUnavailableError) {
    return new ApiError(
      502,
      'upstream_unavailable',
      `The code-execution service is unreachable. ${err.message}`,
    );
  }
  if (err instanceof UpstreamHttpError) {
    if (err.status === 404 && what) return notFound(`${what} was not found.`);
    if (err.status === 400) {
      return new ApiError(
        400,
        'bad_request',
        `The code-execution service refused the request. ${err.message}`,
      );
    }
    return new ApiError(502, 'upstream_error', `The code-execution service failed. ${err.message}`);
  }
  if (err instanceof UpstreamError) {
    return new ApiError(502, 'upstream_error', `The code-execution service failed. ${err.message}`);
  }
  return new ApiError(500, 'internal', 'Internal error.');
}
