import { Status } from '../../shared/status.js';
import { signalDesc } from '../exec/signals.js';
import type { LanguageInfo, StageOutcome } from '../exec/types.js';
import { LIMITS } from '../limits.js';
import type { EngineContext } from '../module.js';
import type { JobContext, JobKind } from '../queue.js';
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
export class CompilersService implements JobKind {
  readonly store: SubmissionStore;

  constructor(private readonly ctx: EngineContext) {
    this.store = new SubmissionStore(ctx.db);
  }

  /** The languages this machine runs, by id (none when the execution core did not start). */
  languages(): Map<number, LanguageInfo> {
    return this.ctx.executor?.languages() ?? new Map();
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
    if (!this.canRun()) {
      const ended = this.internal(this.ctx.sandbox.refusal, 'sandbox unavailable');
      const id = this.ctx.db.transaction(() => {
        const id = this.store.insert(record, Status.InternalError);
        this.store.finish(id, ended);
        return id;
      })();
      this.announce(id, Status.InternalError);
      return id;
    }
    const id = this.ctx.queue.enqueue(JOB_KIND, () => this.store.insert(record));
    this.ctx.statusChanged('compilers', id, Status.Waiting);
    return id;
  }

  get(id: number): SubmissionRow | undefined {
    return this.store.get(id);
  }

  list(ids: number[]): SubmissionRow[] {
    return this.store.list(ids);
  }

  stream(id: number, name: StreamName): { data: Buffer | null } | null {
    return this.store.stream(id, name);
  }

  /** Ends submissions left "executing" with no job (a state the queue should never leave). */
  sweepOrphans(): void {
    for (const id of this.store.orphans()) {
      this.store.finish(id, this.internal(USER_INTERNAL_ERROR, 'found executing with no job'));
      this.ctx.log(`se-engine: compilers ${id} was executing with no job; ended with status 20`);
    }
  }

  // JobKind

  async run(id: number, job: JobContext): Promise<void> {
    const sub = this.store.job(id);
    if (!sub) return;
    const executor = this.ctx.executor;
    if (!executor || !this.canRun()) {
      this.end(id, job.finish, this.internal(this.ctx.sandbox.refusal, 'sandbox unavailable'));
      return;
    }
    const language = executor.languages().get(sub.compilerId);
    if (!language) {
      this.end(
        id,
        job.finish,
        this.internal(
          `internal error: compiler ${sub.compilerId} is no longer available on this engine.\n`,
          'compiler gone',
        ),
      );
      return;
    }
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
        error: internal ? Buffer.from(USER_INTERNAL_ERROR) : Buffer.alloc(0),
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

  abandon(id: number, reason: string, finish: (write: () => void) => boolean): void {
    this.end(id, finish, this.internal(`internal error: ${reason}.\n`, reason));
  }

  requeued(id: number): void {
    this.setStatus(id, Status.Waiting);
  }

  // internals

  private canRun(): boolean {
    return this.ctx.executor !== null && (this.ctx.sandbox.ok || this.ctx.sandbox.unsafe);
  }

  private setStatus(id: number, status: number, job?: JobContext): void {
    if (job?.signal.aborted) return;
    this.store.setStatus(id, status);
    this.ctx.statusChanged('compilers', id, status);
  }

  private end(id: number, finish: (write: () => void) => boolean, r: SubmissionResult): void {
    if (r.internalError)
      this.ctx.log(`se-engine: compilers ${id}: internal error: ${r.internalError}`);
    if (finish(() => this.store.finish(id, r))) this.announce(id, r.status);
  }

  private announce(id: number, status: number): void {
    this.ctx.statusChanged('compilers', id, status);
    const row = this.store.get(id);
    const summary = row ? summaryView(row, this.ctx.url + BASE_PATH, this.ctx.accessToken) : null;
    this.ctx.finished('compilers', id, status, summary);
  }

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
    const stderr = internal ? Buffer.from(USER_INTERNAL_ERROR) : o.stderr;
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

  /** Marks a result produced without a sandbox (development flag), in its `cmpinfo`. */
  private mark(cmpinfo: string): string {
    return this.ctx.sandbox.unsafe ? NO_SANDBOX_NOTE + cmpinfo : cmpinfo;
  }

  private internal(userMessage: string, operatorDetail: string): SubmissionResult {
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
