/**
 * The execution core: `createExecutor` starts the sandbox (self-test included), detects the
 * languages and returns the Executor the Compilers and Problems modules call.
 */
import { realpathSync } from 'node:fs';
import { chmod, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSandbox,
  leftoversOfDeadEngines,
  pidNamespace,
  PROBE_LIMITS,
  removeTree,
  Sandbox,
  unsearchableAncestor,
} from '../sandbox/index.js';
import { COMPILE_LIMITS, SandboxExecutor } from './executor.js';
import { LANGUAGE_DEFS, languageFromProbe, toolchainPresent, type Language } from './languages.js';
import type { Executor, SelfTestResult } from './types.js';

export type {
  CompileResult,
  Executor,
  ExtraFd,
  ExtraFdNumber,
  LanguageInfo,
  Limits,
  Program,
  RunningProgram,
  RunOptions,
  SelfTestResult,
  StageOutcome,
  StartOptions,
} from './types.js';
export { signalDesc, signalName, Signals } from './signals.js';
export { FilesError, FILES_LIMITS, readBoxFile, validateFiles } from './files.js';
export { COMPILE_LIMITS, MAX_PROGRAM_BYTES, wallLimitMs } from './executor.js';

/** Environment variable that enables the development flag (same as `unsafeNoSandbox: true`). */
export const UNSAFE_ENV = 'SE_ENGINE_UNSAFE_NO_SANDBOX';
/** Environment variable: CPU seconds of a compile stage (default COMPILE_LIMITS.cpuSec, 10). */
export const COMPILE_TIME_ENV = 'SE_ENGINE_COMPILE_TIME';
/** Default per-stream output cap: stdout and stderr are each cut (and the run stopped) here. */
export const DEFAULT_OUTPUT_CAP_BYTES = 1024 * 1024;

export interface CreateExecutorOptions {
  /** scratch folder for program folders (made if missing; a per-instance subfolder is used) */
  workDir: string;
  /** worker slots: runs take a slot in 0..workers-1, which picks their uid and cgroup */
  workers: number;
  /**
   * Development flag: when the sandbox self-test fails, run code UNCONFINED instead of refusing
   * (also `SE_ENGINE_UNSAFE_NO_SANDBOX=1`). Warns, marks every result `unsandboxed`, and is
   * refused (createExecutor throws) when NODE_ENV=production or CI=true. With a working sandbox
   * the flag changes nothing.
   */
  unsafeNoSandbox?: boolean;
  /** per-stream output cap in bytes (default DEFAULT_OUTPUT_CAP_BYTES) */
  outputCapBytes?: number;
  /**
   * CPU seconds of a compile stage (default `SE_ENGINE_COMPILE_TIME`, else COMPILE_LIMITS.cpuSec):
   * for slow machines, where g++ needs more than 10 s for a program with <iostream>
   */
  compileTimeSec?: number;
  /** where warnings and notes go (default: stderr) */
  log?: (line: string) => void;
  /**
   * Other locations of the sandbox's tools (default: bwrap from /usr/bin, the helper and filter
   * from native/build/). For unusual installs, and for tests of the missing-sandbox policy.
   */
  sandboxTools?: { bwrap?: string; init?: string; seccomp?: string };
}

export type EngineExecutor = Executor & {
  /** the start-up self-test; when not ok (and no dev flag) every stage answers status 20 */
  readonly selfTest: SelfTestResult;
  /** true when stages run unconfined under the development flag */
  readonly unsandboxed: boolean;
  /**
   * The sandbox itself, for modules that lay out their own stages (the Containers module's
   * workspaces); null when the self-test failed (or the stages run unconfined).
   */
  readonly sandbox: Sandbox | null;
  /** this instance's scratch folder: searchable (0711) by the sandbox uids, removed at close */
  readonly scratchDir: string;
  /** removes this instance's cgroups and scratch folder; running stages should be done first */
  close(): Promise<void>;
};

/**
 * Starts the execution core. Never throws because the sandbox is missing: that is reported in
 * `selfTest` (and each stage then fails with status 20 naming the missing piece). Throws when the
 * development flag is given under NODE_ENV=production or CI=true.
 */
