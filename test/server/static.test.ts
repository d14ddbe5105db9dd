// The backend's static files (/dist/ bundles and the pages at /): content coding chosen by
// Accept-Encoding, bytes that decode to the file, Vary, caching of hashed and unhashed files,
// ETag and 304, HEAD, Content-Type, the CORS rule of /dist/, and no way out of the served folders.
// Real HTTP (node:http, so that bytes arrive as sent) against startServer and the built dist/
// (npm test builds first; alone: npm run build, then npm test -- test/server/static.test.ts).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, brotliDecompressSync, gunzipSync } from 'node:zlib';
import { negotiateEncoding, type Coding } from '../../src/server/encoding.js';
import { parseConfig, startServer, type RunningServer } from '../../src/server/index.js';
import { isHashedChunk } from '../../src/server/static.js';
import { SECRET } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = join(root, 'dist');
const BROWSER = 'gzip, deflate, br, zstd'; // what Chromium sends
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request with the path sent exactly as written (no URL normalisation), body undecoded. */
function get(
  base: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function decode(a: Answer): Buffer {
  const enc = a.headers['content-encoding'];
  if (enc === 'br') return brotliDecompressSync(a.body);
  if (enc === 'gzip') return gunzipSync(a.body);
  assert.equal(enc, undefined, `unexpected content-encoding ${String(enc)}`);
  return a.body;
}

const start = (pagesDir?: string) =>
  startServer({
    port: 0,
    config: parseConfig({ widgets: [] }),
    sessionSecret: SECRET,
    log: () => {},
    accessLog: false,
    pagesDir,
  });

let server: RunningServer;
const ENTRY = '/dist/cdn/se-widgets.js';
const entry = () => readFileSync(join(dist, 'cdn/se-widgets.js'));
let chunk: string; // a hashed chunk, e.g. /dist/cdn/chunks/index-7i9Nh0Gv.js

before(async () => {
  if (!existsSync(join(dist, 'cdn/se-widgets.js.br')))
    throw new Error('dist/ is not built (with its .br/.gz files): run npm run build first');
  // chunks/[name]-[hash].js (vite.config.ts)
  const name = readdirSync(join(dist, 'cdn/chunks')).find((f) => /-[\w-]{8}\.js$/.test(f));
  assert.ok(name, 'dist/cdn/chunks holds a hashed chunk');
  chunk = `/dist/cdn/chunks/${name}`;
  server = await start();
});
after(() => server.close());

describe('static files: content coding', () => {
  it('sends brotli to a browser (br preferred over gzip), decoding to the file', async () => {
    const a = await get(server.url, ENTRY, { 'accept-encoding': BROWSER });
    assert.equal(a.status, 200);
    assert.equal(a.headers['content-encoding'], 'br');
    assert.ok(a.body.length < entry().length / 2, `${a.body.length} bytes`);
    assert.equal(Number(a.headers['content-length']), a.body.length);
    assert.deepEqual(brotliDecompressSync(a.body), entry());
  });

  it('sends the precompressed file written by the build', async () => {
    const a = await get(server.url, ENTRY, { 'accept-encoding': 'br' });
    assert.deepEqual(a.body, readFileSync(join(dist, 'cdn/se-widgets.js.br')));
    const g = await get(server.url, ENTRY, { 'accept-encoding': 'gzip' });
    assert.deepEqual(g.body, readFileSync(join(dist, 'cdn/se-widgets.js.gz')));
  });

  it('sends gzip to a client without brotli, decoding to the file', async () => {
    const a = await get(server.url, ENTRY, { 'accept-encoding': 'gzip, deflate' });
    assert.equal(a.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(a.body), entry());
  });

  it('sends the file as it is without Accept-Encoding, or when only identity is acceptable', async () => {
    const variants: Array<Record<string, string>> = [
      {},
      { 'accept-encoding': '' },
      { 'accept-encoding': 'identity' },
    ];
    for (const headers of variants) {
      const a = await get(server.url, ENTRY, headers);
      assert.equal(a.headers['content-encoding'], undefined, JSON.stringify(headers));
      assert.equal(Number(a.headers['content-length']), entry().length);
      assert.deepEqual(a.body, entry());
    }
  });

  it('follows q-values over HTTP', async () => {
    const cases: Array<[string, string | undefined]> = [
      ['br;q=0.5, gzip;q=0.8', 'gzip'],
      ['br;q=0, gzip', 'gzip'],
      ['gzip;q=1, br;q=1', 'br'],
      ['*', 'br'],
      ['*;q=0, identity', undefined],
      ['br;q=0, gzip;q=0', undefined],
    ];
    for (const [accept, want] of cases) {
      const a = await get(server.url, ENTRY, { 'accept-encoding': accept });
      assert.equal(a.status, 200, accept);
      assert.equal(a.headers['content-encoding'], want, accept);
      assert.deepEqual(decode(a), entry(), accept);
    }
  });

  it('answers 406 when nothing it has is acceptable (identity refused)', async () => {
    for (const accept of ['identity;q=0', '*;q=0', 'zstd, identity;q=0']) {
      const a = await get(server.url, ENTRY, { 'accept-encoding': accept });
      assert.equal(a.status, 406, accept);
    }
  });

  it('negotiates by RFC 9110 rules (unit)', () => {
    const all: Coding[] = ['br', 'gzip', 'identity'];
    const cases: Array<[string | undefined, Coding[], Coding | null]> = [
      [undefined, all, 'identity'],
      ['', all, 'identity'],
      ['gzip, deflate, br, zstd', all, 'br'],
      ['gzip, deflate', all, 'gzip'],
      ['x-gzip', all, 'gzip'],
      ['GZIP;Q=0.5', all, 'gzip'],
      ['br;q=0.2, gzip;q=0.9', all, 'gzip'],
      ['br;q=0.9, gzip;q=0.9', all, 'br'],
      ['br;q=0.001', all, 'br'],
      ['br;q=2', all, 'identity'], // an invalid q-value drops its entry
      ['br;q=0.0001', all, 'identity'],
      ['*;q=0.5, br;q=0', all, 'gzip'],
      ['*;q=0', all, null],
      ['identity;q=0', all, null],
      ['identity;q=0', ['identity'], null],
      ['gzip;q=0.5, identity;q=1', all, 'identity'],
      ['br', ['gzip', 'identity'], 'identity'],
      ['*;q=0, identity;q=0.1', all, 'identity'],
      ['br;q=0.5, br;q=0', all, 'br'],
    ];
    for (const [header, available, want] of cases)
      assert.equal(negotiateEncoding(header, available), want, `${header} of ${available}`);
  });

  it('compresses pages on the fly (no precompressed file), decoding to the file', async () => {
    const page = readFileSync(join(root, 'demo/index.html'));
    for (const [accept, want] of [
      [BROWSER, 'br'],
      ['gzip', 'gzip'],
      ['identity', undefined],
    ] as const) {
      const a = await get(server.url, '/', { 'accept-encoding': accept });
      assert.equal(a.status, 200);
      assert.equal(a.headers['content-encoding'], want, accept);
      assert.equal(Number(a.headers['content-length']), a.body.length);
      assert.deepEqual(decode(a), page);
    }
  });

  it('sends Vary: Accept-Encoding whatever the coding, and on 304', async () => {
    for (const path of [ENTRY, chunk, '/']) {
      for (const accept of [BROWSER, 'gzip', 'identity', undefined]) {
        const headers: Record<string, string> =
          accept === undefined ? {} : { 'accept-encoding': accept };
        const a = await get(server.url, path, headers);
        assert.equal(a.headers.vary, 'Accept-Encoding', `${path} ${accept}`);
        const b = await get(server.url, path, {
          ...headers,
          'if-none-match': String(a.headers.etag),
        });
        assert.equal(b.status, 304);
        assert.equal(b.headers.vary, 'Accept-Encoding', `${path} ${accept} (304)`);
      }
    }
  });
});

describe('static files: caching', () => {
  it('caches hashed chunks for a year, immutable', async () => {
    const a = await get(server.url, chunk, { 'accept-encoding': BROWSER });
    assert.equal(a.status, 200);
    assert.equal(a.headers['cache-control'], IMMUTABLE);
    assert.equal(a.headers['content-encoding'], 'br');
  });

  it('revalidates unhashed files (entry bundles, source maps, pages) by ETag', async () => {
    for (const path of [ENTRY, '/dist/cdn/se-embed.js', `${chunk}.map`, '/', '/demo.css']) {
      const a = await get(server.url, path, { 'accept-encoding': BROWSER });
      assert.equal(a.status, 200, path);
      assert.equal(a.headers['cache-control'], 'no-cache', path);
      assert.match(String(a.headers.etag), /^"[A-Za-z0-9_-]+"$|^"[A-Za-z0-9_-]+-(br|gz)"$/, path);
    }
  });

  it('tells hashed names from others', () => {
    assert.equal(isHashedChunk('cdn/chunks/index-7i9Nh0Gv.js'), true);
    assert.equal(isHashedChunk('cdn/chunks/erlang-CbBcK-6m.js'), true);
    assert.equal(isHashedChunk('demo-app/chunks/python-N_yMEJ8G.js'), true);
    assert.equal(isHashedChunk('cdn/chunks/index-7i9Nh0Gv.js.map'), false);
    assert.equal(isHashedChunk('cdn/se-widgets.js'), false);
    assert.equal(isHashedChunk('elements/se-solve/renderer-abcdefgh.js'), false);
    assert.equal(isHashedChunk('cdn/chunks/index.js'), false);
  });

  it('answers If-None-Match with 304 and no body; one ETag per coding', async () => {
    const tags = new Set<string>();
    for (const accept of ['br', 'gzip', 'identity']) {
      const a = await get(server.url, ENTRY, { 'accept-encoding': accept });
      const etag = String(a.headers.etag);
      tags.add(etag);
      const b = await get(server.url, ENTRY, { 'accept-encoding': accept, 'if-none-match': etag });
      assert.equal(b.status, 304, accept);
      assert.equal(b.body.length, 0);
      assert.equal(b.headers.etag, etag);
      assert.equal(b.headers['cache-control'], 'no-cache');
      // weak comparison, and a list of tags
      const weak = await get(server.url, ENTRY, {
        'accept-encoding': accept,
        'if-none-match': `"nope", W/${etag}`,
      });
      assert.equal(weak.status, 304, `W/ ${accept}`);
    }
    assert.equal(tags.size, 3, [...tags].join(' '));
    // the tag of another coding's bytes is not a match
    const id = await get(server.url, ENTRY, { 'accept-encoding': 'identity' });
    const br = await get(server.url, ENTRY, {
      'accept-encoding': 'br',
      'if-none-match': String(id.headers.etag),
    });
    assert.equal(br.status, 200);
    const star = await get(server.url, ENTRY, { 'if-none-match': '*' });
    assert.equal(star.status, 304);
  });

  describe('a folder of pages that changes', () => {
    let dir: string;
    let pages: RunningServer;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'se-static-'));
      await mkdir(join(dir, 'pages'));
      await writeFile(join(dir, 'secret.txt'), 'outside the served folder\n');
      pages = await start(join(dir, 'pages'));
    });
    after(async () => {
      await pages.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('gives a changed file a new ETag, and the old one no longer answers 304', async () => {
      const file = join(dir, 'pages/lesson.html');
      await writeFile(file, '<!doctype html><p>' + 'a'.repeat(2000) + '</p>\n');
      const first = await get(pages.url, '/lesson.html', { 'accept-encoding': 'br' });
      const tag = String(first.headers.etag);
      // same size, same second: only the content tells them apart
      await writeFile(file, '<!doctype html><p>' + 'b'.repeat(2000) + '</p>\n');
      const second = await get(pages.url, '/lesson.html', {
        'accept-encoding': 'br',
        'if-none-match': tag,
      });
      assert.equal(second.status, 200);
      assert.notEqual(second.headers.etag, tag);
      assert.match(decode(second).toString(), /bbbb/);
    });

    it('ignores a precompressed file older than its file', async () => {
      const file = join(dir, 'pages/app.js');
      await writeFile(file, 'export const fresh = 1;\n'.repeat(100));
      await writeFile(file + '.br', brotliCompressSync('export const stale = 1;\n'.repeat(100)));
      const past = new Date(Date.now() - 60_000);
      await utimes(file + '.br', past, past);
      const a = await get(pages.url, '/app.js', { 'accept-encoding': 'br' });
      assert.equal(a.headers['content-encoding'], 'br');
      assert.match(decode(a).toString(), /fresh/);
    });

    it('never serves a file outside the folder', async () => {
      for (const path of [
        '/../secret.txt',
        '/..%2fsecret.txt',
        '/%2e%2e/secret.txt',
        '/%2e%2e%2fsecret.txt',
        '/.%2e/secret.txt',
        '/..%5csecret.txt',
        '/%252e%252e%252fsecret.txt',
        '//..%2f..%2f' + dir.slice(1) + '/secret.txt',
        '/' + encodeURIComponent(join(dir, 'secret.txt')),
      ]) {
        const a = await get(pages.url, path);
        assert.ok(a.status === 404 || a.status === 400, `${path}: ${a.status}`);
        assert.doesNotMatch(a.body.toString(), /outside the served folder/, path);
      }
      // a target read as an authority is refused as malformed, not by dropping the connection
      assert.equal((await get(pages.url, '//..%2f..%2fsecret.txt')).status, 400);
    });
  });
});

