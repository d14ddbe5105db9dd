/**
 * The Executor (types.ts) on the sandbox: compile once into a program folder, run it many times.
 *
 * Multi-file convention (`files`):
 * - every file is written as named (relative paths, folders allowed; see validateFiles);
 * - a file named `build` at the top is the compile stage: `bash build` runs in /box (read-write)
 *   with the compile limits, instead of the language's own compile command;
 * - a file named `run` at the top is the run stage: `bash run` in /box (read-only);
 * - otherwise compiled languages compile every source of theirs (C: every .c; C++: every .cpp,
 *   .cc, .cxx, .c++; Java: every .java, running the class found as for single files in Main.java
 *   or the first file that declares main), and interpreted ones run `main.<ext>`, else the
 *   single-file name (`prog.py`, ...), else the only file with their extension.
 */
import { opendirSync, type Dir } from 'node:fs';
import { chown, chmod, lstat, mkdtemp, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Sandbox, StageLimits, StageSpec } from '../sandbox/index.js';
import { BOX_OUT_IN_SANDBOX, mountCapped, removeTree, SLOT_UID_BASE } from '../sandbox/index.js';
import { boxSize, FilesError, validateFiles, writeFiles } from './files.js';
import { javaNames, type Language } from './languages.js';
import { Signals } from './signals.js';
import type {
  CompileOptions,
  CompileResult,
  Executor,
  LanguageInfo,
  Program,
  RunningProgram,
  RunOptions,
  StageOutcome,
  StartOptions,
} from './types.js';

/** The compile stage's own limits (generous and fixed: user limits are for the run; the operator
 * may raise the time for a slow machine, see `SE_ENGINE_COMPILE_TIME`). */
export const COMPILE_LIMITS = {
  cpuSec: 10,
  memoryMb: 512,
  pids: 128,
} as const;
/** A build may leave at most this much in the program folder. */
export const MAX_PROGRAM_BYTES = 256 * 1024 * 1024;
/** ... and at most this many files and folders. */
export const MAX_PROGRAM_ENTRIES = 100000;
const MB = 1024 * 1024;
/** How often the size of a compile stage's folder is checked while it runs. */
const SIZE_WATCH_MS = 200;
/** Private /tmp of a stage (tmpfs; it is also charged to the memory limit). */
const TMP_BYTES = 64 * MB;

/** The wall-clock limit for a CPU limit: max(2 x limit, limit + 1 s). */
export function wallLimitMs(cpuSec: number): number {
  return Math.ceil(Math.max(2 * cpuSec, cpuSec + 1) * 1000);
}

/**
 * The run stage's stack limit: half the memory limit, between 4 MiB and 256 MiB. Below the memory
 * limit, so a runaway recursion ends with SIGSEGV (12, as learners expect) rather than with the
 * memory limit (17); a deep but finite recursion still gets most of the memory.
 */
export function stackLimitBytes(memoryBytes: number): number {
  return Math.min(Math.max(Math.floor(memoryBytes / 2), 4 * MB), 256 * MB);
}

export interface ExecutorOptions {
  sandbox: Sandbox | null;
  /** why there is no sandbox (the self-test's problems) */
  unavailable: string[];
  languages: Map<number, Language>;
  /** folder where program folders are made */
  programsDir: string;
  workers: number;
  outputCapBytes: number;
  /** CPU seconds of a compile stage (COMPILE_LIMITS.cpuSec unless the operator says otherwise) */
  compileCpuSec: number;
  /** the operator's log (removal failures; they may name host paths) */
  log?: (line: string) => void;
}

interface ProgramInternal extends Program {
  binds: string[];
}

export class SandboxExecutor implements Executor {
  private readonly infos: Map<number, LanguageInfo>;

  constructor(private readonly o: ExecutorOptions) {
    this.infos = new Map([...o.languages].map(([id, l]) => [id, l.info]));
  }

  languages(): Map<number, LanguageInfo> {
    return new Map(this.infos);
  }

