// Small helpers shared by the build, start and test scripts.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const bin = (name) => join(root, 'node_modules', '.bin', name);

/** Runs a command with inherited stdio; resolves to its exit code. */
export function run(cmd, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', ...options });
    child.on('error', (err) => {
      process.stderr.write(`${cmd}: ${err.message}\n`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/**
 * The `node` arguments that run Node test files as `npm test` does (tsx, the exit guard,
 * `node --test`, the spec reporter on stdout), with `reporter` writing to `destination` beside it.
 */
export function nodeTestArgs(reporter, destination, testFiles) {
  return [
    '--import',
    'tsx',
    // fails a file that leaves a handle open instead of letting it hang the run
    '--import',
    './scripts/test-exit-guard.mjs',
    '--test',
    '--test-timeout=300000',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${reporter}`,
    `--test-reporter-destination=${destination}`,
    ...testFiles,
  ];
}

/** Runs a command and throws when it fails. */
export async function must(cmd, args, options) {
  const code = await run(cmd, args, options);
  if (code !== 0) throw new Error(`${[cmd, ...args].join(' ')} failed with exit code ${code}`);
}

/** Every file under `dir` (relative to the root) whose name passes `keep`. */
export function files(dir, keep = () => true) {
  const out = [];
  const walk = (d) => {
    let entries;
    try {
      entries = readdirSync(join(root, d), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const rel = join(d, e.name);
      if (e.isDirectory()) walk(rel);
      else if (keep(rel)) out.push(rel);
    }
  };
  walk(dir);
  return out.sort();
}

/** Newest modification time among files under the given folders or files. */
export function newest(paths) {
  let t = 0;
  for (const p of paths) {
    let info;
    try {
      info = statSync(join(root, p));
    } catch {
      continue;
    }
    if (info.isDirectory())
      for (const f of files(p)) t = Math.max(t, statSync(join(root, f)).mtimeMs);
    else t = Math.max(t, info.mtimeMs);
  }
  return t;
}

/**
 * Installs the npm dependencies when they are missing or older than package-lock.json, so that
 * `npm start` and `npm test` work right after a clone.
 */
export async function ensureDependencies() {
  const marker = join(root, 'node_modules/.package-lock.json');
  let stale;
  try {
    stale = statSync(marker).mtimeMs < statSync(join(root, 'package-lock.json')).mtimeMs;
  } catch {
    stale = true;
  }
  if (!stale) return;
  process.stdout.write('installing the npm dependencies (npm ci)\n');
  await must(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci']);
}
