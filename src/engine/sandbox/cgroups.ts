/**
 * Per-run cgroup v1 limits (SANDBOX.md, stack step 1): a memory child (`memory.limit_in_bytes`,
 * `memory.memsw.limit_in_bytes` = limit + slack when swap accounting exists) and a pids child
 * (`pids.max`, the real fork-bomb limit), both inside a subtree owned by this engine instance.
 *
 * Several engines share a machine (tests, other engineers, a restarted service), so the subtree is
 * named `se-engine-<pid>-<pid namespace>-<random>`, removed on close, and at start only subtrees
 * whose owner pid is dead are removed (and only when empty: rmdir refuses a cgroup that still
 * holds processes). The pid namespace is part of the name because a cgroup hierarchy can be
 * shared with other containers, where our "dead" pid may be someone's live engine.
 */
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { isAlive, pidNamespace } from './processes.js';

/** Extra memsw headroom over the memory limit, so the memory limit (not memsw) decides the OOM. */
const MEMSW_SLACK_BYTES = 4 * 1024 * 1024;
const SUBTREE_RE = /^se-engine-(\d+)-(\d+)-[0-9a-f]+$/;

export interface CgroupMounts {
  /** this process's own cgroup folder in the memory hierarchy */
  memory: string;
  /** this process's own cgroup folder in the pids hierarchy */
  pids: string;
}

/** Finds this process's own cgroup folders of the v1 memory and pids controllers. */
export function findCgroupMounts(): CgroupMounts | { error: string } {
  let mountinfo: string;
  let own: string;
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
    own = readFileSync('/proc/self/cgroup', 'utf8');
  } catch (err) {
    return { error: `cannot read /proc/self/{mountinfo,cgroup}: ${(err as Error).message}` };
  }
  const found: Partial<CgroupMounts> = {};
  for (const controller of ['memory', 'pids'] as const) {
    // mountinfo: id parent maj:min root mountpoint options ... - fstype source superoptions
    const mount = mountinfo
      .split('\n')
      .map((line) => line.split(' - '))
      .filter(([, tail]) => tail?.startsWith('cgroup '))
      .map(([head, tail]) => ({ fields: head.split(' '), superOpts: tail.split(' ')[2] ?? '' }))
      .find((m) => m.superOpts.split(',').includes(controller));
    if (!mount) return { error: `no cgroup v1 "${controller}" controller is mounted` };
    const root = unescapeMount(mount.fields[3]);
    const point = unescapeMount(mount.fields[4]);
    const line = own
      .split('\n')
      .map((l) => l.split(':'))
      .find((parts) => parts.length >= 3 && parts[1].split(',').includes(controller));
    if (!line) return { error: `/proc/self/cgroup names no "${controller}" cgroup` };
    const path = line.slice(2).join(':');
    if (root !== '/' && !path.startsWith(root))
      return { error: `the ${controller} cgroup ${path} is outside the mounted root ${root}` };
    const rel = root === '/' ? path : path.slice(root.length);
    found[controller] = join(point, rel);
  }
  return found as CgroupMounts;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Removes a cgroup folder and its children, deepest first; false when one is still in use. */
function removeTree(dir: string): boolean {
  let ok = true;
  let entries: string[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return !existsSync(dir);
  }
  for (const e of entries) ok = removeTree(join(dir, e)) && ok;
  try {
    rmdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') ok = false;
  }
  return ok;
}

/** The cgroups of one run. */
export interface RunCgroup {
  /** `cgroup.procs` files the launcher writes its pid into before it drops privileges */
  procsFiles: string[];
  /** how many times the kernel's OOM killer killed a process of this run */
  oomKills(): number;
  /** peak memory charged to the run, bytes (page cache included: a fallback figure only) */
  peakBytes(): number;
  /** pids still in the run's cgroups */
  pids(): number[];
  /** removes both cgroups, killing whatever is left in them first */
  remove(): Promise<void>;
}

export interface RunLimits {
  memoryBytes: number;
  pidsMax: number;
}

/** This engine's cgroup subtree: creates and removes the per-run cgroups. */
export class CgroupTree {
  readonly memoryDir: string;
  readonly pidsDir: string;
  readonly hasMemsw: boolean;
  private seq = 0;
  private closed = false;

