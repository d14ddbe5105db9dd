import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { ApiError, ErrorCode } from './errors.js';

/**
 * A parsed request body. JSON bodies keep their values; form and multipart fields are strings,
 * and a field named `key[sub]` becomes `{key: {sub: value}}` (how the spec's `files[name]` fields
 * arrive). Text is never changed: a field whose bytes are not UTF-8 (or a JSON string with a lone
 * surrogate) is an {@link InvalidText}, which the handler refuses with its parameter's code (see
 * `validText` in ./params.ts). A multipart file part holding a gzip stream (a tar.gz
 * upload) is an {@link UploadedArchive}; other file parts are text like fields.
 */
export type Body = Record<string, unknown>;

/** A body value that was sent as text but is not valid UTF-8 (never silently replaced). */
export class InvalidText {
  constructor(
    /** offset of the first byte that is not UTF-8 (-1: a lone surrogate in JSON) */
    readonly at: number,
    /** the bytes as sent (a binary file part that a method takes as bytes) */
    readonly bytes: Buffer = Buffer.alloc(0),
  ) {}
}

/** A multipart file part that holds a gzip stream (a tar.gz archive), kept as bytes. */
export class UploadedArchive {
  constructor(
    readonly data: Buffer,
    /** the part's file name, as the client sent it (for messages only) */
    readonly filename: string,
  ) {}
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bytes as text, or InvalidText naming where they stop being UTF-8. */
export function decodeText(bytes: Uint8Array): string | InvalidText {
  try {
    return utf8.decode(bytes);
  } catch {
    return new InvalidText(firstInvalidByte(bytes), Buffer.from(bytes));
  }
}

/**
 * A field's value from its bytes: a gzip stream (a tar.gz upload: bytes no UTF-8 text starts
 * with) is kept as an UploadedArchive, anything else is text (or InvalidText).
 */
function fieldValue(bytes: Buffer, filename = ''): string | InvalidText | UploadedArchive {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    return new UploadedArchive(bytes, filename);
  }
  return decodeText(bytes);
}

function firstInvalidByte(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    const n =
      c < 0x80
        ? 1
        : c >= 0xc2 && c < 0xe0
          ? 2
          : c >= 0xe0 && c < 0xf0
            ? 3
            : c >= 0xf0 && c < 0xf5
              ? 4
              : 0;
    if (n === 0 || i + n > b.length) return i;
    try {
      utf8.decode(b.subarray(i, i + n));
    } catch {
      return i;
    }
    i += n;
  }
  return 0;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

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
  const text = decodeText(raw);
  if (text instanceof InvalidText) {
    throw invalid(`the JSON body is not valid UTF-8 (byte ${text.at})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalid(`malformed JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('the JSON body must be an object');
  }
  return markLoneSurrogates(value as Body);
}

/** Strings with a lone surrogate (`"\ud800"`) cannot be stored as UTF-8: InvalidText. */
function markLoneSurrogates(body: Body): Body {
  for (const [key, v] of Object.entries(body)) {
    if (typeof v === 'string' && LONE_SURROGATE.test(v)) body[key] = new InvalidText(-1);
    else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      markLoneSurrogates(v as Body);
    }
  }
  return body;
}

/**
 * `application/x-www-form-urlencoded`, byte-exact: `+` is a space, `%XX` a byte, and each name
 * and value must then be UTF-8 (URLSearchParams would replace bad bytes with U+FFFD). A name
 * that is not UTF-8 is refused whole; a value becomes InvalidText.
 */
function parseForm(raw: Buffer): Body {
  const body = emptyBody();
  let start = 0;
  while (start <= raw.length) {
    let end = raw.indexOf(0x26 /* & */, start);
    if (end === -1) end = raw.length;
    if (end > start) {
      const part = raw.subarray(start, end);
      const eq = part.indexOf(0x3d /* = */);
      const name = decodeText(unescapeForm(eq === -1 ? part : part.subarray(0, eq)));
      const value = fieldValue(unescapeForm(eq === -1 ? Buffer.alloc(0) : part.subarray(eq + 1)));
      if (name instanceof InvalidText) throw invalid('a form field name is not valid UTF-8');
      setField(body, name, value);
    }
    start = end + 1;
  }
  return body;
}

function unescapeForm(bytes: Buffer): Buffer {
  const out = Buffer.alloc(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x2b /* + */) out[n++] = 0x20;
    else if (
      c === 0x25 /* % */ &&
      i + 2 < bytes.length &&
      isHex(bytes[i + 1]) &&
      isHex(bytes[i + 2])
    ) {
      out[n++] = parseInt(String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!), 16);
      i += 2;
    } else out[n++] = c;
  }
  return out.subarray(0, n);
}

const isHex = (c: number | undefined): boolean =>
  c !== undefined &&
  ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));

function parseMultipart(req: IncomingMessage, raw: Buffer, maxBytes: number): Promise<Body> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { fieldSize: maxBytes, fileSize: maxBytes, fields: 1000, files: 1000 },
        // field values come as bytes (latin1 is byte-exact), decoded strictly below
        defCharset: 'latin1',
      });
    } catch (err) {
      reject(invalid(err instanceof Error ? err.message : String(err)));
      return;
    }
    const body = emptyBody();
    parser.on('field', (name, value) =>
      setField(body, name, fieldValue(Buffer.from(value, 'latin1'))),
    );
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        setField(body, name, fieldValue(Buffer.concat(chunks), info.filename));
      });
    });
    parser.on('error', (err: unknown) =>
      reject(invalid(`malformed multipart body (${err instanceof Error ? err.message : err})`)),
    );
    parser.on('close', () => resolve(body));
    parser.end(raw);
  });
}

/** Sets `name` (or `key[sub]`) on the body; a later value wins. */
function setField(body: Body, name: string, value: unknown): void {
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