export async function createExecutor(options: CreateExecutorOptions): Promise<EngineExecutor> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const unsafe = options.unsafeNoSandbox === true || process.env[UNSAFE_ENV] === '1';
  if (unsafe && (process.env.NODE_ENV === 'production' || process.env.CI === 'true'))
    throw new Error(
      `refusing to run without a sandbox (unsafeNoSandbox / ${UNSAFE_ENV}=1) when ` +
        'NODE_ENV=production or CI=true',
    );
  if (!Number.isInteger(options.workers) || options.workers < 1 || options.workers > 1000)
    throw new RangeError('workers must be an integer in 1..1000');
  const compileEnv = process.env[COMPILE_TIME_ENV];
  const compileTimeSec =
    options.compileTimeSec ?? (compileEnv ? Number(compileEnv) : COMPILE_LIMITS.cpuSec);
  if (!Number.isInteger(compileTimeSec) || compileTimeSec < 1 || compileTimeSec > 600)
    throw new RangeError(
      `the compile time limit must be a whole number of seconds in 1..600` +
        (options.compileTimeSec === undefined && compileEnv
          ? ` (${COMPILE_TIME_ENV}=${compileEnv})`
          : ''),
    );

  await mkdir(options.workDir, { recursive: true, mode: 0o711 });
  // bwrap (running as the slot uid) resolves the box's path itself, so every folder above a box
  // must be searchable by others. When workDir's are not (a clone under /root, a 0700 home, a
  // `mktemp -d` folder), boxes go to the first of the usual temp folders that is.
  const candidates = [options.workDir, tmpdir(), '/tmp', '/var/tmp', '/dev/shm'];
  const parent = candidates.find(searchable) ?? options.workDir;
  if (parent !== options.workDir)
    log(
      `sandbox: ${options.workDir} is not searchable by other users (a folder above it lacks o+x); ` +
        `program folders go to ${parent} instead`,
    );
  removeStaleScratch(parent, log);
  const scratch = await mkdtemp(join(parent, `se-exec-${process.pid}-${pidNamespace()}-`));
  // searchable but not listable: sandboxes reach their own box by its unguessable name only
  await chmod(scratch, 0o711);
  const programsDir = join(scratch, 'programs');
  await mkdir(programsDir, { mode: 0o711 });
  await chmod(programsDir, 0o711);

  const created = await createSandbox({
    workDir: scratch,
    unsafe,
    log,
    tools: options.sandboxTools,
  });
  const { selfTest } = created;
  const unsandboxed = selfTest.ok === false && created.sandbox !== null;
  if (!selfTest.ok) {
    for (const p of selfTest.problems) log(`sandbox: ${p}`);
    log(
      unsandboxed
        ? 'WARNING: running submissions WITHOUT a sandbox (development flag); results are marked ' +
            '"unsandboxed". Never do this on a machine reachable by others.'
        : 'sandbox: self-test failed; no code will run (every stage ends with status 20)',
    );
  }

  const languages = await detectLanguages(created.sandbox, scratch, options.workers, log);
  const executor = new SandboxExecutor({
    sandbox: created.sandbox,
    unavailable: selfTest.problems,
    languages,
    programsDir,
    workers: options.workers,
    outputCapBytes: options.outputCapBytes ?? DEFAULT_OUTPUT_CAP_BYTES,
    compileCpuSec: compileTimeSec,
    log,
  });
  let closed = false;
  return Object.assign(executor, {
    selfTest,
    unsandboxed,
    sandbox: selfTest.ok ? created.sandbox : null,
    scratchDir: scratch,
    async close() {
      if (closed) return;
      closed = true;
      // stop what still runs first: a cgroup with processes in it cannot be removed
      await created.sandbox?.stopAll();
      created.close();
      const why = await removeTree(scratch);
      if (why) log(`sandbox: could not remove the scratch folder: ${why}`);
    },
  });
}

/** True when `dir` and every folder above it let others search (o+x). */
function searchable(dir: string): boolean {
  try {
    return unsearchableAncestor(realpathSync(dir)) === null;
  } catch {
    return false;
  }
}

/**
 * Removes the scratch folders `se-exec-<pid>-<pid namespace>-*` of engines that are gone, in the
 * background: whatever a dead engine's programs left there (a chain deeper than PATH_MAX, a
 * million files) neither fails nor delays this start.
 */
function removeStaleScratch(workDir: string, log: (line: string) => void): void {
  for (const e of leftoversOfDeadEngines(workDir, /^se-exec-(\d+)-(\d+)-/)) {
    // another user's engine may have left it in a shared /tmp: what cannot be removed is left
    // for its owner's next start, and is never a reason not to start
    void removeTree(join(workDir, e)).then((why) => {
      if (why) log(`sandbox: could not remove a stale scratch folder: ${why}`);
    });
  }
}

/**
 * Probes each toolchain present under /usr once, in the sandbox, `workers` at a time. Without a
 * sandbox the probes run the trusted binaries directly (no user code is involved), so the list
 * still shows what is installed; every stage then fails with status 20.
 */
async function detectLanguages(
  sandbox: Sandbox | null,
  scratch: string,
  workers: number,
  log: (line: string) => void,
): Promise<Map<number, Language>> {
  const prober =
    sandbox ??
    new Sandbox({
      paths: { bwrap: '', init: '', initBound: '', seccomp: '' },
      cgroups: null,
      unsafe: true,
      rootLinks: [],
      etcBinds: [],
    });
  const box = await mkdtemp(join(scratch, 'detect-'));
  await chmod(box, 0o755);
  const candidates = LANGUAGE_DEFS.filter(toolchainPresent);
  const found = new Map<number, Language>();
  let next = 0;
  const worker = async (slot: number) => {
    while (next < candidates.length) {
      const def = candidates[next++];
      const binds = def.binds?.() ?? [];
      const out = await prober.run(
        {
          stage: 'run',
          argv: def.probe,
          boxDir: box,
          boxWritable: false,
          slot,
          limits: PROBE_LIMITS,
          outputCapBytes: 64 * 1024,
          extraBinds: binds,
        },
        '',
      );
      const text = Buffer.concat([out.stdout, out.stderr]).toString('utf8');
      const lang = out.status === 0 ? languageFromProbe(def, text) : null;
      if (lang) found.set(def.id, lang);
      else
        log(
          `languages: ${def.name} is installed but its probe failed (status ${out.status}` +
            `${out.internalError ? `: ${out.internalError}` : ''}); not listed`,
        );
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, 4) }, (_, i) => worker(i)));
  await removeTree(box);
  // a stable order: as in LANGUAGE_DEFS
  return new Map(LANGUAGE_DEFS.filter((d) => found.has(d.id)).map((d) => [d.id, found.get(d.id)!]));
}
