/**
 * The sandbox of SANDBOX.md: finds its tools, makes this engine's cgroup subtree, and runs the
 * start-up self-test. `createSandbox` never throws for a missing piece: it reports it in
 * `selfTest.problems`, and the caller decides (SANDBOX.md's policy: execute nothing).
 */
import {
  accessSync,
  chmodSync,
  constants,
  copyFileSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { chmod } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LimitsReport, SelfTestResult } from '../exec/types.js';
import { openCgroups, type RunCgroupFactory } from './cgroups.js';
import { ROOT_LINKS, Sandbox, type SandboxPaths, type StageLimits } from './sandbox.js';
import { removeTreeSync } from './remove.js';
import { seccompFilter } from './seccomp.js';

export { BOX_OUT_IN_SANDBOX, Sandbox, SLOT_UID_BASE } from './sandbox.js';
export type { Mount, StageLimits, StageSpec, StageHandle, SandboxPaths } from './sandbox.js';
export { decideStatus } from './status.js';
export { mountCapped, removeTree, removeTreeSync } from './remove.js';
export { isAlive, leftoversOfDeadEngines, pidNamespace } from './processes.js';
export type { InitReport, StatusInput } from './status.js';

const NATIVE_BUILD = fileURLToPath(new URL('../../../native/build/', import.meta.url));
const BWRAP_CANDIDATES = ['/usr/bin/bwrap', '/bin/bwrap', '/usr/local/bin/bwrap'];
const BUILD_HINT = 'apt-get install gcc libc6-dev && node scripts/build-native.mjs';

export interface CreatedSandbox {
  /** the sandbox when the self-test passed (or unconfined with `unsafe`), otherwise null */
  sandbox: Sandbox | null;
  selfTest: SelfTestResult;
  close(): void;
}

