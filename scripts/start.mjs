// `npm start`: installs the dependencies (npm packages, and the OS packages the sandbox needs when
// this user may install them), builds what is missing or stale, then runs `se-widgets serve`
// (extra arguments are passed on, e.g. `npm start -- --port 9000`). A missing OS package never
// stops it: the engine then serves and refuses runs (status 20) naming the command to type.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureDependencies, must, newest, root } from './lib.mjs';
import { ensurePackages, START_PACKAGES } from './packages.mjs';

try {
  await ensureDependencies();
  const { missing, command } = await ensurePackages(START_PACKAGES, 'start');
  if (missing.length)
    process.stdout.write(
      `start: WARNING: ${missing.join(', ')} missing and not installable by this user: ` +
        `the demo is served but code does not run until you type: ${command}\n`,
    );
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
} catch (err) {
  process.stderr.write(`start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
