/**
 * Removes folders a program wrote, whatever it left there: first detaches the tmpfs mounted on
 * a program folder (`mountCapped`), then `rm -rf --one-file-system` (GNU rm
 * descends with openat, so a chain of folders deeper than PATH_MAX goes too, and it never follows
 * a symlink). Never throws: what failed comes back as text for the operator's log (it may name
 * host paths: never show it to a user).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const RM = ['/usr/bin/rm', '/bin/rm'].find((p) => existsSync(p)) ?? 'rm';
const ARGS = ['-rf', '--one-file-system', '--'];

const MOUNT = ['/usr/bin/mount', '/bin/mount'].find((p) => existsSync(p));
const UMOUNT = ['/usr/bin/umount', '/bin/umount'].find((p) => existsSync(p));

/**
 * As root: mounts a private tmpfs of `bytes` and `inodes` on the empty folder `dir`, so what a
 * build writes there is capped by the kernel, however many writers it runs at once. False when
 * it cannot (not root, no mount(8)): the caller then watches the folder's size instead.
 */
export function mountCapped(dir: string, bytes: number, inodes: number): boolean {
  if (process.getuid?.() !== 0 || !MOUNT) return false;
  const opts = `size=${Math.floor(bytes)},nr_inodes=${Math.floor(inodes)},mode=0755,nosuid,nodev`;
  const r = spawnSync(MOUNT, ['-t', 'tmpfs', '-o', opts, 'se-program', dir], {
    stdio: 'ignore',
    env: {},
  });
  return r.status === 0;
}

/** Mount points at or under `path` (this process's mount namespace), deepest first. */
function mountsUnder(path: string): string[] {
  let info: string;
  try {
    info = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of info.split('\n')) {
    const point = line
      .split(' ')[4]
      ?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (point && (point === path || point.startsWith(`${path}/`))) out.push(point);
  }
  return out.sort((a, b) => b.length - a.length);
}

/** Detaches every mount at or under `path` (the program folders' tmpfs). */
function unmountUnder(path: string): void {
  if (!UMOUNT) return;
  for (const m of mountsUnder(path))
    spawnSync(UMOUNT, ['-l', '--', m], { stdio: 'ignore', env: {} });
}

/** Removes `path` and everything under it; null when it is gone, else why not. */
export function removeTree(path: string): Promise<string | null> {
  unmountUnder(path);
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
  unmountUnder(path);
  const r = spawnSync(RM, [...ARGS, path], { stdio: ['ignore', 'ignore', 'pipe'], env: {} });
  if (r.error) return `rm: ${r.error.message}`;
  return r.status === 0 && !existsSync(path)
    ? null
    : `rm exited ${r.status}: ${String(r.stderr).trim().slice(0, 2000)}`;
}
