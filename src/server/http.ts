import type { IncomingMessage, ServerResponse } from 'node:http';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import * as v from 'valibot';
import type { V1Error } from '../shared/v1.js';
import { negotiateEncoding } from './encoding.js';
import { type ApiError, badRequest, tooLarge } from './errors.js';

/** Headers of every /v1 answer: no caching, no sniffing, and the answer varies with the Origin. */
export const apiHeaders: Record<string, string> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  Vary: 'Origin',
};

// Answers between these sizes go compressed to clients that accept it (the languages list: 2.5 KB
// as JSON, 0.5 KB in brotli). Smaller ones gain less than the header costs; larger ones (long
// outputs) are not worth blocking the event loop for. Answers that carry a session token are never
// compressed: a token beside text the client chose could be guessed from the sizes (BREACH).
const COMPRESS_MIN = 1024;
const COMPRESS_MAX = 64 * 1024;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  const raw = Buffer.from(text);
  const secret = typeof body === 'object' && body !== null && 'token' in body;
  const coding =
    !secret && raw.length >= COMPRESS_MIN && raw.length <= COMPRESS_MAX
      ? negotiateEncoding(res.req?.headers['accept-encoding'], ['br', 'gzip', 'identity'])
      : 'identity';
  const out =
    coding === 'br'
      ? brotliCompressSync(raw, {
          params: {
            [zlib.BROTLI_PARAM_QUALITY]: 5,
            [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
            [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length,
          },
        })
      : coding === 'gzip'
        ? gzipSync(raw, { level: 6 })
        : raw;
  res.writeHead(status, {
    ...apiHeaders,
    ...headers,
    ...(!secret ? { Vary: `${headers.Vary ?? apiHeaders.Vary}, Accept-Encoding` } : {}),
    ...(coding === 'br' || coding === 'gzip' ? { 'Content-Encoding': coding } : {}),
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(out.length),
  });
  res.end(out);
}

export function sendError(
  res: ServerResponse,
  err: ApiError,
  headers: Record<string, string> = {},
): void {
  const details = Object.keys(err.details).length ? { details: err.details } : {};
  const body: V1Error = { error: { code: err.code, message: err.message, ...details } };
  sendJson(res, err.status, body, { ...headers, ...err.headers });
}

/** How much of a body over the cap is still read (and dropped) so the client reads the 413. */
const DRAIN_BYTES = 64 * 1024 * 1024;
const DRAIN_MS = 10_000;

/**
 * Reads a request body of at most `maxBytes`. Beyond it: 413, after reading the rest of the body
 * and dropping it (up to 64 MiB and 10 s), so a client still sending reads the answer rather than
 * a reset connection; the connection is closed after the answer.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  const over = (size?: number) =>
    tooLarge(
      `The request body is larger than ${maxBytes} bytes.`,
      size === undefined
        ? { what: 'body', limit: maxBytes }
        : { what: 'body', size, limit: maxBytes },
    );
  return new Promise((resolve, reject) => {
    let refused: ReturnType<typeof over> | null = null;
    if (Number.isFinite(declared) && declared > maxBytes) {
      refused = over(declared);
      refused.headers.Connection = 'close';
      if (declared > DRAIN_BYTES) return reject(refused);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const timer = setTimeout(
      () => done(refused ?? new Error('the request body took too long')),
      DRAIN_MS,
    );
    const done = (err: Error | null) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (err) req.pause();
      if (err) reject(err);
      else if (refused) reject(refused);
      else resolve(Buffer.concat(chunks, total));
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (refused) {
        if (total > DRAIN_BYTES) done(refused);
        return;
      }
      if (total > maxBytes) {
        refused = over();
        refused.headers.Connection = 'close';
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => done(null);
    const onError = (err: Error) => done(refused ?? err);
    const onClose = () => done(refused ?? new Error('the request was aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Reads a JSON object body; the Content-Type must say JSON (so that browsers preflight it). */
export async function readJson(
  req: IncomingMessage,
  maxBytes: number,
): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw badRequest('Send the body as application/json.');
  const body = await readBody(req, maxBytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('The body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest('The body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/** The bearer token of the request, or null. */
export function bearer(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(h);
  return m ? m[1]! : null;
}

/** The client's address: the socket's, or behind a trusted proxy the last `X-Forwarded-For` hop. */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const xff = req.headers['x-forwarded-for'];
    const list = (Array.isArray(xff) ? xff.join(',') : (xff ?? '')).split(',');
    const last = list[list.length - 1]?.trim();
    if (last) return last;
  }
  const addr = req.socket.remoteAddress ?? 'unknown';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

/** The body's parameters by `schema`; a failure is a 400 `bad_request` with the schema's message. */
export function parseBody<S extends v.GenericSchema>(schema: S, body: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, body, { abortEarly: true });
  if (!result.success) throw badRequest(result.issues[0].message);
  return result.output;
}
