import type { IncomingMessage, ServerResponse } from 'node:http';
import type { V1Error } from '../shared/v1.js';
import { type ApiError, badRequest, tooLarge } from './errors.js';

/** Headers of every /v1 answer: no caching, no sniffing, and the answer varies with the Origin. */
export const apiHeaders: Record<string, string> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  Vary: 'Origin',
};

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...apiHeaders,
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  res.end(text);
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

/** Reads a request body of at most `maxBytes` (413 beyond; the rest is not read). */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw tooLarge(`The request body is larger than ${maxBytes} bytes.`, {
      what: 'body',
      size: declared,
      limit: maxBytes,
    });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes)
      throw tooLarge(`The request body is larger than ${maxBytes} bytes.`, {
        what: 'body',
        limit: maxBytes,
      });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
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