describe('static files: HEAD, Content-Type, CORS, traversal', () => {
  it('answers HEAD with the headers of GET and no body', async () => {
    for (const accept of [BROWSER, 'gzip', 'identity']) {
      for (const path of [ENTRY, '/']) {
        const g = await get(server.url, path, { 'accept-encoding': accept });
        const h = await get(server.url, path, { 'accept-encoding': accept }, 'HEAD');
        assert.equal(h.status, 200);
        assert.equal(h.body.length, 0);
        for (const k of ['content-length', 'content-encoding', 'etag', 'content-type', 'vary'])
          assert.equal(h.headers[k], g.headers[k], `${path} ${accept} ${k}`);
      }
    }
  });

  it('names each type, with nosniff', async () => {
    const cases: Array<[string, string]> = [
      [ENTRY, 'text/javascript; charset=utf-8'],
      [chunk, 'text/javascript; charset=utf-8'],
      [`${ENTRY}.map`, 'application/json; charset=utf-8'],
      ['/dist/custom-elements.json', 'application/json; charset=utf-8'],
      ['/', 'text/html; charset=utf-8'],
      ['/iframe.html', 'text/html; charset=utf-8'],
      ['/workspace.html', 'text/html; charset=utf-8'],
      ['/demo.css', 'text/css; charset=utf-8'],
      ['/dist/elements/index.d.ts', 'text/plain; charset=utf-8'],
    ];
    for (const [path, type] of cases) {
      for (const accept of [BROWSER, 'identity']) {
        const a = await get(server.url, path, { 'accept-encoding': accept });
        assert.equal(a.status, 200, path);
        assert.equal(a.headers['content-type'], type, `${path} ${accept}`);
        assert.equal(a.headers['x-content-type-options'], 'nosniff');
      }
    }
  });

  it('lets any origin read /dist/ (no credentials), and only /dist/', async () => {
    const origin = { origin: 'https://lms.example.org', 'accept-encoding': BROWSER };
    for (const path of [ENTRY, chunk, '/dist/cdn/se-embed.js']) {
      const a = await get(server.url, path, origin);
      assert.equal(a.headers['access-control-allow-origin'], '*', path);
      assert.equal(a.headers['access-control-allow-credentials'], undefined);
      const b = await get(server.url, path, { ...origin, 'if-none-match': String(a.headers.etag) });
      assert.equal(b.status, 304);
      assert.equal(b.headers['access-control-allow-origin'], '*', `${path} (304)`);
    }
    const page = await get(server.url, '/', origin);
    assert.equal(page.headers['access-control-allow-origin'], undefined);
  });

  it('refuses paths out of dist/ and demo/, plain and encoded', async () => {
    const pkg = /"name": "se-widgets"/;
    for (const path of [
      '/dist/../package.json',
      '/dist/..%2fpackage.json',
      '/dist/..%2f..%2fpackage.json',
      '/dist/%2e%2e/package.json',
      '/dist/%2e%2e%2fpackage.json',
      '/dist/cdn/..%2f..%2fpackage.json',
      '/dist/cdn/%2e%2e%2f%2e%2e%2fpackage.json',
      '/dist/..%5cpackage.json',
      '/dist/%252e%252e%252fpackage.json',
      '/dist/..%00/package.json',
      '/dist/%c0%ae%c0%ae/package.json',
      '/..%2fpackage.json',
      '/%2e%2e%2fpackage.json',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/dist/..%2fdemo%2f..%2f..%2f..%2fetc%2fpasswd',
    ]) {
      for (const method of ['GET', 'HEAD']) {
        const a = await get(server.url, path, { 'accept-encoding': BROWSER }, method);
        assert.equal(a.status, 404, `${method} ${path}`);
        assert.doesNotMatch(a.body.toString(), pkg, path);
        assert.doesNotMatch(a.body.toString(), /root:x:0:0/, path);
      }
    }
  });

  it("serves the browser package's parts and the demo app from /dist/, never the server's code", async () => {
    for (const path of ['/dist/elements/index.js', '/dist/embed/index.js', '/dist/shared/v1.js'])
      assert.equal((await get(server.url, path, {})).status, 200, path);
    for (const path of [
      '/dist/engine/exec/index.js',
      '/dist/server/index.js',
      '/dist/cli/main.js',
      '/dist/upstream/client.js',
      '/dist/cdn/..%2fengine%2fexec%2findex.js',
      '/dist/cdn/%2e%2e/server/index.js',
      '/dist/custom-elements.json/..%2fserver%2findex.js',
      '/dist/constructor',
      '/dist/__proto__/x',
    ]) {
      const a = await get(server.url, path, {});
      assert.equal(a.status, 404, path);
      assert.doesNotMatch(a.body.toString(), /import |export /, path);
    }
  });
});
