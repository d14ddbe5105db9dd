import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { ApiError, ErrorCode } from './errors.js';

/**
 * A parsed request body. JSON bodies keep their values; form and multipart fields are strings,
 * and a field named `key[sub]` becomes `{key: {sub: value}}` (how the spec's `files[name]` fields
 * arrive). Multipart file parts are read as UTF-8 text like fields.
 */
export type Body = Record<string, unknown>;

/**
 * Reads and parses a request body of at most `maxBytes`: `application/json`,
 * `application/x-www-form-urlencoded` or `multipart/form-data`. An empty body is `{}`.
 * Throws ApiError 413 over the cap, 415 for another content type, 400/10 for a malformed body.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Body> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const raw = await readRaw(req, maxBytes);
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (raw.length === 0 && type !== 'multipart/form-data') return {};
  switch (type) {
    case 'application/json':
      return parseJson(raw);
    case 'application/x-www-form-urlencoded':
    case '':
      return parseForm(raw);
    case 'multipart/form-data':
      return parseMultipart(req, raw, maxBytes);
    default:
      throw new ApiError(
        415,
        ErrorCode.UnsupportedMediaType,
        `unsupported content type '${type}'; send application/json, ` +
          'application/x-www-form-urlencoded or multipart/form-data',
      );
  }
}

/**
 * The 413 of a body over the cap. The server reads the rest of the body (bounded) before it
 * answers, so the client reads this answer; the connection is closed after it.
 */
export function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, ErrorCode.BodyTooLarge, `request body larger than ${maxBytes} bytes`, {
    Connection: 'close',
  });
}

function readRaw(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // The rest is read and dropped by the server before it answers (server.ts, drain).
        cleanup();
        chunks.length = 0;
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function invalid(what: string): ApiError {
  return new ApiError(400, ErrorCode.InvalidRequestData, `invalid request data: ${what}`);
}

function parseJson(raw: Buffer): Body {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw invalid(`malformed JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('the JSON body must be an object');
  }
  return value as Body;
}

function parseForm(raw: Buffer): Body {
  const body = emptyBody();
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) setField(body, key, value);
  return body;
}

function parseMultipart(req: IncomingMessage, raw: Buffer, maxBytes: number): Promise<Body> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { fieldSize: maxBytes, fileSize: maxBytes, fields: 1000, files: 1000 },
      });
    } catch (err) {
      reject(invalid(err instanceof Error ? err.message : String(err)));
      return;
    }
    const body = emptyBody();
    parser.on('field', (name, value) => setField(body, name, value));
    parser.on('file', (name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => setField(body, name, Buffer.concat(chunks).toString('utf8')));
    });
    parser.on('error', (err: unknown) =>
      reject(invalid(`malformed multipart body (${err instanceof Error ? err.message : err})`)),
    );
    parser.on('close', () => resolve(body));
    parser.end(raw);
  });
}

/** Sets `name` (or `key[sub]`) on the body; a later value wins. */
function setField(body: Body, name: string, value: string): void {
  const m = /^([^[\]]+)\[([^\]]*)\]$/.exec(name);
  if (!m) {
    body[name] = value;
    return;
  }
  const [, key, sub] = m as unknown as [string, string, string];
  const current = body[key];
  const obj: Record<string, unknown> =
    typeof current === 'object' && current !== null
      ? (current as Record<string, unknown>)
      : emptyBody();
  obj[sub] = value;
  body[key] = obj;
}

// No prototype: field names such as `__proto__` stay plain keys.
function emptyBody(): Body {
  return Object.create(null) as Body;
}