  private checkSlot(slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= Math.max(this.o.workers, 1))
      throw new RangeError(`slot ${slot} is outside 0..${this.o.workers - 1}`);
  }

  private unavailableOutcome(): StageOutcome {
    return {
      ...this.emptyOutcome(),
      status: 20,
      internalError: `the sandbox is not available: ${this.o.unavailable.join('; ')}`,
    };
  }

  async compile(
    req: { languageId: number; versionId: number; source?: string; files?: Record<string, string> },
    slot: number,
    options: CompileOptions = {},
  ): Promise<CompileResult> {
    this.checkSlot(slot);
    const lang = this.o.languages.get(req.languageId);
    if (!lang) throw new RangeError(`unknown language ${req.languageId}`);
    const versionArg = lang.versionArgs.get(req.versionId);
    if (versionArg === undefined)
      throw new RangeError(`unknown version ${req.versionId} of language ${req.languageId}`);
    const multi = req.files !== undefined;
    if (multi) validateFiles(req.files ?? {});
    else if (typeof req.source !== 'string') throw new FilesError('no source given');
    if (!this.o.sandbox)
      return { ok: false, status: 20, cmpinfo: '', outcome: this.unavailableOutcome() };

    const def = lang.def;
    const dir = await mkdtemp(join(this.o.programsDir, 'p-'));
    // as root the folder is its own tmpfs: the kernel caps what a build writes (parallel writers
    // overshot a size watch); otherwise the watch below is the cap
    const capped = mountCapped(dir, MAX_PROGRAM_BYTES, MAX_PROGRAM_ENTRIES);
    await chmod(dir, 0o755);
    // never rejects: whatever a build left (a chain deeper than PATH_MAX, millions of files) goes,
    // and a failure is the operator's to see, not the learner's
    const dispose = async () => {
      const why = await removeTree(dir);
      if (why) this.o.log?.(`sandbox: could not remove a program folder: ${why}`);
    };
    // A build refused here rather than by the compiler: status 11, the reason in cmpinfo.
    const buildFailed = async (cmpinfo: string, outcome: StageOutcome): Promise<CompileResult> => {
      await dispose();
      return { ok: false, status: 11, cmpinfo, outcome: { ...outcome, status: 11 } };
    };
    try {
      // Decide the files, the compile argv and the run argv.
      let files: Record<string, string>;
      let entry = def.sourceFile;
      if (multi) {
        files = req.files ?? {};
      } else if (def.id === 10) {
        const names = javaNames(req.source ?? '');
        files = { [names.file]: req.source ?? '' };
        entry = names.mainClass;
      } else {
        files = { [def.sourceFile]: req.source ?? '' };
      }
      const created = await writeFiles(dir, files);
      const names = Object.keys(files);
      let compileArgv: string[] | null = null;
      let runArgv: string[] | null = null;
      let planError: string | null = null;
      if (multi && names.includes('build')) compileArgv = ['/usr/bin/bash', 'build'];
      if (multi && names.includes('run')) runArgv = ['/usr/bin/bash', 'run'];
      const sources = names.filter((n) => def.extensions.some((e) => n.endsWith(e))).sort();
      if (!compileArgv && def.compile) {
        if (sources.length === 0)
          planError = `no ${def.extensions.join('/')} source among the files`;
        else compileArgv = def.compile(versionArg, sources);
      }
      // An interpreted language's syntax check, unless the author scripted the build or the run.
      const check =
        !compileArgv && !runArgv && def.check && sources.length ? def.check(sources) : null;
      if (!runArgv) {
        if (multi && def.id === 10) {
          const withMain =
            sources.find((n) => n === 'Main.java') ??
            sources.find((n) => /\bvoid\s+main\s*\(/.test(files[n]));
          entry = withMain ? javaNames(files[withMain]).mainClass : 'Main';
        } else if (multi && !def.compile) {
          const ext = def.extensions[0];
          entry =
            [`main${ext}`, def.sourceFile].find((n) => names.includes(n)) ??
            (sources.length === 1 ? sources[0] : '');
          if (!entry)
            planError = `no entry point: name the main file main${ext} (or add a "run" script)`;
        }
      }
      if (planError) return await buildFailed(planError, this.emptyOutcome());

      const program: ProgramInternal = {
        language: lang.info,
        versionId: req.versionId,
        dir,
        command: runArgv ?? [],
        binds: lang.binds,
        dispose,
      };
      // Java's heap flag depends on the run's memory limit: keep the entry, build argv per run.
      entryOf.set(program, { versionArg, entry, custom: runArgv !== null });
      if (!runArgv) program.command = def.run(versionArg, entry, 256 * 1024);

      if (check && options.syntaxCheck === 'after-failure') {
        checkOf.set(program, check);
        return { ok: true, program, cmpinfo: '', outcome: null };
      }
      if (check) {
        const checked = await this.syntaxCheck(lang, dir, slot, check);
        if (checked.status === 0) return { ok: true, program, cmpinfo: '', outcome: checked };
        await dispose();
        return {
          ok: false,
          status: checked.status === 20 ? 20 : 11,
          cmpinfo: checked.status === 20 ? '' : (checked.cmpinfo ?? ''),
          outcome: checked,
        };
      }
      if (!compileArgv) return { ok: true, program, cmpinfo: '', outcome: null };

      // The compile stage writes into the folder: hand it (and what we wrote) to the slot's uid
      // now, before any code runs; never afterwards.
      if (process.getuid?.() === 0) {
        const id = SLOT_UID_BASE + slot;
        await chown(dir, id, id);
        for (const p of created) await chown(p, id, id);
      }
      const limits = this.compileLimits({
        memoryBytes: (def.compileMemoryMb ?? COMPILE_LIMITS.memoryMb) * MB,
        pids: def.compilePids ?? COMPILE_LIMITS.pids,
      });
      const stage = this.o.sandbox.start(
        {
          stage: 'compile',
          argv: capped ? compileArgv : inTmpfs(compileArgv),
          boxDir: dir,
          boxWritable: true,
          ...(capped ? {} : { boxTmpfsBytes: MAX_PROGRAM_BYTES }),
          slot,
          limits,
          outputCapBytes: this.o.outputCapBytes,
          extraBinds: lang.binds,
        },
        true,
      );
      stage.stdin.on('error', () => undefined);
      stage.stdin.end();
      // A backstop: the kernel caps the build's bytes (the folder is its own tmpfs as root, the
      // build runs in a tmpfs of its own otherwise), and this watch of the host folder only stops
      // a build whose folder grew past the cap some other way.
      let overSize = false;
      let checking = false;
      const watch = setInterval(() => {
        if (checking) return;
        checking = true;
        void boxSize(dir, MAX_PROGRAM_BYTES, MAX_PROGRAM_ENTRIES).then((bytes) => {
          checking = false;
          if (bytes > MAX_PROGRAM_BYTES && !overSize) {
            overSize = true;
            stage.stop();
          }
        });
      }, SIZE_WATCH_MS);
      const outcome = await stage.done.finally(() => clearInterval(watch));
      // A full folder: the kernel refused the build's last writes. Without root the stage's /box
      // was copied out whole: measured once, here, and the measure is kept for the check below.
      const copiedOut = capped ? null : await boxSize(dir, MAX_PROGRAM_BYTES, MAX_PROGRAM_ENTRIES);
      if (copiedOut === null ? await isFull(dir) : copiedOut >= MAX_PROGRAM_BYTES - MB)
        overSize = true;
      let cmpinfo = Buffer.concat([outcome.stdout, outcome.stderr]).toString('utf8');
      if (outcome.stdoutTruncated || outcome.stderrTruncated) cmpinfo += '\n[output truncated]';
      if (overSize && outcome.status !== 20) {
        return await buildFailed(
          `${cmpinfo}\n[the build wrote more than ${MAX_PROGRAM_BYTES / MB} MB or ${MAX_PROGRAM_ENTRIES} files]`,
          outcome,
        );
      }
      if (outcome.status === 20) {
        await dispose();
        return { ok: false, status: 20, cmpinfo: '', outcome };
      }
      if (outcome.status !== 0) {
        await dispose();
        if (overTime(outcome, limits.cpuSec))
          cmpinfo += `\n[compilation stopped: over ${limits.cpuSec} s]`;
        return { ok: false, status: 11, cmpinfo, outcome };
      }
      // The default run of C/C++ is ./prog: say so now rather than fail every run.
      if (
        !runArgv &&
        program.command[0] === './prog' &&
        !(await isRegularFile(join(dir, 'prog')))
      ) {
        return await buildFailed(
          `${cmpinfo}\n[the build wrote no ./prog: write it, or add a "run" script]`,
          outcome,
        );
      }
      if (
        (copiedOut ?? (await boxSize(dir, MAX_PROGRAM_BYTES, MAX_PROGRAM_ENTRIES))) >
        MAX_PROGRAM_BYTES
      ) {
        return await buildFailed(
          `${cmpinfo}\n[the build left more than ${MAX_PROGRAM_BYTES / MB} MB or ${MAX_PROGRAM_ENTRIES} files]`,
          outcome,
        );
      }
      return { ok: true, program, cmpinfo, outcome };
    } catch (err) {
      await dispose();
      if (err instanceof FilesError || err instanceof RangeError) throw err;
      // anything else failed on the host (its message may name host paths): status 20
      return {
        ok: false,
        status: 20,
        cmpinfo: '',
        outcome: {
          ...this.emptyOutcome(),
          status: 20,
          internalError: `compile: ${(err as Error).message}`,
        },
      };
    }
  }

  /**
   * Runs a syntax check of the sources in a read-only box, with the compile limits: status 0, 11
   * with the message (the checker's noise removed) in `cmpinfo`, or 20.
   */
  private async syntaxCheck(
    lang: Language,
    dir: string,
    slot: number,
    argv: string[],
  ): Promise<StageOutcome> {
    if (!this.o.sandbox) return this.unavailableOutcome();
    const outcome = await this.o.sandbox.run(
      {
        stage: 'compile',
        argv,
        boxDir: dir,
        boxWritable: false,
        slot,
        // a read-only box: the checker writes next to nothing
        limits: this.compileLimits({ fsizeBytes: MB, tmpBytes: MB }),
        outputCapBytes: this.o.outputCapBytes,
        extraBinds: lang.binds,
      },
      '',
    );
    if (outcome.status === 0 || outcome.status === 20) return outcome;
    let cmpinfo = Buffer.concat([outcome.stdout, outcome.stderr]).toString('utf8');
    if (lang.def.checkNoise) cmpinfo = cmpinfo.replace(lang.def.checkNoise, '');
    if (outcome.stdoutTruncated || outcome.stderrTruncated) cmpinfo += '\n[output truncated]';
    if (overTime(outcome, this.o.compileCpuSec))
      cmpinfo += `\n[syntax check stopped: over ${this.o.compileCpuSec} s]`;
    return { ...outcome, status: 11, cmpinfo };
  }

  /**
   * The limits of a compile stage (the operator's CPU time, COMPILE_LIMITS), with `over` applied:
   * a build and a syntax check differ only there.
   */
  private compileLimits(over: Partial<StageLimits>): StageLimits {
    return {
      cpuSec: this.o.compileCpuSec,
      memoryBytes: COMPILE_LIMITS.memoryMb * MB,
      wallMs: wallLimitMs(this.o.compileCpuSec),
      pids: COMPILE_LIMITS.pids,
      nofile: 1024,
      fsizeBytes: 64 * MB,
      stackBytes: 64 * MB,
      tmpBytes: 128 * MB,
      ...over,
    };
  }

  private emptyOutcome(): StageOutcome {
    return {
      status: 0,
      exitCode: null,
      signal: 0,
      timeSec: 0,
      memoryKb: 0,
      wallMs: 0,
      stdout: Buffer.alloc(0),
      stderr: Buffer.alloc(0),
      stdoutTruncated: false,
      stderrTruncated: false,
    };
  }

  private runSpec(program: Program, options: StartOptions): StageSpec {
    this.checkSlot(options.slot);
    const lang = this.o.languages.get(program.language.id);
    if (!lang) throw new RangeError(`unknown language ${program.language.id}`);
    const { timeSec, memoryKb } = options.limits;
    if (!(timeSec > 0) || !(memoryKb > 0)) throw new RangeError('limits must be positive');
    const e = entryOf.get(program);
    const argv = e && !e.custom ? lang.def.run(e.versionArg, e.entry, memoryKb) : program.command;
    const memoryBytes = memoryKb * 1024;
    return {
      stage: 'run',
      argv,
      boxDir: program.dir,
      boxWritable: false,
      boxEntries: topLevelNames(program),
      slot: options.slot,
      limits: {
        cpuSec: timeSec,
        memoryBytes,
        wallMs: wallLimitMs(timeSec),
        pids: lang.def.pids,
        nofile: lang.def.nofile,
        fsizeBytes: TMP_BYTES,
        stackBytes: stackLimitBytes(memoryBytes),
        tmpBytes: TMP_BYTES,
      },
      outputCapBytes: options.outputCapBytes ?? this.o.outputCapBytes,
      extraBinds: lang.binds,
      fds: options.fds,
    };
  }

  async run(program: Program, options: RunOptions): Promise<StageOutcome> {
    if (!this.o.sandbox) return this.unavailableOutcome();
    const outcome = await this.o.sandbox.run(this.runSpec(program, options), options.stdin);
    const check = checkOf.get(program);
    const lang = this.o.languages.get(program.language.id);
    if (!check || outcome.status !== 12 || !lang?.def.checkHint?.test(outcome.stderr.toString()))
      return outcome;
    // it looks like a syntax error: the check says (once per program)
    checkOf.delete(program);
    const checked = await this.syntaxCheck(lang, program.dir, options.slot, check);
    if (checked.status !== 11) return outcome;
    return {
      ...outcome,
      status: 11,
      stdout: Buffer.alloc(0),
      stderr: Buffer.alloc(0),
      stdoutTruncated: false,
      stderrTruncated: false,
      timeSec: 0,
      memoryKb: 0,
      cmpinfo: checked.cmpinfo,
    };
  }

  start(program: Program, options: StartOptions): RunningProgram {
    if (!this.o.sandbox) {
      const h = this.unavailableOutcome();
      const stdout = new PassThrough();
      stdout.end();
      return {
        stdin: new PassThrough(),
        stdout,
        fds: new Map(),
        done: Promise.resolve(h),
        stop() {},
      };
    }
    const h = this.o.sandbox.start(this.runSpec(program, options), false);
    return { stdin: h.stdin, stdout: h.stdout, fds: h.fds, done: h.done, stop: h.stop };
  }
}

