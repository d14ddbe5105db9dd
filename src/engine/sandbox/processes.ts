/**
 * Who owns a leftover (a scratch folder, a cgroup subtree): each is named after its engine's pid
 * and pid namespace, so an engine removes only those of engines gone from its own namespace (a
 * shared /tmp or cgroup mount may span several).
 */
import { readlinkSync } from 'node:fs';

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
