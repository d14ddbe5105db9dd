// `npm run build`: native helpers, the ESM modules and types (tsc), the script-tag bundles (Vite),
// dist/custom-elements.json and the bundles' precompressed .br/.gz siblings. Writes
// dist/.build-stamp last, so `npm start` knows it is complete.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, must, root, run } from './lib.mjs';

const t0 = Date.now();
rmSync(join(root, 'dist'), { recursive: true, force: true });
// The C helper is optional for the build: without a compiler the engine serves and names the fix.
await run(process.execPath, [join(root, 'scripts/build-native.mjs'), '--if-possible']);
await must(bin('tsc'), ['-p', 'tsconfig.json']);
await must(bin('vite'), ['build']);
await must(bin('vite'), ['build', '--mode', 'classic']);
// The drop-in for pages written for the hosted JS SDK (served at /static/sdk/sdk.js).
await must(bin('vite'), ['build', '--mode', 'sdk']);
// The demo app (demo/app.html): imports the ESM build above as an app would.
await must(bin('vite'), ['build', '--config', 'demo/app/vite.config.ts']);
await must(bin('cem'), ['analyze', '--quiet']);
// Brotli and gzip siblings of the bundles, sent by the backend to browsers that accept them.
await must(process.execPath, [join(root, 'scripts/compress.mjs')]);
writeFileSync(join(root, 'dist/.build-stamp'), new Date().toISOString() + '\n');
process.stdout.write(`build: dist/ written in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
