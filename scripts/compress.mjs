// Build step: writes `x.br` and `x.gz` beside each compressible file of the bundles browsers load
// (dist/cdn, dist/demo-app), at the strongest settings, once per build instead of per request. The
// backend (src/server/static.ts) sends them to clients that accept them, and any static host that
// knows the convention (nginx gzip_static/brotli_static, a CDN upload) can do the same. A sibling
// that would not be smaller than its file is not written.
//
//   node scripts/compress.mjs [folder ...]     default: dist/cdn dist/demo-app
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { files, root } from './lib.mjs';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

const COMPRESSIBLE = /\.(js|mjs|css|json|map|svg|html|txt)$/;
// Below this the server sends the file as it is (static.ts: ON_THE_FLY_MIN).
const MIN_SIZE = 1024;

const folders = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['dist/cdn', 'dist/demo-app'];
const t0 = Date.now();
const todo = folders.flatMap((d) => files(d, (f) => COMPRESSIBLE.test(f)));
let written = 0;
let before = 0;
let afterBr = 0;

async function one(rel) {
  const file = join(root, rel);
  if ((await stat(file)).size < MIN_SIZE) return;
  const raw = await readFile(file);
  const [br, gzipped] = await Promise.all([
    brotli(raw, {
      params: {
        // Source maps (large, read only by developer tools) at 9: half the time, 7 % bigger.
        [constants.BROTLI_PARAM_QUALITY]: rel.endsWith('.map') ? 9 : constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    }),
    gz(raw, { level: 9 }),
  ]);
  if (br.length < raw.length) {
    await writeFile(file + '.br', br);
    written++;
  }
  if (gzipped.length < raw.length) {
    await writeFile(file + '.gz', gzipped);
    written++;
  }
  before += raw.length;
  afterBr += Math.min(br.length, raw.length);
}

// Two at a time: zlib runs them on the thread pool, and the machine may be shared.
const queue = [...todo];
await Promise.all(
  [0, 1].map(async () => {
    for (let rel; (rel = queue.shift());) await one(rel);
  }),
);
process.stdout.write(
  `compress: ${written} files beside ${todo.length} in ${folders.join(', ')} ` +
    `(${(before / 1024).toFixed(0)} KB, ${(afterBr / 1024).toFixed(0)} KB brotli) in ` +
    `${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
);
