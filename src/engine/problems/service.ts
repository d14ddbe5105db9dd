/**
 * Judging: a submission is compiled once, then run on each selected test case with that test
 * case's time limit; a test-case judge decides each, the master judge decides the whole
 * (JUDGES.md). Runs on the engine's shared queue as job kind `problems`.
 */
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Status } from '../../shared/status.js';
import type { Executor, Program, StageOutcome } from '../exec/types.js';
import { LIMITS } from '../limits.js';
import type { EngineContext } from '../module.js';
import type { JobContext } from '../queue.js';
import { SubmissionJobs } from '../submission-jobs.js';
import {
  runBuiltinMasterJudge,
  runBuiltinTestcaseJudge,
  type FinalVerdict,
  type TestcaseOutcome,
} from './judges/builtin.js';
import { BUILTIN_JUDGES } from './judges/catalog.js';
import {
  runInteractive,
  runMasterJudge,
  runTestcaseJudge,
  writeJudgeFiles,
  type CustomVerdict,
} from './judges/custom.js';
import { JudgePrograms, type JudgeLease } from './judges/programs.js';
import type {
  JudgeRow,
  ProblemsStore,
  SubmissionResult,
  SubmissionRow,
  TestcaseMeta,
} from './store.js';
import { sourceStream, submissionItem } from './views.js';

export const BASE_PATH = '/problems/api/v4';
export const JOB_KIND = 'problems';

/** Memory limit of a submission's runs (the Problems API has no memory parameter). */
export const PROBLEM_MEMORY_KB = LIMITS.memoryKb.default;

const USER_INTERNAL_ERROR =
  'internal error: the engine could not judge this submission. Try again; if it happens again, ' +
  'tell the operator (the engine log has the details).\n';
const NO_SANDBOX_NOTE =
  '[se-engine] development mode: this submission ran WITHOUT a sandbox (--unsafe-no-sandbox).\n';

/** The Problems module's judging work, through the shared queue. */
export class ProblemsService extends SubmissionJobs<SubmissionResult> {
  private readonly judges: JudgePrograms | null;
  private readonly workDir: string;

  constructor(
    ctx: EngineContext,
    readonly problems: ProblemsStore,
  ) {
    super(ctx, JOB_KIND, {
      userInternalError: USER_INTERNAL_ERROR,
      noSandboxNote: NO_SANDBOX_NOTE,
    });
    this.judges = ctx.executor ? new JudgePrograms(ctx.executor, ctx.log) : null;
    this.workDir = join(dirname(ctx.db.name), 'problems-work');
  }

  /**
   * Stores a submission with `create` and queues it (503 when the queue is full). Without a
   * working sandbox it is stored already ended with status 20 and the reason in `error`.
   */
  submit(create: () => number): number {
    return this.queue(create);
  }

  /** Disposes the compiled judges. */
  async close(): Promise<void> {
    await this.judges?.close();
  }

  // JobKind

