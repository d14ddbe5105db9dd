import { Status } from '../../shared/status.js';
import { signalDesc } from '../exec/signals.js';
import type { StageOutcome } from '../exec/types.js';
import { LIMITS } from '../limits.js';
import type { EngineContext } from '../module.js';
import type { JobContext } from '../queue.js';
import { SubmissionJobs } from '../submission-jobs.js';
import type { CreateRequest } from './params.js';
import {
  SubmissionStore,
  type StreamName,
  type SubmissionResult,
  type SubmissionRow,
} from './store.js';
import { summaryView } from './view.js';

export const BASE_PATH = '/compilers/api/v4';
export const JOB_KIND = 'compilers';

const USER_INTERNAL_ERROR =
  'internal error: the engine could not run this program. Try again; if it happens again, ' +
  'tell the operator (the engine log has the details).\n';
const NO_SANDBOX_NOTE =
  '[se-engine] development mode: this program ran WITHOUT a sandbox (--unsafe-no-sandbox).\n';

/** The Compilers module's work: submissions in, results out, through the shared queue. */
export class CompilersService extends SubmissionJobs<SubmissionResult> {
  readonly submissions: SubmissionStore;

  constructor(ctx: EngineContext) {
    super(ctx, JOB_KIND, {
      userInternalError: USER_INTERNAL_ERROR,
      noSandboxNote: NO_SANDBOX_NOTE,
    });
    this.submissions = new SubmissionStore(ctx.db);
  }

  /**
   * Stores a submission and queues it (503 when the queue is full). Without a working sandbox it
   * is stored already ended with status 20 and the reason in its `error` stream.
   */
  create(req: CreateRequest): number {
    const record = {
      compilerId: req.language.id,
      versionId: req.version.id,
      compilerName: req.language.name,
      versionName: req.version.name,
      timeLimitSec: req.timeLimitSec,
      memoryLimitKb: req.memoryLimitKb,
      source: req.source,
      input: req.input,
      files: req.files,
    };
    return this.queue(() => this.submissions.insert(record));
  }

  get(id: number): SubmissionRow | undefined {
    return this.submissions.get(id);
  }

  list(ids: number[]): SubmissionRow[] {
    return this.submissions.list(ids);
  }

  stream(id: number, name: StreamName): { data: Buffer | null } | null {
    return this.submissions.stream(id, name);
  }

  // JobKind

  async run(id: number, job: JobContext): Promise<void> {
    const sub = this.submissions.job(id);
    if (!sub) return;
    const executor = this.executorFor(id, job);
    if (!executor) return;
    const language = this.languageFor(id, job, executor, sub.compilerId);
    if (!language) return;
    const files = sub.files ? (JSON.parse(sub.files) as Record<string, string>) : undefined;
    const source = sub.source.toString('utf8');
    if (language.compiled) this.setStatus(id, Status.Compiling, job);
    const compiled = await executor.compile(
      {
        languageId: language.id,
        versionId: sub.versionId,
        // In multi-file mode `source` is already among the files (see CreateRequest).
        ...(files ? { files } : { source }),
      },
      job.slot,
      // one sandboxed run for a program that parses; the check only when a run fails like one
      { syntaxCheck: 'after-failure' },
    );
    if (!compiled.ok) {
      const internal = compiled.status === Status.InternalError;
      this.end(id, job.finish, {
        status: compiled.status,
        time: 0,
        memory: 0,
        signal: 0,
        signalDesc: '',
        output: Buffer.alloc(0),
        error: internal ? this.userInternalError : Buffer.alloc(0),
        cmpinfo: Buffer.from(this.mark(compiled.cmpinfo)),
        ...(internal ? { internalError: compiled.outcome.internalError ?? 'compile stage' } : {}),
      });
      return;
    }
    const program = compiled.program;
    let outcome: StageOutcome;
    try {
      if (job.signal.aborted) return;
      this.setStatus(id, Status.Executing, job);
      outcome = await executor.run(program, {
        stdin: sub.input,
        limits: { timeSec: sub.timeLimit, memoryKb: sub.memoryLimit },
        slot: job.slot,
      });
    } finally {
      await program.dispose().catch((err: unknown) => {
        this.ctx.log(`se-engine: compilers ${id}: cleanup failed: ${String(err)}`);
      });
    }
    this.end(id, job.finish, this.result(outcome, outcome.cmpinfo ?? compiled.cmpinfo));
  }

  // SubmissionJobs

  protected store(id: number, r: SubmissionResult): void {
    this.submissions.finish(id, r);
  }

  protected storeStatus(id: number, status: number): void {
    this.submissions.setStatus(id, status);
  }

  protected summary(id: number): unknown {
    const row = this.submissions.get(id);
    return row ? summaryView(row, this.ctx.url + BASE_PATH, this.ctx.accessToken) : null;
  }

  protected orphans(): number[] {
    return this.submissions.orphans();
  }

  // internals

  private result(o: StageOutcome, cmpinfo: string): SubmissionResult {
    const internal = o.status === Status.InternalError;
    const notes: string[] = [];
    const cap = `the cap of ${LIMITS.outputBytes} bytes`;
    if (o.stdoutTruncated) {
      notes.push(
        `[se-engine] output exceeded ${cap}: the program was stopped, output truncated.\n`,
      );
    }
    if (o.stderrTruncated) {
      notes.push(`[se-engine] error output exceeded ${cap}: the program was stopped, truncated.\n`);
    }
    const stderr = internal ? this.userInternalError : o.stderr;
    const sep = stderr.length && stderr[stderr.length - 1] !== 0x0a && notes.length ? '\n' : '';
    return {
      status: o.status === 0 ? Status.Accepted : o.status,
      time: Math.round(o.timeSec * 100) / 100,
      memory: Math.round(o.memoryKb),
      signal: o.signal,
      signalDesc: signalDesc(o.signal),
      output: o.stdout,
      error: Buffer.concat([stderr, Buffer.from(sep + notes.join(''))]),
      cmpinfo: Buffer.from(this.mark(cmpinfo)),
      ...(internal ? { internalError: o.internalError ?? 'run stage' } : {}),
      ...(o.reason ? { reason: o.reason } : {}),
    };
  }

  protected internal(userMessage: string, operatorDetail: string): SubmissionResult {
    return {
      status: Status.InternalError,
      time: 0,
      memory: 0,
      signal: 0,
      signalDesc: '',
      output: Buffer.alloc(0),
      error: Buffer.from(userMessage),
      cmpinfo: Buffer.alloc(0),
      internalError: operatorDetail,
    };
  }
}