export interface CreateSandboxOptions {
  /**
   * this engine's private scratch folder, searchable by the sandbox uids: the self-test's probe
   * box, the copy of the helper that is bound into every box and the seccomp filter go here
   */
  workDir: string;
  /** run unconfined when the self-test fails (the caller has checked the policy) */
  unsafe: boolean;
  /** other locations of the tools (unusual installs; tests of the missing-sandbox policy) */
  tools?: Partial<SandboxPaths>;
  log?: (line: string) => void;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Small limits for probes (self-test, language detection). */
export const PROBE_LIMITS: StageLimits = {
  cpuSec: 5,
  memoryBytes: 512 * 1024 * 1024,
  wallMs: 10000,
  pids: 256,
  nofile: 256,
  fsizeBytes: 1024 * 1024,
  stackBytes: 8 * 1024 * 1024,
  tmpBytes: 16 * 1024 * 1024,
};

// Runs inside the sandbox; prints what it can see and do. Builtins plus cat and id from /usr/bin.
const PROBE_SCRIPT = [
  'while IFS=: read -r name rest; do case "$name" in *"|"*) ;; *) echo if:$name;; esac; done < /proc/net/dev',
  'if (echo x > /usr/.se-probe) 2>/dev/null; then echo usr:writable; else echo usr:readonly; fi',
  'if cat /proc/1/environ >/dev/null 2>&1; then echo environ:readable; else echo environ:denied; fi',
  'echo uid:$(id -u)',
].join('\n');

/** Finds the tools, makes the cgroups and runs the probes. */
export async function createSandbox(options: CreateSandboxOptions): Promise<CreatedSandbox> {
  const problems: string[] = [];
  const tools = options.tools ?? {};
  const bwrap = tools.bwrap ?? BWRAP_CANDIDATES.find(executable);
  if (!bwrap || !executable(bwrap))
    problems.push('bubblewrap (bwrap) is not installed: apt-get install bubblewrap');
  const init = tools.init ?? join(NATIVE_BUILD, 'se-init');
  const paths: SandboxPaths = {
    bwrap: bwrap ?? '/usr/bin/bwrap',
    init,
    // bwrap, running as the slot uid, resolves the helper's path itself: the box gets a copy
    // from this engine's scratch folder, which that uid can reach wherever the package lies
    initBound: join(options.workDir, 'se-init'),
    seccomp: tools.seccomp ?? join(options.workDir, 'seccomp.bpf'),
    ptyBound: null,
  };
  if (!executable(init))
    problems.push(`the sandbox helper ${init} is missing (not built): ${BUILD_HINT}`);
  else
    try {
      copyFileSync(init, paths.initBound);
      chmodSync(paths.initBound, 0o755);
    } catch (err) {
      problems.push(`cannot copy the sandbox helper into ${options.workDir}: ${String(err)}`);
    }
  const pty = join(NATIVE_BUILD, 'se-pty');
  if (executable(pty))
    try {
      paths.ptyBound = join(options.workDir, 'se-pty');
      copyFileSync(pty, paths.ptyBound);
      chmodSync(paths.ptyBound, 0o755);
    } catch (err) {
      paths.ptyBound = null;
      options.log?.(`se-engine: no terminals: cannot copy ${pty}: ${String(err)}`);
    }
  if (tools.seccomp === undefined)
    try {
      writeFileSync(paths.seccomp, seccompFilter(), { mode: 0o644 });
    } catch (err) {
      problems.push(`the seccomp filter: ${(err as Error).message}`);
    }
  let seccompOk = false;
  try {
    seccompOk = statSync(paths.seccomp).isFile() && statSync(paths.seccomp).size > 0;
  } catch {
    // reported below
  }
  if (!seccompOk && tools.seccomp !== undefined)
    problems.push(`the seccomp filter ${paths.seccomp} is missing`);

  const wanted = cgroupModeFromEnv();
  let cgroups: RunCgroupFactory | null = null;
  let limits: LimitsReport | undefined;
  if (wanted.error) problems.push(wanted.error);
  else {
    const choice = openCgroups(wanted.mode, options.log);
    cgroups = choice.tree;
    if (cgroups) {
      try {
        const probeRun = cgroups.createRun({ memoryBytes: 64 * 1024 * 1024, pidsMax: 16 });
        await probeRun.remove();
      } catch (err) {
        choice.tried.push(
          `${cgroups.mode}: a run cgroup cannot be made (${(err as Error).message})`,
        );
        cgroups.close();
        cgroups = null;
      }
    }
    if (!cgroups && wanted.mode !== 'auto' && wanted.mode !== 'none')
      problems.push(
        `cgroups: SE_ENGINE_CGROUPS=${wanted.mode} cannot be used: ${choice.tried.join('; ')}`,
      );
    else limits = describeLimits(cgroups, choice.tried, wanted.mode);
  }
  if (limits?.cgroups === 'none')
    options.log?.(
      `sandbox: WARNING: no usable cgroup; limits are rlimits only (${limits.notes.join(' ')})`,
    );
  else if (cgroups && !cgroups.limitsSwap)
    options.log?.('sandbox: no swap accounting: memory limits exclude swap');

  const rootLinks: Array<{ name: string; target: string | null }> = [];
  for (const name of ROOT_LINKS) {
    try {
      const st = lstatSync(`/${name}`);
      if (st.isSymbolicLink()) rootLinks.push({ name, target: readlinkSync(`/${name}`) });
      else if (st.isDirectory()) rootLinks.push({ name, target: null });
    } catch {
      // absent on this machine
    }
  }
  const etcBinds = ['/etc/ld.so.cache', '/etc/alternatives'].filter((p) => {
    try {
      lstatSync(p);
      return true;
    } catch {
      return false;
    }
  });

  const guard = startGuard(paths.init, cgroups?.dirs ?? [], options.workDir, options.log);
  const close = () => {
    cgroups?.close();
    guard?.();
  };
  if (problems.length === 0) {
    const sandbox = new Sandbox({
      paths,
      cgroups,
      rlimitsOnly: cgroups === null,
      unsafe: false,
      rootLinks,
      etcBinds,
    });
    const probeProblems = await probe(sandbox, options.workDir, [paths.initBound]);
    problems.push(...probeProblems);
    if (problems.length === 0) return { sandbox, selfTest: { ok: true, problems, limits }, close };
  }
  if (options.unsafe) {
    const sandbox = new Sandbox({ paths, cgroups: null, unsafe: true, rootLinks, etcBinds });
    return { sandbox, selfTest: { ok: false, problems, limits }, close };
  }
  return { sandbox: null, selfTest: { ok: false, problems, limits }, close };
}

/**
 * Starts `se-init guard` in its own session: when this process ends, however it ends (SIGKILL of
 * its whole process group included), the guard kills whatever is left in the cgroup subtree and
 * removes it and the scratch folder. Returns what tells it the engine closed normally.
 */
function startGuard(
  init: string,
  cgroupDirs: string[],
  workDir: string,
  log?: (line: string) => void,
): (() => void) | null {
  if (!executable(init)) return null;
  const args = ['guard'];
  for (const d of cgroupDirs) args.push('--cgroup', d);
  args.push('--remove', workDir);
  try {
    const child = spawn(init, args, {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      env: {},
      cwd: '/',
    });
    child.on('error', (err) => log?.(`sandbox: the cleanup guard failed: ${err.message}`));
    child.stdin?.on('error', () => undefined);
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return () => child.stdin?.end();
  } catch (err) {
    log?.(`sandbox: the cleanup guard did not start: ${(err as Error).message}`);
    return null;
  }
}

async function probe(sandbox: Sandbox, workDir: string, bound: string[]): Promise<string[]> {
  const problems: string[] = [];
  const box = mkdtempSync(join(workDir, 'probe-'));
  try {
    await chmod(box, 0o755);
    const out = await sandbox.run(
      {
        stage: 'run',
        argv: ['/bin/sh', '-c', PROBE_SCRIPT],
        boxDir: box,
        boxWritable: false,
        slot: 0,
        limits: PROBE_LIMITS,
        outputCapBytes: 64 * 1024,
      },
      '',
    );
    if (out.status !== 0) {
      const said = out.internalError ?? out.stderr.toString('utf8').trim();
      problems.push(
        `a probe run in the sandbox failed (status ${out.status}: ${said}): ${diagnose(said, [box, ...bound])}`,
      );
      return problems;
    }
    const lines = out.stdout.toString('utf8').split('\n');
    const ifaces = lines.filter((l) => l.startsWith('if:')).map((l) => l.slice(3).trim());
    if (ifaces.length !== 1 || ifaces[0] !== 'lo')
      problems.push(
        `network isolation failed: the probe saw interfaces [${ifaces.join(', ')}] instead of only lo ` +
          '(bwrap --unshare-net): apt-get install --reinstall bubblewrap',
      );
    if (!lines.includes('usr:readonly'))
      problems.push(
        'the probe could write to /usr: the read-only root is not in effect (bwrap --remount-ro)',
      );
    if (!lines.includes('environ:denied'))
      problems.push(
        `the probe could read /proc/1/environ: the helper is not a non-dumpable PID 1: ${BUILD_HINT}`,
      );
  } finally {
    removeTreeSync(box);
  }
  return problems;
}

/** The first folder of `path` (or above it) that other users cannot search, if any. */
export function unsearchableAncestor(path: string): string | null {
  let d = path;
  for (;;) {
    try {
      if ((statSync(d).mode & 0o001) === 0) return d;
    } catch {
      return d;
    }
    const up = dirname(d);
    if (up === d) return null;
    d = up;
  }
}

function sysctl(name: string): string | null {
  try {
    return readFileSync(`/proc/sys/${name.replace(/\./g, '/')}`, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * The likely cause of a failed probe run, from what bwrap said, with the fix. `reached`: the host
 * paths bwrap binds into the box (it resolves them as the slot uid).
 */
export function diagnose(said: string, reached: string[]): string {
  if (/Permission denied/.test(said) && process.getuid?.() === 0) {
    for (const path of reached) {
      const blocked = unsearchableAncestor(path);
      if (blocked)
        return (
          `the sandbox uid cannot reach ${path}: ${blocked} lacks search permission for others ` +
          `(chmod o+x ${blocked}, or set TMPDIR to a folder whose parents all have o+x)`
        );
    }
  }
  if (sysctl('user.max_user_namespaces') === '0')
    return 'user namespaces are disabled: sysctl -w user.max_user_namespaces=15000';
  if (sysctl('kernel.unprivileged_userns_clone') === '0')
    return 'unprivileged user namespaces are disabled: sysctl -w kernel.unprivileged_userns_clone=1';
  if (sysctl('kernel.apparmor_restrict_unprivileged_userns') === '1')
    return (
      'AppArmor restricts unprivileged user namespaces (Ubuntu 23.10+): allow bwrap with an ' +
      'AppArmor profile (apt-get install apparmor-profiles; Ubuntu 24.04 ships ' +
      '/etc/apparmor.d/bwrap-userns-restrict) or sysctl -w kernel.apparmor_restrict_unprivileged_userns=0'
    );
  if (/setting up uid map|No permissions to creat|Operation not permitted/.test(said))
    return (
      'bwrap may not create its namespaces here (inside a container, run it with ' +
      '--security-opt seccomp=unconfined, or a user namespace allowed by the runtime)'
    );
  return 'see the message above; SANDBOX.md lists what the sandbox needs';
}

/** Environment variable that forces a cgroup mode: auto (default), v1, v2 or none. */
export const CGROUPS_ENV = 'SE_ENGINE_CGROUPS';

function cgroupModeFromEnv(): { mode: 'auto' | 'v1' | 'v2' | 'none'; error?: string } {
  const v = (process.env[CGROUPS_ENV] ?? 'auto').trim() || 'auto';
  if (v === 'auto' || v === 'v1' || v === 'v2' || v === 'none') return { mode: v };
  return { mode: 'auto', error: `${CGROUPS_ENV}=${v} is not one of auto, v1, v2, none` };
}

/** What the chosen arrangement enforces, for the banner, /healthz and the README. */
function describeLimits(
  tree: RunCgroupFactory | null,
  tried: string[],
  wanted: string,
): LimitsReport {
  const root = process.getuid?.() === 0;
  const always = [
    'CPU time (RLIMIT_CPU)',
    'wall time',
    'file size',
    'open files',
    'stack',
    'output',
  ];
  const notes: string[] = [];
  if (!root)
    notes.push(
      "not root: every run has the engine's own uid (no per-slot uids); runs stay apart by " +
        'their pid, mount, network and user namespaces',
    );
  if (!tree) {
    notes.push(
      wanted === 'none'
        ? 'SE_ENGINE_CGROUPS=none'
        : `no usable cgroup (${tried.join('; ') || 'none found'})`,
      "memory: the PID-1 helper sums the box's resident memory and its /tmp and /dev/shm every " +
        '2 ms and kills at the limit (RLIMIT_DATA is a backstop): a program may overshoot by ' +
        'what it allocates in 2 ms, and anonymous pages shared after fork count once per process',
    );
    const enforced = [...always, 'memory (resident memory, polled)'];
    const notEnforced = ['memory exactly (polled, not charged: see notes)', 'the page cache'];
    if (root) enforced.push('processes (RLIMIT_NPROC of the slot uid)');
    else {
      notEnforced.push('processes per run (no cgroup, no slot uid for RLIMIT_NPROC)');
      notes.push('processes: not limited per run: give the engine a delegated cgroup v2');
    }
    return { cgroups: 'none', where: '', enforced, notEnforced, notes };
  }
  if (tree.mode === 'v2-delegated')
    notes.push(`the engine moved its own processes into ${tree.where}/../se-engine-leaf`);
  const notEnforced: string[] = [];
  if (!tree.limitsSwap) notEnforced.push('swap (no swap accounting)');
  return {
    cgroups: tree.mode,
    where: tree.where,
    enforced: [...always, 'memory (cgroup, /tmp included)', 'processes (pids cgroup)'],
    notEnforced,
    notes,
  };
}
