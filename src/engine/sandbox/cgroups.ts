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
import { leftoversOfDeadEngines, pidNamespace } from './processes.js';

/** Extra memsw headroom over the memory limit, so the memory limit (not memsw) decides the OOM. */
const MEMSW_SLACK_BYTES = 4 * 1024 * 1024;
const SUBTREE_RE = /^se-engine-(\d+)-(\d+)-[0-9a-f]+$/;

export interface CgroupMounts {
  /** this process's own cgroup folder in the memory hierarchy */
  memory: string;
  /** this process's own cgroup folder in the pids hierarchy */
  pids: string;
}

/** This process's mount table and cgroup membership (`/proc/self/{mountinfo,cgroup}`). */
function readSelf(): { mountinfo: string; own: string } | { error: string } {
  try {
    return {
      mountinfo: readFileSync('/proc/self/mountinfo', 'utf8'),
      own: readFileSync('/proc/self/cgroup', 'utf8'),
    };
  } catch (err) {
    return { error: `cannot read /proc/self/{mountinfo,cgroup}: ${(err as Error).message}` };
  }
}

/** Finds this process's own cgroup folders of the v1 memory and pids controllers. */
export function findCgroupMounts(): CgroupMounts | { error: string } {
  const self = readSelf();
  if ('error' in self) return self;
  const { mountinfo, own } = self;
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

/** Which cgroup arrangement limits the runs (see `openCgroups`). */
export type CgroupMode = 'v1' | 'v2' | 'v2-delegated' | 'none';

/** This engine's cgroup subtree, whatever the hierarchy: creates and removes per-run cgroups. */
export interface RunCgroupFactory {
  readonly mode: Exclude<CgroupMode, 'none'>;
  /** where the subtree lives, for the banner and /healthz */
  readonly where: string;
  /** false when swap is not limited (no swap accounting) */
  readonly limitsSwap: boolean;
  /** the subtree's folders (one per hierarchy), for the guard that outlives the engine */
  readonly dirs: string[];
  createRun(limits: RunLimits): RunCgroup;
  close(): void;
}

/** This engine's cgroup v1 subtree: creates and removes the per-run cgroups. */
export class CgroupTree implements RunCgroupFactory {
  readonly mode = 'v1' as const;
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

  get where(): string {
    return `${this.memoryDir}, ${this.pidsDir}`;
  }

  get dirs(): string[] {
    return [this.memoryDir, this.pidsDir];
  }

  get limitsSwap(): boolean {
    return this.hasMemsw;
  }

  /**
   * Makes this engine's subtree in both hierarchies, after removing the empty subtrees of dead
   * engines. Throws with the reason when the cgroups cannot be made.
   */
  static create(mounts: CgroupMounts, log?: (line: string) => void): CgroupTree {
    const name = subtreeName();
    for (const parent of [mounts.memory, mounts.pids]) removeStale(parent, log);
    const memoryDir = join(mounts.memory, name);
    const pidsDir = join(mounts.pids, name);
    makeDir(memoryDir, () => mkdirSync(pidsDir));
    return new CgroupTree(memoryDir, pidsDir);
  }

  /** Creates the cgroups of one run with its limits. */
  createRun(limits: RunLimits): RunCgroup {
    if (this.closed) throw new Error('the cgroup tree is closed');
    const name = `run-${++this.seq}`;
    const mem = join(this.memoryDir, name);
    const pids = join(this.pidsDir, name);
    makeDir(mem, () => {
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
    }, [pids]);
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

function subtreeName(): string {
  return `se-engine-${process.pid}-${pidNamespace()}-${randomBytes(4).toString('hex')}`;
}

/** Makes `dir`, then runs `fill`; when `fill` throws, removes `dir` (and `also`) and rethrows. */
function makeDir(dir: string, fill: () => void, also: string[] = []): void {
  mkdirSync(dir);
  try {
    fill();
  } catch (err) {
    removeTree(dir);
    for (const d of also) removeTree(d);
    throw err;
  }
}

/** Removes the empty subtrees of dead engines of this pid namespace under `parent`. */
function removeStale(parent: string, log?: (line: string) => void): void {
  for (const e of leftoversOfDeadEngines(parent, SUBTREE_RE)) {
    // Its engine is gone, so whatever still runs there is a leftover: kill it first. A bounded
    // number of rounds (a fork bomb forks while it is being killed; pids.max bounds it), then
    // move on: a leftover never stops this start.
    const dir = join(parent, e);
    let removed = false;
    for (let round = 0; round < 50 && !removed; round++) {
      if (round > 0) for (const p of pidsUnder(dir)) killQuietly(p);
      removed = removeTree(dir);
    }
    log?.(`sandbox: ${removed ? 'removed' : 'could not remove'} stale cgroup ${dir}`);
  }
}

/** The pids in a cgroup folder and every folder below it. */
function pidsUnder(dir: string): number[] {
  const out: number[] = [];
  try {
    for (const l of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n'))
      if (l) out.push(Number(l));
    for (const e of readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) out.push(...pidsUnder(join(dir, e.name)));
  } catch {
    // gone meanwhile
  }
  return out;
}

/** The cgroup2 mount and this process's own cgroup folder in it. */
export function findCgroup2(): { mount: string; own: string } | { error: string } {
  const self = readSelf();
  if ('error' in self) return self;
  const { mountinfo, own } = self;
  const mount = mountinfo
    .split('\n')
    .map((line) => line.split(' - '))
    .filter(([, tail]) => tail?.startsWith('cgroup2 '))
    .map(([head]) => head.split(' '))[0];
  if (!mount) return { error: 'no cgroup2 hierarchy is mounted' };
  const line = own.split('\n').find((l) => l.startsWith('0::'));
  if (!line) return { error: '/proc/self/cgroup names no cgroup2 cgroup' };
  const root = unescapeMount(mount[3]);
  const point = unescapeMount(mount[4]);
  const path = line.slice(3);
  if (root !== '/' && !path.startsWith(root))
    return { error: `the cgroup ${path} is outside the mounted root ${root}` };
  return { mount: point, own: join(point, root === '/' ? path : path.slice(root.length)) };
}

const V2_CONTROLLERS = ['memory', 'pids'];

function controllersOf(dir: string): string[] {
  try {
    return readFileSync(join(dir, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
  } catch {
    return [];
  }
}

function enableControllers(dir: string): void {
  writeFileSync(join(dir, 'cgroup.subtree_control'), V2_CONTROLLERS.map((c) => `+${c}`).join(' '));
}

/**
 * This engine's cgroup v2 subtree. As root: a child of the hierarchy's root, with the memory and
 * pids controllers enabled there. Delegated (a non-root service with systemd's `Delegate=yes`,
 * or root inside a container whose cgroup namespace root holds processes): a child of the
 * engine's own cgroup, after moving that cgroup's processes into a leaf `se-engine-leaf` (cgroup
 * v2 lets only cgroups without processes pass controllers to their children).
 */
export class Cgroup2Tree implements RunCgroupFactory {
  readonly limitsSwap: boolean;
  private seq = 0;
  private closed = false;

  private constructor(
    readonly mode: 'v2' | 'v2-delegated',
    readonly dir: string,
  ) {
    this.limitsSwap = existsSync(join(dir, 'memory.swap.max'));
  }

  get where(): string {
    return this.dir;
  }

  get dirs(): string[] {
    return [this.dir];
  }

  /** Throws with the reason (naming the file and the fix) when no subtree can be made. */
  static create(log?: (line: string) => void): Cgroup2Tree {
    const found = findCgroup2();
    if ('error' in found) throw new Error(found.error);
    const reasons: string[] = [];
    if (process.getuid?.() === 0) {
      try {
        const missing = V2_CONTROLLERS.filter((c) => !controllersOf(found.mount).includes(c));
        if (missing.length)
          throw new Error(
            `${found.mount} has no ${missing.join(', ')} controller (a hybrid host keeps them on cgroup v1)`,
          );
        enableControllers(found.mount);
        return Cgroup2Tree.subtree('v2', found.mount, log);
      } catch (err) {
        reasons.push(`at the hierarchy root: ${(err as Error).message}`);
      }
    }
    try {
      const own = found.own;
      const missing = V2_CONTROLLERS.filter((c) => !controllersOf(own).includes(c));
      if (missing.length)
        throw new Error(
          `the engine's cgroup ${own} was not given the ${missing.join(', ')} controller ` +
            '(run it with systemd Delegate=yes, e.g. systemd-run --user --scope -p Delegate=yes npm start)',
        );
      const leaf = join(own, 'se-engine-leaf');
      mkdirSync(leaf, { recursive: true });
      // move every process of our cgroup into the leaf; new ones may appear, so a few rounds
      for (let round = 0; ; round++) {
        const procs = readFileSync(join(own, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
        for (const pid of procs)
          try {
            writeFileSync(join(leaf, 'cgroup.procs'), pid);
          } catch {
            // exited meanwhile, or not ours to move (reported by the write below)
          }
        try {
          enableControllers(own);
          break;
        } catch (err) {
          if (round >= 5)
            throw new Error(
              `cannot enable ${V2_CONTROLLERS.join(', ')} in ${own}/cgroup.subtree_control: ${(err as Error).message}`,
            );
        }
      }
      return Cgroup2Tree.subtree('v2-delegated', own, log);
    } catch (err) {
      reasons.push(`in its own cgroup: ${(err as Error).message}`);
    }
    throw new Error(`no cgroup v2 subtree could be made (${reasons.join('; ')})`);
  }

  private static subtree(
    mode: 'v2' | 'v2-delegated',
    parent: string,
    log?: (line: string) => void,
  ): Cgroup2Tree {
    removeStale(parent, log);
    const dir = join(parent, subtreeName());
    makeDir(dir, () => enableControllers(dir));
    return new Cgroup2Tree(mode, dir);
  }

  createRun(limits: RunLimits): RunCgroup {
    if (this.closed) throw new Error('the cgroup tree is closed');
    const dir = join(this.dir, `run-${++this.seq}`);
    makeDir(dir, () => {
      writeFileSync(
        join(dir, 'memory.max'),
        String(Math.max(4096, Math.floor(limits.memoryBytes))),
      );
      if (this.limitsSwap) writeFileSync(join(dir, 'memory.swap.max'), String(MEMSW_SLACK_BYTES));
      writeFileSync(join(dir, 'pids.max'), String(limits.pidsMax));
    });
    const readPids = (): number[] => {
      try {
        return readFileSync(join(dir, 'cgroup.procs'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map(Number);
      } catch {
        return [];
      }
    };
    const readNumber = (file: string, key?: string): number => {
      try {
        const text = readFileSync(join(dir, file), 'utf8');
        if (!key) return Number(text.trim()) || 0;
        const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
        return m ? Number(m[1]) : 0;
      } catch {
        return 0;
      }
    };
    return {
      procsFiles: [join(dir, 'cgroup.procs')],
      oomKills: () => readNumber('memory.events', 'oom_kill'),
      peakBytes: () => readNumber('memory.peak'),
      pids: readPids,
      async remove() {
        for (let i = 0; i < 200; i++) {
          if (removeTree(dir)) return;
          if (i >= 10) {
            // cgroup.kill (Linux 5.14) kills the whole cgroup at once; else one by one
            try {
              writeFileSync(join(dir, 'cgroup.kill'), '1');
            } catch {
              for (const p of readPids()) killQuietly(p);
            }
          }
          await new Promise((r) => setTimeout(r, i < 20 ? 2 : 20));
        }
        throw new Error(`could not remove the run cgroup ${dir}`);
      },
    };
  }

  close(): void {
    this.closed = true;
    removeTree(this.dir);
  }
}

/** What `openCgroups` chose, and why. */
export interface CgroupChoice {
  mode: CgroupMode;
  tree: RunCgroupFactory | null;
  /** what each mode that was tried said, when it could not be used */
  tried: string[];
}

/**
 * Chooses the cgroup arrangement: `auto` takes v1, then v2 (root, then delegated), then none;
 * a forced mode (SE_ENGINE_CGROUPS) takes only that one and fails (tree null, mode as asked)
 * when it cannot be made.
 */
export function openCgroups(
  wanted: 'auto' | 'v1' | 'v2' | 'none',
  log?: (line: string) => void,
): CgroupChoice {
  const tried: string[] = [];
  if (wanted === 'none') return { mode: 'none', tree: null, tried };
  if (wanted === 'auto' || wanted === 'v1') {
    const mounts = findCgroupMounts();
    if ('error' in mounts) tried.push(`cgroup v1: ${mounts.error}`);
    else
      try {
        return { mode: 'v1', tree: CgroupTree.create(mounts, log), tried };
      } catch (err) {
        tried.push(`cgroup v1: ${(err as Error).message}`);
      }
    if (wanted === 'v1') return { mode: 'v1', tree: null, tried };
  }
  try {
    const tree = Cgroup2Tree.create(log);
    return { mode: tree.mode, tree, tried };
  } catch (err) {
    tried.push(`cgroup v2: ${(err as Error).message}`);
  }
  return { mode: wanted === 'v2' ? 'v2' : 'none', tree: null, tried };
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}
