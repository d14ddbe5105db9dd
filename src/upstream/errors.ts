/**
 * Typed errors of the upstream client. Their messages are written here from the spec's tables:
 * an upstream body is never copied into a message (it may echo input, or worse, a URI carrying
 * the access token), and no message contains a URL.
 */

export type ModuleName = 'compilers' | 'problems' | 'containers';

const moduleTitles: Record<ModuleName, string> = {
  compilers: 'Compilers API',
  problems: 'Problems API',
  containers: 'Containers API',
};

/** The spec's `error_code` values with a meaning that does not depend on the method. */
const errorCodes: Record<number, string> = {
  1: 'unauthorized access (the access token was refused)',
  2: 'inactive account or empty submissions pool',
  3: 'the widgets API is not enabled for this account',
  10: 'invalid request data',
  1001: 'not found',
  1002: 'access denied',
  1003: 'the operation failed',
  1008: 'the workspace is not available',
  1010: 'the workspace cannot be resumed',
  1013: 'the workspace is not in a state that allows this',
  1101: 'not found',
  1102: 'permission denied',
  1103: 'reading or writing failed',
  1105: 'invalid parameter',
  1108: 'the workspace is not available',
  1111: 'file size limit exceeded',
  1201: 'file not found',
  1203: 'reading the file failed',
  200201: 'problem not found',
  200202: 'access to the problem denied',
  200204: 'problem not provided',
  200301: 'judge not found',
  200302: 'access to the judge denied',
  200304: 'judge not provided',
  200401: 'master judge not found',
  200402: 'access to the master judge denied',
  200404: 'master judge not provided',
  200510: 'the project is temporarily unavailable',
  200611: 'not enough free slots',
  200612: 'another edit session is already active',
  201101: 'compiler not found',
  201104: 'compiler not provided',
  201107: 'compiler not supported for multi-file submissions',
  201108: 'compiler not available',
  201201: 'compiler version not found',
  201304: 'source not provided',
  201306: 'source size limit exceeded',
  201406: 'input size limit exceeded',
  201905: 'invalid format of time limit',
  201906: 'time limit out of range',
  202006: 'memory limit out of range',
  202105: 'problem type is incorrect',
  202205: 'judge type is incorrect',
  202305: 'problem code is invalid',
  202308: 'problem code is not unique',
  202309: 'empty problem code',
  202404: 'problem name not provided',
  202409: 'empty problem name',
  202504: 'file data not provided',
  202511: 'file size limit exceeded',
  202601: 'file path not found',
  202602: 'permission denied for the file path',
  202604: 'file path not provided',
  202612: 'the file path exists and is not a file',
  205104: 'identifiers not provided',
  205105: 'invalid format of identifiers',
  205106: 'too many identifiers',
  205205: 'invalid format of the test case list',
  205206: 'invalid test case list',
  205209: 'empty test case list',
  205306: 'too many test cases',
};

/** The spec's description of an `error_code`, or null when the code is not in its tables. */
export function describeErrorCode(code: number): string | null {
  return errorCodes[code] ?? null;
}

/** Any failure of an upstream call. `operation` is a method and path template, e.g. `GET /submissions/:id`. */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  constructor(
    readonly module: ModuleName,
    readonly operation: string,
    message: string,
  ) {
    super(`${moduleTitles[module]} ${operation}: ${message}`);
  }
}

/** The upstream answered with an HTTP error status. */
export class UpstreamHttpError extends UpstreamError {
  override name = 'UpstreamHttpError';
  constructor(
    module: ModuleName,
    operation: string,
    /** the upstream HTTP status */
    readonly status: number,
    /** the upstream `error_code`, when the body had one */
    readonly errorCode: number | null,
  ) {
    const what =
      (errorCode !== null ? describeErrorCode(errorCode) : null) ?? defaultText(status) ?? 'error';
    super(
      module,
      operation,
      `${what} (HTTP ${status}${errorCode !== null ? `, error_code ${errorCode}` : ''})`,
    );
  }
}

/** The upstream could not be reached (refused, reset, DNS failure). */
export class UpstreamUnavailableError extends UpstreamError {
  override name = 'UpstreamUnavailableError';
  constructor(module: ModuleName, operation: string, reason: string) {
    super(module, operation, `the service is unreachable (${reason})`);
  }
}

/** The upstream did not answer within the per-request timeout. */
export class UpstreamTimeoutError extends UpstreamError {
  override name = 'UpstreamTimeoutError';
  constructor(
    module: ModuleName,
    operation: string,
    readonly timeoutMs: number,
  ) {
    super(module, operation, `no answer within ${timeoutMs} ms`);
  }
}

/** The upstream answered something that is not what the spec describes (e.g. not JSON). */
export class UpstreamProtocolError extends UpstreamError {
  override name = 'UpstreamProtocolError';
  constructor(module: ModuleName, operation: string, what: string) {
    super(module, operation, `unexpected answer (${what})`);
  }
}

function defaultText(status: number): string | null {
  if (status === 400) return 'invalid request';
  if (status === 401) return 'unauthorized access (the access token was refused)';
  if (status === 402) return 'inactive account or empty submissions pool';
  if (status === 403) return 'access denied';
  if (status === 404) return 'not found';
  if (status === 409) return 'conflict';
  if (status === 413) return 'too large';
  if (status === 429) return 'too many requests';
  if (status >= 500) return 'server error';
  return null;
}