/**
 * True when a compile stage was stopped for time: SIGXCPU from its CPU limit (the figures may
 * round a little under the limit: the signal comes on the kernel's tick), or the wall timer.
 */
function overTime(outcome: StageOutcome, cpuSec: number): boolean {
  return outcome.signal === Signals.SIGXCPU || outcome.timeSec >= cpuSec;
}

/**
 * The compile argv of a build whose /box is the stage's own tmpfs (`boxTmpfsBytes`): copies the
 * files in from the program folder at /.out, runs the build, kills whatever of it is left (the
 * shell is spared: kill(-1) signals neither its caller nor PID 1) and copies /box out, also after
 * a failed build (a full /box is then seen on the host). The build's status is kept, and a build
 * ended by a signal (SIGXCPU) ends the shell by the same signal. Files that cannot be copied out
 * (a chain deeper than PATH_MAX) fail a build that had succeeded.
 */
function inTmpfs(argv: string[]): string[] {
  const out = BOX_OUT_IN_SANDBOX;
  const script = [
    `cp -a ${out}/. /box/ || exit 125`,
    '"$@"; s=$?',
    'kill -9 -1 2>/dev/null',
    `if ! cp -a /box/. ${out}/ 2>/dev/null && [ $s -eq 0 ]; then`,
    `  echo "[the build's files could not be kept: too deep or too many]" >&2; s=125`,
    'fi',
    'if [ $s -gt 128 ]; then kill -$((s - 128)) $$; fi',
    'exit $s',
  ].join('\n');
  return ['/bin/sh', '-c', script, 'build', ...argv];
}