  async run(id: number, job: JobContext): Promise<void> {
    const sub = this.problems.getSubmission(id);
    if (!sub) return;
    const executor = this.executorFor(id, job, this.judges !== null);
    if (!executor || !this.judges) return;
    const plan = this.plan(sub);
    if ('error' in plan) {
      this.end(id, job.finish, plan.error);
      return;
    }
    const language = this.languageFor(id, job, executor, sub.compilerId);
    if (!language) return;

    if (language.compiled) this.setStatus(id, Status.Compiling, job);
    const source = sub.source.toString('utf8');
    const compiled = await executor.compile(
      {
        languageId: language.id,
        versionId: sub.compilerVersionId,
        ...(source !== '' || !sub.files ? { source } : {}),
        ...(sub.files ? { files: sub.files } : {}),
      },
      job.slot,
    );
    if (!compiled.ok) {
      const internal = compiled.status === Status.InternalError;
      this.end(id, job.finish, {
        ...empty(compiled.status),
        cmpinfo: Buffer.from(this.mark(compiled.cmpinfo)),
        error: internal ? this.userInternalError : null,
        ...(internal ? { internalError: compiled.outcome.internalError ?? 'compile stage' } : {}),
      });
      return;
    }

    const leases: JudgeLease[] = [];
    let dir: string | undefined;
    try {
      const judges = new Map<number, Program>();
      for (const [phase, rows] of [
        [Status.CompilingJudge, plan.customJudges],
        [Status.CompilingMasterJudge, plan.customMaster ? [plan.customMaster] : []],
      ] as const) {
        for (const row of rows) {
          if (job.signal.aborted) return;
          if (!this.judges.has(row)) this.setStatus(id, phase, job);
          const what = phase === Status.CompilingMasterJudge ? 'master judge' : 'judge';
          let lease: JudgeLease;
          try {
            lease = await this.judges.acquire(row, job.slot);
          } catch (err) {
            // e.g. the judge's language or version is not on this machine (any more)
            this.end(id, job.finish, {
              ...empty(Status.JudgeError),
              cmpinfo: Buffer.from(this.mark(compiled.cmpinfo)),
              debug: Buffer.from(
                `${what} ${row.id} cannot be compiled here: ${err instanceof Error ? err.message : String(err)}\n`,
              ),
            });
            return;
          }
          leases.push(lease);
          if (!lease.result.ok) {
            const internal = lease.result.status === Status.InternalError;
            this.end(id, job.finish, {
              ...empty(internal ? Status.InternalError : Status.JudgeError),
              cmpinfo: Buffer.from(this.mark(compiled.cmpinfo)),
              error: internal ? this.userInternalError : null,
              debug: Buffer.from(
                `${what} ${row.id} did not compile (status ${lease.result.status}):\n${lease.result.cmpinfo}`,
              ),
              ...(internal ? { internalError: `compiling ${what} ${row.id}` } : {}),
            });
            return;
          }
          judges.set(row.id, lease.result.program);
        }
      }

      mkdirSync(this.workDir, { recursive: true, mode: 0o700 });
      dir = mkdtempSync(join(this.workDir, `${id}-`));
      const result = await this.test(id, job, executor, compiled.program, judges, plan, sub, dir);
      if (!result) return;
      result.cmpinfo = Buffer.from(this.mark(compiled.cmpinfo));
      this.end(id, job.finish, result);
    } finally {
      for (const l of leases) l.release();
      await compiled.program.dispose().catch((err: unknown) => {
        this.ctx.log(`se-engine: problems ${id}: cleanup failed: ${String(err)}`);
      });
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }

  // SubmissionJobs

  protected store(id: number, r: SubmissionResult): void {
    this.problems.finishSubmission(id, r);
  }

  protected storeStatus(id: number, status: number): void {
    this.problems.setSubmissionStatus(id, status);
  }

  protected override currentStatus(id: number): number | null {
    return this.problems.getStatus(id);
  }

  protected summary(id: number): unknown {
    const row = this.problems.getSubmission(id);
    return row
      ? submissionItem(row, {
          baseUrl: this.ctx.url + BASE_PATH,
          accessToken: this.ctx.accessToken,
        })
      : null;
  }

  protected orphans(): number[] {
    return this.problems.orphans(JOB_KIND);
  }

  // internals

  /** What a submission needs: its test cases and judges; or the problem error that stops it. */
  private plan(sub: SubmissionRow): Plan | { error: SubmissionResult } {
    const problemError = (why: string) => ({
      error: { ...empty(Status.ProblemError), error: Buffer.from(`problem error: ${why}\n`) },
    });
    const problem = this.problems.findProblem(sub.problemId);
    if (!problem) return problemError('the problem was deleted');
    const all = this.problems.listTestcases(problem.id);
    const tests = sub.tests
      ? all.filter((t) => sub.tests!.includes(t.number))
      : all.filter((t) => t.active);
    if (tests.length === 0) {
      return problemError(
        sub.tests
          ? 'the selected test cases no longer exist'
          : 'the problem has no active test cases',
      );
    }
    const customJudges: JudgeRow[] = [];
    for (const judgeId of new Set(tests.map((t) => t.judgeId))) {
      if (BUILTIN_JUDGES.has(judgeId)) {
        if (problem.interactive) {
          return problemError(
            `an interactive problem needs custom test-case judges; judge ${judgeId} is built in`,
          );
        }
        continue;
      }
      const row = this.problems.getJudge(judgeId);
      if (!row) return problemError(`test-case judge ${judgeId} does not exist`);
      customJudges.push(row);
    }
    let customMaster: JudgeRow | null = null;
    if (!BUILTIN_JUDGES.has(problem.masterjudgeId)) {
      customMaster = this.problems.getJudge(problem.masterjudgeId);
      if (!customMaster)
        return problemError(`master judge ${problem.masterjudgeId} does not exist`);
    }
    return {
      problemTypeId: problem.typeId,
      interactive: problem.interactive,
      masterjudgeId: problem.masterjudgeId,
      tests,
      customJudges,
      customMaster,
    };
  }

  /**
   * Runs every test case, then the master judge; null when the job was taken back. Test cases run
   * in parallel: on the job's own slot, and on slots the queue lends while no other submission
   * waits (each lent slot is given back after one test case, so a submission that arrives waits
   * at most for one test case). Results are gathered in test-case order, so the verdict, the
   * per-test results and the streams are those of a run one after another.
   */
  private async test(
    id: number,
    job: JobContext,
    executor: Executor,
    program: Program,
    judges: Map<number, Program>,
    plan: Plan,
    sub: SubmissionRow,
    dir: string,
  ): Promise<SubmissionResult | null> {
    const source = sourceStream(sub);
    let sourceBytes = sub.source.length;
    for (const c of Object.values(sub.files ?? {})) sourceBytes += Buffer.byteLength(c);
    const ctx: CaseContext = { id, job, executor, program, judges, plan, source, sourceBytes, dir };

    // Lent slots run as other uids (as root): only a program every uid can run goes to them.
    const lendable = await runnableByEveryUid(program.dir);
    const cases: Array<CaseResult | null> = new Array(plan.tests.length).fill(null);
    const failures: unknown[] = [];
    const running = new Set<Promise<void>>();
    let next = 0;
    let ownSlotBusy = false;
    // Streams are kept only where the result may need them (the first failure in order, else the
    // last test case), so memory stays at a few test cases' output however many there are.
    const last = plan.tests.length - 1;
    let firstFailing = Infinity;
    const keep = (index: number, c: CaseResult | null) => {
      cases[index] = c;
      if (!c || index === last) return;
      if (c.outcome.status === Status.Accepted || index > firstFailing) {
        c.streams = NO_STREAMS;
      } else {
        const previous = cases[firstFailing];
        if (previous && firstFailing !== last) previous.streams = NO_STREAMS;
        firstFailing = index;
      }
    };
    const start = (slot: number, lent: boolean) => {
      const index = next++;
      const run = (async () => {
        try {
          keep(index, await this.testCase(ctx, plan.tests[index]!, slot));
        } catch (err) {
          failures.push(err);
        } finally {
          if (lent) job.returnSlot(slot);
          else ownSlotBusy = false;
        }
      })();
      running.add(run);
      void run.then(() => running.delete(run));
    };
    while (next < plan.tests.length || running.size > 0) {
      if (!job.signal.aborted && failures.length === 0) {
        if (!ownSlotBusy && next < plan.tests.length) {
          ownSlotBusy = true;
          start(job.slot, false);
        }
        while (lendable && next < plan.tests.length) {
          const lent = job.borrowSlot();
          if (lent === null) break;
          start(lent, true);
        }
      } else if (running.size === 0) {
        break;
      }
      await Promise.race(running);
    }
    if (failures.length) throw failures[0];
    if (job.signal.aborted) return null;

    const results: TestcaseOutcome[] = [];
    const debug: string[] = [];
    let shown: Shown | null = null;
    let firstFailure: Shown | null = null;
    let internalError: string | undefined;
    for (const c of cases) {
      if (!c) continue;
      results.push(c.outcome);
      debug.push(...c.debug);
      internalError ??= c.internalError;
      shown = c.streams;
      if (c.outcome.status !== Status.Accepted && !firstFailure) firstFailure = c.streams;
    }
    if (results.length === 0) {
      return {
        ...empty(Status.ProblemError),
        error: Buffer.from('problem error: no test case ran\n'),
      };
    }

    let final: FinalVerdict;
    if (plan.customMaster) {
      if (job.signal.aborted) return null;
      this.setStatus(id, Status.ExecutingMasterJudge, job);
      const m = await runMasterJudge(
        executor,
        judges.get(plan.customMaster.id)!,
        results,
        dir,
        job.slot,
      );
      pushJudgeText(debug, 'master judge', m);
      if (m.verdict) final = m.verdict;
      else {
        if (m.internal) internalError ??= m.failure;
        final = {
          ...runBuiltinMasterJudge(1000, results),
          status: m.internal ? Status.InternalError : Status.JudgeError,
          score: 0,
        };
      }
    } else {
      final = runBuiltinMasterJudge(plan.masterjudgeId, results);
    }
    const score = plan.problemTypeId === 4 ? Math.min(100, Math.max(0, final.score)) : final.score;
    const pick = firstFailure ?? shown!;
    const sep =
      pick.error.length && pick.error[pick.error.length - 1] !== 0x0a && pick.notes ? '\n' : '';
    return {
      status: final.status,
      score,
      time: final.time,
      memory: final.memory,
      signal: final.signal,
      testcases: results,
      output: pick.output,
      error: Buffer.concat([pick.error, Buffer.from(sep + pick.notes)]),
      cmpinfo: null,
      debug: debug.length ? Buffer.from(debug.join('')) : null,
      ...(internalError ? { internalError } : {}),
    };
  }

  /** One test case on `slot`: the run, then its judge; null when the test case is gone. */
  private async testCase(
    c: CaseContext,
    meta: TestcaseMeta,
    slot: number,
  ): Promise<CaseResult | null> {
    const { id, job, executor, program, plan } = c;
    this.setStatus(id, Status.Testing, job);
    const tc = this.problems.getTestcase(meta.problemId, meta.number);
    if (!tc) return null;
    const limits = { timeSec: tc.timeLimit, memoryKb: PROBLEM_MEMORY_KB };
    const judgeProgram = c.judges.get(tc.judgeId);
    const caseDir = join(c.dir, String(tc.number));
    const debug: string[] = [];
    let internalError: string | undefined;
    let run: StageOutcome;
    let output: Buffer;
    let status: number;
    let score = 0;
    let verdict: CustomVerdict | null = null;

    if (plan.interactive && judgeProgram) {
      mkdirSync(caseDir);
      const files = writeJudgeFiles(caseDir, {
        output: Buffer.alloc(0),
        expected: tc.output,
        source: c.source,
      });
      this.setStatus(id, Status.ExecutingJudge, job);
      const r = await runInteractive(
        executor,
        program,
        judgeProgram,
        tc.input,
        files,
        limits,
        slot,
        LIMITS.outputBytes,
      );
      run = r.program;
      output = r.transcript;
      verdict = r.judge;
      status = interactiveStatus(r.program.status, r.judge.status);
      score = status === Status.Accepted || status === Status.WrongAnswer ? r.judge.score : 0;
    } else {
      run = await executor.run(program, {
        stdin: tc.input,
        limits,
        slot,
        outputCapBytes: LIMITS.outputBytes,
      });
      output = run.stdout;
      if (run.status !== 0) {
        status = run.status;
      } else if (!judgeProgram) {
        const v = runBuiltinTestcaseJudge(tc.judgeId, {
          output,
          expected: tc.output,
          sourceBytes: c.sourceBytes,
        });
        status = v.status;
        score = v.score;
        if (v.debug) debug.push(`--- test ${tc.number}: ${v.debug}`);
      } else {
        mkdirSync(caseDir);
        const files = writeJudgeFiles(caseDir, { output, expected: tc.output, source: c.source });
        this.setStatus(id, Status.ExecutingJudge, job);
        verdict = await runTestcaseJudge(executor, judgeProgram, tc.input, files, slot);
        status = verdict.status;
        score = verdict.score;
      }
    }
    if (run.status === Status.InternalError) internalError ??= run.internalError ?? 'run stage';
    if (verdict) {
      if (verdict.status === Status.InternalError) internalError ??= verdict.failure ?? 'judge run';
      pushJudgeText(debug, `test ${tc.number}`, verdict);
    }
    return {
      outcome: {
        number: tc.number,
        status,
        score,
        signal: run.signal,
        time: round2(run.timeSec),
        memory: Math.round(run.memoryKb),
        ...(run.reason ? { reason: run.reason } : {}),
      },
      streams: {
        output,
        error: status === Status.InternalError ? this.userInternalError : run.stderr,
        notes: truncationNotes(run),
      },
      debug,
      ...(internalError ? { internalError } : {}),
    };
  }

  protected internal(userMessage: string, operatorDetail: string): SubmissionResult {
    return {
      ...empty(Status.InternalError),
      error: Buffer.from(userMessage),
      internalError: operatorDetail,
    };
  }
}

/** What every test case of one submission shares. */
interface CaseContext {
  id: number;
  job: JobContext;
  executor: Executor;
  program: Program;
  judges: Map<number, Program>;
  plan: Plan;
  source: Buffer;
  sourceBytes: number;
  dir: string;
}

/** The streams a test case leaves for the submission's `output` and `error`. */
type Shown = { output: Buffer; error: Buffer; notes: string };
const NO_STREAMS: Shown = { output: Buffer.alloc(0), error: Buffer.alloc(0), notes: '' };

/** One test case's share of the submission's result. */
interface CaseResult {
  outcome: TestcaseOutcome;
  streams: Shown;
  /** its parts of the `debug` stream */
  debug: string[];
  internalError?: string;
}

interface Plan {
  problemTypeId: number;
  interactive: boolean;
  masterjudgeId: number;
  tests: TestcaseMeta[];
  customJudges: JudgeRow[];
  customMaster: JudgeRow | null;
}

function empty(status: number): SubmissionResult {
  return {
    status,
    score: 0,
    time: 0,
    memory: 0,
    signal: 0,
    testcases: [],
    output: null,
    error: null,
    cmpinfo: null,
    debug: null,
  };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Most entries of a program folder looked at before it is run on its own slot only. */
const LENDABLE_WALK_ENTRIES = 10_000;

/**
 * True when a program's folder can be run by any worker slot's uid: every folder lets others
 * read and search it, every file lets others read it (and run it, when its owner may). A build
 * may leave its files private to its own uid; such a program runs on the submission's own slot
 * only, so every test case sees the same program. Never follows a symlink. Without root every
 * run has the engine's uid, and any program qualifies.
 */
async function runnableByEveryUid(dir: string): Promise<boolean> {
  if (process.getuid?.() !== 0) return true;
  let seen = 0;
  const walk = async (d: string): Promise<boolean> => {
    const st = await lstat(d);
    if ((st.mode & 0o005) !== 0o005) return false;
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (++seen > LENDABLE_WALK_ENTRIES) return false;
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!(await walk(p))) return false;
      } else if (e.isFile()) {
        const { mode } = await lstat(p);
        if ((mode & 0o004) === 0 || ((mode & 0o100) !== 0 && (mode & 0o001) === 0)) return false;
      }
    }
    return true;
  };
  try {
    return await walk(dir);
  } catch {
    return false;
  }
}

