import {
  type ModuleName,
  UpstreamError,
  UpstreamHttpError,
  UpstreamProtocolError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from './errors.js';

/** Where a module lives and the token that opens it. */
export interface Endpoint {
  /** the module's base URL, e.g. `https://<customer>.compilers.sphere-engine.com/api/v4` */
  url: string;
  /** the module's access token: added to every request here and nowhere else */
  token: string;
}

export interface TransportOptions {
  /** per-request timeout in milliseconds, body included (default 10000) */
  timeoutMs?: number;
  /** how many times a failed GET is tried again (default 2); other methods are never retried */
  retries?: number;
  /** first backoff delay in milliseconds, doubled on each retry (default 200) */
  retryDelayMs?: number;
}

export type QueryValue = string | number | boolean | undefined | null | Array<string | number>;

export interface RequestOptions {
  /** path parameters filling the `:name` placeholders of the template */
  params?: Record<string, string | number>;
  query?: Record<string, QueryValue>;
  /** a JSON body */
  json?: unknown;
  /** a multipart body (file uploads) */
  form?: FormData;
  signal?: AbortSignal;
  /** overrides the transport's timeout for this request */
  timeoutMs?: number;
}

/** A text body read up to a cap. */
export interface CappedText {
  text: string;
  /** bytes kept in `text` (whole UTF-8 characters only) */
  bytes: number;
  /** false when the body was longer than the cap and reading stopped */
  complete: boolean;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * HTTP for one module: builds URLs (access token last, as a query parameter, as the spec says),
 * applies the timeout, retries idempotent calls with backoff and turns every failure into a typed
 * `UpstreamError`. The URL never leaves this function: it carries the token.
 */
export class Transport {
  readonly timeoutMs: number;
  private readonly base: string;
  private readonly token: string;
  private readonly retries: number;
  private readonly retryDelayMs: number;

  constructor(
    readonly module: ModuleName,
    endpoint: Endpoint,
    options: TransportOptions = {},
  ) {
    let parsed: URL;
    try {
      parsed = new URL(endpoint.url);
    } catch {
      throw new Error(`${module}: the upstream URL is not a valid URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new Error(`${module}: the upstream URL must be http: or https:`);
    }
    if (parsed.searchParams.has('access_token')) {
      throw new Error(`${module}: give the access token separately, not in the upstream URL`);
    }
    this.base = parsed.origin + parsed.pathname.replace(/\/+$/, '');
    this.token = endpoint.token;
    this.timeoutMs = options.timeoutMs ?? 10000;
    this.retries = options.retries ?? 2;
    this.retryDelayMs = options.retryDelayMs ?? 200;
  }

  /** Calls a method answering JSON. */
  async json<T>(method: Method, template: string, options: RequestOptions = {}): Promise<T> {
    const operation = `${method} ${template}`;
    return this.withRetries(method, operation, options, async (res) => {
      const body = await res.text();
      if (body === '') return {} as T;
      try {
        return JSON.parse(body) as T;
      } catch {
        throw new UpstreamProtocolError(this.module, operation, 'the body is not JSON');
      }
    });
  }

  /** Calls a method answering raw data (streams, files); reads at most `maxBytes`. */
  async text(
    template: string,
    maxBytes: number,
    options: RequestOptions = {},
  ): Promise<CappedText> {
    const operation = `GET ${template}`;
    return this.withRetries('GET', operation, options, (res) => readCapped(res, maxBytes));
  }

  private async withRetries<T>(
    method: Method,
    operation: string,
    options: RequestOptions,
    read: (res: Response) => Promise<T>,
  ): Promise<T> {
    const attempts = method === 'GET' ? this.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(method, operation, options, read);
      } catch (err) {
        if (attempt >= attempts || !retriable(err) || options.signal?.aborted) throw err;
        const retryAfter =
          err instanceof UpstreamHttpError && err.status === 429 ? 1000 : this.retryDelayMs;
        await sleep(retryAfter * 2 ** (attempt - 1) * (0.75 + Math.random() / 2));
      }
    }
  }

  private async once<T>(
    method: Method,
    operation: string,
    options: RequestOptions,
    read: (res: Response) => Promise<T>,
  ): Promise<T> {
    const url = this.url(operation.slice(method.length + 1), options);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const headers: Record<string, string> = { Accept: 'application/json' };
    let body: string | FormData | undefined;
    if (options.form) {
      body = options.form;
    } else if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    try {
      const res = await fetch(url, { method, headers, body, signal, redirect: 'error' });
      if (!res.ok) {
        const text = await res.text().catch(() => '');
        throw new UpstreamHttpError(this.module, operation, res.status, errorCodeOf(text));
      }
      return await read(res);
    } catch (err) {
      if (err instanceof UpstreamError) throw err;
      if (timeout.aborted) throw new UpstreamTimeoutError(this.module, operation, timeoutMs);
      if (options.signal?.aborted) {
        throw new UpstreamError(this.module, operation, 'the request was cancelled');
      }
      throw new UpstreamUnavailableError(this.module, operation, networkReason(err));
    }
  }

  private url(template: string, options: RequestOptions): string {
    const path = template.replace(/:(\w+)/g, (_, name: string) => {
      const value = options.params?.[name];
      if (value === undefined) throw new Error(`missing path parameter ${name}`);
      return encodeURIComponent(String(value));
    });
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) {
        for (const v of value) query.append(`${key}[]`, String(v));
      } else {
        query.append(key, String(value));
      }
    }
    query.append('access_token', this.token);
    return `${this.base}${path}?${query.toString()}`;
  }
}

function retriable(err: unknown): boolean {
  if (err instanceof UpstreamHttpError) return err.status >= 500 || err.status === 429;
  return err instanceof UpstreamUnavailableError || err instanceof UpstreamTimeoutError;
}

function errorCodeOf(body: string): number | null {
  try {
    const parsed = JSON.parse(body) as { error_code?: unknown };
    return typeof parsed.error_code === 'number' ? parsed.error_code : null;
  } catch {
    return null;
  }
}

/** A short reason for a network failure: an error code, never the error's text (it may hold a URL). */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : null;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case null:
      return 'network error';
    default:
      return /^[A-Z_]+$/.test(code) ? code : 'network error';
  }
}

async function readCapped(res: Response, maxBytes: number): Promise<CappedText> {
  const decoder = new TextDecoder();
  if (!res.body) return { text: '', bytes: 0, complete: true };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let complete = true;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - total));
      total = maxBytes;
      complete = false;
      await reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(value);
    total += value.byteLength;
  }
  const all = Buffer.concat(chunks, total);
  // With `stream: true` a character cut at the cap stays in the decoder and is dropped.
  const text = complete ? decoder.decode(all) : decoder.decode(all, { stream: true });
  return { text, bytes: complete ? total : Buffer.byteLength(text), complete };
}
