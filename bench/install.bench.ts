// What `npm install` of the browser package costs a fresh app, against the baseline of the one
// package this repository used to publish (everything in one tarball: the browser code with the
// backend, the engine, better-sqlite3 and the native postinstall), both measured here in the same
// run from local tarballs and the npm cache (`--prefer-offline`), each into its own empty folder.
// Target (issue 18): no native build, under 10 s.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(join(root, 'dist/.build-stamp'))) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}
const scratch = mkdtempSync(join(tmpdir(), 'se-install-bench-'));

function must(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Installs `tgz` into a fresh folder; seconds, packages and native modules of the install. */
function install(name: string, tgz: string): { seconds: number; packages: number; native: number } {
  const app = join(scratch, name);
  mkdirSync(app, { recursive: true });
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: `bench-${name}`, private: true }),
  );
  const t0 = process.hrtime.bigint();
  must('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tgz], app);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const all = readdirSync(join(app, 'node_modules'), { recursive: true }) as string[];
  const packages = all.filter((f) => f.endsWith('package.json') && !f.includes('/test/')).length;
  const native = all.filter((f) => f.endsWith('.node')).length;
  return { seconds, packages, native };
}

try {
  const packed = must(process.execPath, [join(root, 'scripts/pack.mjs')], root)
    .trim()
    .split('\n');
  const browserTgz = packed.at(-2)!;
  // the baseline: the root package packed whole, as it was published before the split
  const whole = must('npm', ['pack', '--silent', '--pack-destination', scratch], root).trim();
  const wholeTgz = join(scratch, whole.split('\n').at(-1)!);

  const before = install('whole', wholeTgz);
  const after = install('browser', browserTgz);
  const row = (label: string, r: typeof before) =>
    `${label.padEnd(34)} ${r.seconds.toFixed(1).padStart(6)} s  ${String(r.packages).padStart(4)} package.json files  ${r.native} native modules`;
  process.stdout.write(`${row('baseline: the whole package', before)}\n`);
  process.stdout.write(`${row('se-widgets (browser package)', after)}\n`);
  process.stdout.write(
    `browser package / baseline: x${(after.seconds / before.seconds).toFixed(2)} time; ` +
      `target under 10 s with no native build: ${after.seconds < 10 && after.native === 0 ? 'met' : 'NOT met'}\n`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
