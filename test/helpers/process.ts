import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface Spawned {
  child: ChildProcess;
  /** everything written to stdout so far */
  stdout(): string;
  stderr(): string;
  /** resolves with the first stdout match of `re` */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** resolves with the exit code (or signal name) */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const live = new Set<ChildProcess>();
// A test that fails half-way must not leave a server running behind it.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Spawns a process and collects its output; for tests of commands. */
export function spawnCollect(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: 'pipe' });
  live.add(child);
  child.on('exit', () => live.delete(child));
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    waiters.forEach((w) => w());
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(re, timeoutMs = 30000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(re);
          if (m) {
            clearTimeout(timer);
            resolve(m);
            return true;
          }
          return false;
        };
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${re}; stdout: ${out}; stderr: ${err}`)),
          timeoutMs,
        );
        if (check()) return;
        waiters.push(() => void check());
        void exited.then(() => {
          if (!check()) {
            clearTimeout(timer);
            reject(new Error(`exited before ${re}; stdout: ${out}; stderr: ${err}`));
          }
        });
      });
    },
  };
}
