/**
 * Who owns a leftover (a scratch folder, a cgroup subtree): each is named after its engine's pid
 * and pid namespace, so an engine removes only those of engines gone from its own namespace (a
 * shared /tmp or cgroup mount may span several).
 */
import { readdirSync, readlinkSync } from 'node:fs';

/** The inode number of this process's pid namespace (`pid:[4026531836]`). */
export function pidNamespace(): string {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '0';
  } catch {
    return '0';
  }
}

/** True while process `pid` exists (one we may not signal exists too). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The entries of `dir` named (by `name`: group 1 the pid, group 2 the pid namespace) after an
 * engine gone from this pid namespace; none when `dir` cannot be read.
 */
export function leftoversOfDeadEngines(dir: string, name: RegExp): string[] {
  const ns = pidNamespace();
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.filter((e) => {
    const m = name.exec(e);
    return !!m && m[2] === ns && Number(m[1]) !== process.pid && !isAlive(Number(m[1]));
  });
}
