// Builds the sandbox's C helpers native/se-init.c and native/se-pty.c (the terminal's pty relay)
// into native/build/ (static, so they run inside any box). Runs from `npm install`
// (postinstall), `npm run build`, `npm start` and `npm test`, always with --if-possible except in `npm test`: without a C compiler it only warns,
// and the engine's self-test then names what is missing. Skips a target newer than its source.
// (The seccomp filter needs no build: the engine generates it, src/engine/sandbox/seccomp.ts.)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'native');
const out = join(src, 'build');
const ifPossible = process.argv.includes('--if-possible');

const targets = [
  { name: 'se-init', source: 'se-init.c', flags: ['-O2', '-static', '-Wall', '-Wextra'] },
  { name: 'se-pty', source: 'se-pty.c', flags: ['-O2', '-static', '-Wall', '-Wextra'] },
];

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
let failed = 0;
for (const t of targets) {
  const source = join(src, t.source);
  if (!existsSync(source)) continue;
  const exe = join(out, t.name);
  if (mtime(exe) > mtime(source)) continue;
  const cc = process.env.CC || 'cc';
  let r;
  try {
    mkdirSync(out, { recursive: true });
    // build beside, then rename: an engine starting meanwhile never runs half a binary
    r = spawnSync(cc, [...t.flags, '-o', `${exe}.tmp`, source], { stdio: 'inherit' });
    if (r.status === 0) renameSync(`${exe}.tmp`, exe);
  } catch (err) {
    r = { status: 1, error: err };
  }
  if (r.status !== 0) {
    failed++;
    process.stderr.write(
      `build-native: could not build ${t.name} with ${cc}` +
        (r.error ? ` (${r.error.message})` : '') +
        '. The sandbox needs a C compiler with static glibc: apt-get install gcc libc6-dev\n',
    );
  }
}
if (failed && !ifPossible) process.exit(1);
