// Builds the sandbox's C helpers in native/ into native/build/. Runs from `npm install`
// (postinstall, with --if-possible: a machine without a C compiler or libseccomp only gets a
// warning, and the engine's self-test then names what is missing), `npm run build`, `npm start`
// and `npm test`. Skips targets that are newer than their sources.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'native');
const out = join(src, 'build');
const ifPossible = process.argv.includes('--if-possible');

/** Each target: output name, source file, compiler flags, libraries; `then` runs after a build. */
const targets = [
  { name: 'se-init', source: 'se-init.c', flags: ['-O2', '-static', '-Wall', '-Wextra'], libs: [] },
  {
    name: 'se-seccomp-gen',
    source: 'se-seccomp-gen.c',
    flags: ['-O2', '-Wall', '-Wextra'],
    libs: ['-lseccomp'],
    then: [join(out, 'se-seccomp-gen'), join(out, 'seccomp.bpf')],
    product: 'seccomp.bpf',
  },
];

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
let failed = 0;
const present = existsSync(src) ? readdirSync(src) : [];
for (const t of targets) {
  if (!present.includes(t.source)) continue;
  const source = join(src, t.source);
  const exe = join(out, t.name);
  const product = t.product ? join(out, t.product) : exe;
  if (mtime(exe) > mtime(source) && mtime(product) >= mtime(exe)) continue;
  mkdirSync(out, { recursive: true });
  const cc = process.env.CC || 'cc';
  const r = spawnSync(cc, [...t.flags, '-o', exe, source, ...t.libs], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(
      `build-native: could not build ${t.name} with ${cc}` +
        (r.error ? ` (${r.error.message})` : '') +
        '. The sandbox needs a C compiler with static glibc and libseccomp: ' +
        'apt-get install build-essential libseccomp-dev\n',
    );
    continue;
  }
  if (t.then) {
    const g = spawnSync(t.then[0], t.then.slice(1), { stdio: 'inherit' });
    if (g.status !== 0) {
      failed++;
      process.stderr.write(`build-native: ${t.name} failed to write ${t.product}\n`);
    }
  }
}
if (failed && !ifPossible) process.exit(1);