/** True when a capped program folder (its own tmpfs) has (almost) no room or inodes left. */
async function isFull(dir: string): Promise<boolean> {
  try {
    const f = await statfs(dir);
    return f.bavail * f.bsize < MB || f.ffree < 16;
  } catch {
    return false;
  }
}

/** lstat, never following a planted symlink. */
async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isFile();
  } catch {
    return false;
  }
}

/** Per program compiled with `syntaxCheck: 'after-failure'`: the check a failed run prompts. */
const checkOf = new WeakMap<Program, string[]>();
/** At most this many top-level names get a symlink in a run's writable /box. */
const MAX_BOX_ENTRIES = 1000;
const boxEntriesOf = new WeakMap<Program, string[] | undefined>();

/**
 * The program folder's top-level names (read once: nothing writes the folder after the build),
 * or undefined when there are too many: /box is then the read-only folder itself, as before.
 */
function topLevelNames(program: Program): string[] | undefined {
  if (boxEntriesOf.has(program)) return boxEntriesOf.get(program);
  let names: string[] | undefined = [];
  let d: Dir | undefined;
  try {
    d = opendirSync(program.dir);
    for (let e = d.readSync(); e; e = d.readSync()) {
      if (names.length >= MAX_BOX_ENTRIES) {
        names = undefined;
        break;
      }
      names.push(e.name);
    }
  } catch {
    names = undefined;
  } finally {
    d?.closeSync();
  }
  boxEntriesOf.set(program, names);
  return names;
}

/** Per program: what its run argv is built from (the Java heap follows each run's limit). */
const entryOf = new WeakMap<Program, { versionArg: string; entry: string; custom: boolean }>();
