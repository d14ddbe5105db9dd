// `npm start`: installs the dependencies and builds what is missing or stale, then runs `se-widgets serve` (extra arguments are
// passed on, e.g. `npm start -- --port 9000`).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureDependencies, must, newest, root } from './lib.mjs';

await ensureDependencies();
const stamp = join(root, 'dist/.build-stamp');
const inputs = [
  'src',
  'native',
  'demo/app',
  'package.json',
  'tsconfig.json',
  'vite.config.ts',
  'custom-elements-manifest.config.mjs',
];
if (!existsSync(stamp) || statSync(stamp).mtimeMs < newest(inputs)) {
  process.stdout.write('start: building (dist/ is missing or older than the sources)\n');
  await must(process.execPath, [join(root, 'scripts/build.mjs')]);
}
const { main } = await import(pathToFileURL(join(root, 'dist/cli/main.js')).href);
process.exitCode = await main(['serve', ...process.argv.slice(2)]);
