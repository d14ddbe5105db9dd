import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { type Coding, negotiateEncoding, SUFFIX } from './encoding.js';

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

function typeOf(file: string): string {
  if (file.endsWith('.d.ts')) return 'text/plain; charset=utf-8';
  return types[extname(file)] ?? 'application/octet-stream';
}

const COMPRESSIBLE = /^(text\/|application\/(json|javascript|wasm)|image\/svg\+xml)/;

// Files not precompressed are compressed per request between these sizes: below, the saving is
// smaller than the headers it costs; above, the work per request is too much.
const ON_THE_FLY_MIN = 1024;
const ON_THE_FLY_MAX = 1 << 20;

/** Long-lived caching for names that change with their content. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * True for a build output whose name carries its content hash: the chunks Vite writes as
 * `chunks/[name]-[hash].js` (see vite.config.ts). Their source maps are not included: a map can
 * change while the minified code, and so the hash, does not.
 */
export function isHashedChunk(relPath: string): boolean {
  return /(^|\/)chunks\/[^/]+-[A-Za-z0-9_-]{8}\.(js|mjs|css)$/.test(relPath);
}

export interface ServeFileOptions {
  /** added to every answer (e.g. CORS headers) */
  headers?: Record<string, string>;
  /** which files (by path relative to the root, decoded) are cached as immutable; default none */
  immutable?: (relPath: string) => boolean;
}

// Content hashes by file, revalidated by size, mtime and inode: a file is hashed once per change.
const hashes = new Map<string, { size: number; mtimeMs: number; ino: number; tag: string }>();

async function contentTag(
  file: string,
  info: { size: number; mtimeMs: number; ino: number },
): Promise<string> {
  const known = hashes.get(file);
  if (known && known.size === info.size && known.mtimeMs === info.mtimeMs && known.ino === info.ino)
    return known.tag;
  const hash = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', resolve)
      .on('error', reject);
  });
  const tag = hash.digest('base64url').slice(0, 22);
  hashes.set(file, { ...info, tag });
  return tag;
}

/** If-None-Match by weak comparison (RFC 9110, 13.1.2): `*`, or a list of entity tags. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === opaque);
}

/** A precompressed sibling (`x.js.br`, `x.js.gz`) written no earlier than the file itself. */
async function sibling(file: string, coding: Exclude<Coding, 'identity'>, mtimeMs: number) {
  try {
    const s = await stat(file + SUFFIX[coding]);
    return s.isFile() && s.mtimeMs >= mtimeMs ? s : null;
  } catch {
    return null;
  }
}

/**
 * Serves the file `relPath` from under `root`, refusing anything that escapes it.
 * Answers true when it wrote a response, false when there is no such file.
 *
 * Compressible files are sent in the coding the request's `Accept-Encoding` prefers (brotli before
 * gzip on equal terms): from the `.br`/`.gz` file beside them when the build wrote one, compressed
 * per request otherwise (up to 1 MiB). Every answer has a strong `ETag` (a hash of the file's
 * content, one per coding) and honours `If-None-Match` with 304; files named by
 * `options.immutable` are cached for a year, the rest revalidated (`no-cache`).
 */
export async function serveFile(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  relPath: string,
  options: ServeFileOptions = {},
): Promise<boolean> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relPath);
  } catch {
    return false;
  }
  if (decoded.includes('\0')) return false;
  const full = normalize(join(root, decoded));
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return false;
  let info;
  try {
    info = await stat(full);
  } catch {
    return false;
  }
  let file = full;
  if (info.isDirectory()) {
    file = join(full, 'index.html');
    try {
      info = await stat(file);
    } catch {
      return false;
    }
  }
  if (!info.isFile()) return false;

  const type = typeOf(file);
  const compressible = COMPRESSIBLE.test(type);
  const precompressed = {
    br: compressible ? await sibling(file, 'br', info.mtimeMs) : null,
    gzip: compressible ? await sibling(file, 'gzip', info.mtimeMs) : null,
  };
  const onTheFly =
    compressible &&
    !precompressed.br &&
    !precompressed.gzip &&
    info.size >= ON_THE_FLY_MIN &&
    info.size <= ON_THE_FLY_MAX;
  const available: Coding[] = [
    ...(precompressed.br || onTheFly ? (['br'] as const) : []),
    ...(precompressed.gzip || onTheFly ? (['gzip'] as const) : []),
    'identity',
  ];
  const immutable = options.immutable?.(decoded.replace(/\\/g, '/')) ?? false;
  const common: Record<string, string> = {
    'Content-Type': type,
    'Cache-Control': immutable ? IMMUTABLE : 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    ...(compressible ? { Vary: 'Accept-Encoding' } : {}),
    ...options.headers,
  };
  const coding = negotiateEncoding(req.headers['accept-encoding'], available);
  if (coding === null) {
    res.writeHead(406, { ...common, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(req.method === 'HEAD' ? undefined : 'No acceptable content coding.\n');
    return true;
  }

  const tag = await contentTag(file, info);
  const etag = coding === 'identity' ? `"${tag}"` : `"${tag}-${coding === 'br' ? 'br' : 'gz'}"`;
  const headers: Record<string, string> = { ...common, ETag: etag };
  if (matches(req.headers['if-none-match'], etag)) {
    res.writeHead(304, headers);
    res.end();
    return true;
  }

  // Compressed per request before the headers, so that Content-Length is known (HEAD too).
  let body: Buffer | null = null;
  if (onTheFly && coding !== 'identity') {
    const raw = await readFile(file);
    body =
      coding === 'br'
        ? await brotliAsync(raw, {
            params: {
              [zlib.BROTLI_PARAM_QUALITY]: 5,
              [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length,
            },
          })
        : await gzipAsync(raw, { level: 6 });
  }
  if (coding !== 'identity') headers['Content-Encoding'] = coding;
  const source = coding === 'identity' || body ? file : file + SUFFIX[coding];
  const length = body
    ? body.length
    : coding === 'identity'
      ? info.size
      : precompressed[coding]!.size;
  res.writeHead(200, { ...headers, 'Content-Length': String(length) });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  if (body) {
    res.end(body);
    return true;
  }
  await new Promise<void>((resolve) => {
    const stream = createReadStream(source);
    stream.on('error', () => {
      res.destroy();
      resolve();
    });
    stream.on('end', resolve);
    stream.pipe(res);
  });
  return true;
}