/**
 * An interactive test case's status from both runs: the judge's own failure first, then the
 * program's hard limits, then the judge's verdict, then the program's crash.
 */
export function interactiveStatus(program: number, judge: number): number {
  if (judge === Status.InternalError || judge === Status.JudgeError) return judge;
  if (program === Status.InternalError) return program;
  if (
    program === Status.TimeLimitExceeded ||
    program === Status.MemoryLimitExceeded ||
    program === Status.IllegalSystemCall
  ) {
    return program;
  }
  if (judge === Status.WrongAnswer) return judge;
  if (program !== 0) return program;
  return judge;
}

function pushJudgeText(
  out: string[],
  label: string,
  v: { debug: string; info: string; failure?: string; status?: number },
): void {
  if (v.failure) out.push(`--- ${label}: judge error: ${v.failure}\n`);
  if (v.debug) out.push(`--- ${label}, judge debug (fd 6):\n${withNewline(v.debug)}`);
  if (v.info) out.push(`--- ${label}, user info (fd 7):\n${withNewline(v.info)}`);
}

const withNewline = (s: string): string => (s.endsWith('\n') ? s : s + '\n');

function truncationNotes(o: StageOutcome): string {
  const cap = `the cap of ${LIMITS.outputBytes} bytes`;
  let notes = '';
  if (o.stdoutTruncated) {
    notes += `[se-engine] output exceeded ${cap}: the program was stopped, output truncated.\n`;
  }
  if (o.stderrTruncated) {
    notes += `[se-engine] error output exceeded ${cap}: the program was stopped, truncated.\n`;
  }
  return notes;
}
