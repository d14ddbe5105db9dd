import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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
  /** the body's bytes as read (up to the cap), for data that is not text */
  raw: Uint8Array;
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
  private readonly agent: HttpAgent;

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
    // Kept-alive connections: a relayed call costs one round trip, not a handshake as well.
    this.agent =
      parsed.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true, maxSockets: 64 })
        : new HttpAgent({ keepAlive: true, maxSockets: 64 });
  }

  /** Calls a method answering JSON. */
  async json<T>(method: Method, template: string, options: RequestOptions = {}): Promise<T> {
    const operation = `${method} ${template}`;
    return this.withRetries(method, operation, options, Infinity, (body) => {
      if (body.bytes === 0) return {} as T;
      try {
        return JSON.parse(body.text) as T;
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
    return this.withRetries('GET', `GET ${template}`, options, maxBytes, (body) => body);
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private async withRetries<T>(
    method: Method,
    operation: string,
    options: RequestOptions,
    maxBytes: number,
    parse: (body: CappedText) => T,
  ): Promise<T> {
    const attempts = method === 'GET' ? this.retries + 1 : 1;
    let payload: { body: Buffer; type: string } | null = null;
    if (options.form) {
      // Let the platform encode the multipart body (boundary included).
      const encoded = new Response(options.form);
      payload = {
        body: Buffer.from(await encoded.arrayBuffer()),
        type: encoded.headers.get('content-type') ?? 'multipart/form-data',
      };
    } else if (options.json !== undefined) {
      payload = { body: Buffer.from(JSON.stringify(options.json)), type: 'application/json' };
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return parse(await this.once(method, operation, options, payload, maxBytes));
      } catch (err) {
        if (attempt >= attempts || !retriable(err) || options.signal?.aborted) throw err;
        const retryAfter =
          err instanceof UpstreamHttpError && err.status === 429 ? 1000 : this.retryDelayMs;
        await sleep(retryAfter * 2 ** (attempt - 1) * (0.75 + Math.random() / 2));
      }
    }
  }

  /** One HTTP exchange: the body (up to `maxBytes`) on 2xx, a typed error otherwise. */
  private once(
    method: Method,
    operation: string,
    options: RequestOptions,
    payload: { body: Buffer; type: string } | null,
    maxBytes: number,
  ): Promise<CappedText> {
    const url = new URL(this.url(operation.slice(method.length + 1), options));
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const headers: Record<string, string | number> = { Accept: 'application/json' };
    if (payload) {
      headers['Content-Type'] = payload.type;
      headers['Content-Length'] = payload.body.length;
    }
    return new Promise<CappedText>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        req.destroy();
        reject(err);
      };
      const done = (value: CappedText) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onAbort = () =>
        fail(new UpstreamError(this.module, operation, 'the request was cancelled'));
      const timer = setTimeout(
        () => fail(new UpstreamTimeoutError(this.module, operation, timeoutMs)),
        timeoutMs,
      );
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
        url,
        { method, headers, agent: this.agent },
        (res: IncomingMessage) => {
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          // Error bodies are read only for their error_code: a few kilobytes at most.
          readCapped(res, ok ? maxBytes : 8192).then(
            (body) => {
              if (ok) return done(body);
              fail(new UpstreamHttpError(this.module, operation, status, errorCodeOf(body.text)));
            },
            (err: unknown) =>
              fail(new UpstreamUnavailableError(this.module, operation, networkReason(err))),
          );
        },
      );
      req.on('error', (err) =>
        fail(new UpstreamUnavailableError(this.module, operation, networkReason(err))),
      );
      if (options.signal) {
        if (options.signal.aborted) return onAbort();
        options.signal.addEventListener('abort', onAbort, { once: true });
      }
      req.end(payload?.body);
    });
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
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const raw = e?.code ?? e?.cause?.code;
  const code = typeof raw === 'string' ? raw : null;
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

/** Reads a response body up to `maxBytes`, then stops reading (the connection is dropped). */
function readCapped(res: IncomingMessage, maxBytes: number): Promise<CappedText> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let complete = true;
    const finish = () => {
      const all = Buffer.concat(chunks, total);
      // With `stream: true` a character cut at the cap stays in the decoder and is dropped.
      const text = complete
        ? new TextDecoder().decode(all)
        : new TextDecoder().decode(all, { stream: true });
      resolve({ text, bytes: complete ? total : Buffer.byteLength(text), complete, raw: all });
    };
    res.on('data', (chunk: Buffer) => {
      if (!complete) return;
      if (total + chunk.length > maxBytes) {
        chunks.push(chunk.subarray(0, maxBytes - total));
        total = maxBytes;
        complete = false;
        res.destroy();
        finish();
        return;
      }
      chunks.push(chunk);
      total += chunk.length;
    });
    res.on('end', () => {
      if (complete) finish();
    });
    res.on('error', (err) => {
      if (complete) reject(err);
    });
    res.on('aborted', () => {
      if (complete) reject(new Error('aborted'));
    });
  });
}
