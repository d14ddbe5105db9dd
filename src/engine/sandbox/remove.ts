/**
 * Removes folders a program wrote, whatever it left there: `rm -rf --one-file-system` (GNU rm
 * descends with openat, so a chain of folders deeper than PATH_MAX goes too, and it never follows
 * a symlink). Never throws: what failed comes back as text for the operator's log (it may name
 * host paths: never show it to a user).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const RM = ['/usr/bin/rm', '/bin/rm'].find((p) => existsSync(p)) ?? 'rm';
const ARGS = ['-rf', '--one-file-system', '--'];

/** Removes `path` and everything under it; null when it is gone, else why not. */
export function removeTree(path: string): Promise<string | null> {
  return new Promise((resolve) => {
    let err = '';
    const child = spawn(RM, [...ARGS, path], { stdio: ['ignore', 'ignore', 'pipe'], env: {} });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (err.length < 2000) err += d;
    });
    child.on('error', (e) => resolve(`rm: ${e.message}`));
    child.on('close', (code) =>
      resolve(code === 0 && !existsSync(path) ? null : `rm exited ${code}: ${err.trim()}`),
    );
  });
}

/** The same, synchronously (start-up sweeps before anything runs). */
export function removeTreeSync(path: string): string | null {
  const r = spawnSync(RM, [...ARGS, path], { stdio: ['ignore', 'ignore', 'pipe'], env: {} });
  if (r.error) return `rm: ${r.error.message}`;
  return r.status === 0 && !existsSync(path)
    ? null
    : `rm exited ${r.status}: ${String(r.stderr).trim().slice(0, 2000)}`;
}