  private constructor(memoryDir: string, pidsDir: string) {
    this.memoryDir = memoryDir;
    this.pidsDir = pidsDir;
    this.hasMemsw = existsSync(join(memoryDir, 'memory.memsw.limit_in_bytes'));
  }

  /**
   * Makes this engine's subtree in both hierarchies, after removing the empty subtrees of dead
   * engines. Throws with the reason when the cgroups cannot be made.
   */
  static create(mounts: CgroupMounts, log?: (line: string) => void): CgroupTree {
    const ns = pidNamespace();
    const name = `se-engine-${process.pid}-${ns}-${randomBytes(4).toString('hex')}`;
    for (const parent of [mounts.memory, mounts.pids]) {
      let entries: string[] = [];
      try {
        entries = readdirSync(parent);
      } catch {
        continue;
      }
      for (const e of entries) {
        const m = SUBTREE_RE.exec(e);
        if (!m || m[2] !== ns || Number(m[1]) === process.pid || isAlive(Number(m[1]))) continue;
        if (removeTree(join(parent, e))) log?.(`sandbox: removed stale cgroup ${join(parent, e)}`);
      }
    }
    const memoryDir = join(mounts.memory, name);
    const pidsDir = join(mounts.pids, name);
    mkdirSync(memoryDir);
    try {
      mkdirSync(pidsDir);
    } catch (err) {
      removeTree(memoryDir);
      throw err;
    }
    return new CgroupTree(memoryDir, pidsDir);
  }

  /** Creates the cgroups of one run with its limits. */
  createRun(limits: RunLimits): RunCgroup {
    if (this.closed) throw new Error('the cgroup tree is closed');
    const name = `run-${++this.seq}`;
    const mem = join(this.memoryDir, name);
    const pids = join(this.pidsDir, name);
    mkdirSync(mem);
    try {
      const bytes = String(Math.max(4096, Math.floor(limits.memoryBytes)));
      // memsw must stay >= the memory limit, so memory first; fresh groups start unlimited.
      writeFileSync(join(mem, 'memory.limit_in_bytes'), bytes);
      if (this.hasMemsw)
        writeFileSync(
          join(mem, 'memory.memsw.limit_in_bytes'),
          String(Number(bytes) + MEMSW_SLACK_BYTES),
        );
      mkdirSync(pids);
      writeFileSync(join(pids, 'pids.max'), String(limits.pidsMax));
    } catch (err) {
      removeTree(mem);
      removeTree(pids);
      throw err;
    }
    const dirs = [mem, pids];
    const hasMemsw = this.hasMemsw;
    const readPids = (): number[] => {
      const out: number[] = [];
      for (const d of dirs) {
        try {
          for (const l of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n'))
            if (l) out.push(Number(l));
        } catch {
          // already removed
        }
      }
      return [...new Set(out)];
    };
    return {
      procsFiles: dirs.map((d) => join(d, 'cgroup.procs')),
      oomKills() {
        try {
          const text = readFileSync(join(mem, 'memory.oom_control'), 'utf8');
          const m = /^oom_kill (\d+)$/m.exec(text);
          if (m) return Number(m[1]);
          // Kernels before 4.13 have no oom_kill counter: a failed charge is the best evidence.
          const fail = readFileSync(
            join(mem, hasMemsw ? 'memory.memsw.failcnt' : 'memory.failcnt'),
            'utf8',
          );
          return Number(fail) > 0 ? 1 : 0;
        } catch {
          return 0;
        }
      },
      peakBytes() {
        try {
          return Number(readFileSync(join(mem, 'memory.max_usage_in_bytes'), 'utf8'));
        } catch {
          return 0;
        }
      },
      pids: readPids,
      async remove() {
        // The sandbox's pid namespace is gone once bwrap exits, but the kernel may still be
        // reaping its last processes: wait a little, then kill stragglers (they are this run's).
        for (let i = 0; i < 200; i++) {
          if (dirs.every((d) => removeTree(d))) return;
          if (i >= 10) for (const p of readPids()) killQuietly(p);
          await new Promise((r) => setTimeout(r, i < 20 ? 2 : 20));
        }
        throw new Error(`could not remove the run cgroups ${dirs.join(', ')}`);
      },
    };
  }

  /** Removes the whole subtree. */
  close(): void {
    this.closed = true;
    removeTree(this.memoryDir);
    removeTree(this.pidsDir);
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}
