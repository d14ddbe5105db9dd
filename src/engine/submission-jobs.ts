/**
 * What the Compilers and Problems modules' job kinds share: queueing a stored submission (or
 * ending it at once when code may not run here), status changes and their events, the end of a
 * job with its announcement and webhook, the sweep of orphans, and the prologue of a run (the
 * execution core and the submission's language, or the internal error that ends it).
 */
import { Status } from '../shared/status.js';
import type { Executor, LanguageInfo } from './exec/types.js';
import type { EngineContext } from './module.js';
import type { JobContext, JobKind } from './queue.js';
import type { EngineModuleName } from './webhooks.js';

/** A final result as a module stores it; `internalError` is logged, never served. */
export interface FinalResult {
  status: number;
  internalError?: string;
}

/** Texts a module ends its submissions with. */
export interface JobTexts {
  /** the `error` stream of an internal error */
  userInternalError: string;
  /** put before `cmpinfo` when code ran without a sandbox (development flag) */
  noSandboxNote: string;
}

type Finish = (write: () => void) => boolean;

export abstract class SubmissionJobs<R extends FinalResult> implements JobKind {
  constructor(
    protected readonly ctx: EngineContext,
    /** the module, and the queue's job kind */
    protected readonly module: EngineModuleName,
    private readonly texts: JobTexts,
  ) {}

  /** A result of status 20 with `userMessage` in `error` and the operator's detail. */
  protected abstract internal(userMessage: string, operatorDetail: string): R;
  /** Writes the final result. */
  protected abstract store(id: number, r: R): void;
  /** Writes a status change (the row exists). */
  protected abstract storeStatus(id: number, status: number): void;
  /** The status stored now, when the module skips unchanged ones; undefined to always write. */
  protected currentStatus(_id: number): number | null | undefined {
    return undefined;
  }
  /** The item of the module's `GET /submissions?ids=` (the webhook's `submission`), or null. */
  protected abstract summary(id: number): unknown;
  /** Ids of submissions left executing with no job. */
  protected abstract orphans(): number[];

  abstract run(id: number, job: JobContext): Promise<void>;

  /** The languages this machine runs, by id (none when the execution core did not start). */
  languages(): Map<number, LanguageInfo> {
    return this.ctx.executor?.languages() ?? new Map();
  }

  /**
   * Stores a submission with `create` and queues it (503 when the queue is full). Without a
   * working sandbox it is stored already ended with status 20 and the reason in `error`.
   */
  protected queue(create: () => number): number {
    if (!this.canRun()) {
      const id = this.ctx.db.transaction(() => {
        const id = create();
        this.store(id, this.internal(this.ctx.sandbox.refusal, 'sandbox unavailable'));
        return id;
      })();
      this.announce(id, Status.InternalError);
      return id;
    }
    const id = this.ctx.queue.enqueue(this.module, create);
    this.ctx.statusChanged(this.module, id, Status.Waiting);
    return id;
  }

  /** Ends submissions left "executing" with no job (a state the queue should never leave). */
  sweepOrphans(): void {
    for (const id of this.orphans()) {
      this.store(id, this.internal(this.texts.userInternalError, 'found executing with no job'));
      this.ctx.log(
        `se-engine: ${this.module} ${id} was executing with no job; ended with status 20`,
      );
    }
  }

  abandon(id: number, reason: string, finish: Finish): void {
    this.end(id, finish, this.internal(`internal error: ${reason}.\n`, reason));
  }

  requeued(id: number): void {
    this.setStatus(id, Status.Waiting);
  }

  /**
   * The start of every run: the execution core, or null when the job was ended instead (no
   * working sandbox). `ready` adds the module's own condition on the core.
   */
  protected executorFor(id: number, job: JobContext, ready = true): Executor | null {
    const executor = this.ctx.executor;
    if (executor && ready && this.canRun()) return executor;
    this.end(id, job.finish, this.internal(this.ctx.sandbox.refusal, 'sandbox unavailable'));
    return null;
  }

  /** The submission's language, or null when the job was ended instead (the compiler is gone). */
  protected languageFor(
    id: number,
    job: JobContext,
    executor: Executor,
    compilerId: number,
  ): LanguageInfo | null {
    const language = executor.languages().get(compilerId);
    if (language) return language;
    const message = `internal error: compiler ${compilerId} is no longer available on this engine.\n`;
    this.end(id, job.finish, this.internal(message, 'compiler gone'));
    return null;
  }

  protected canRun(): boolean {
    return this.ctx.executor !== null && (this.ctx.sandbox.ok || this.ctx.sandbox.unsafe);
  }

  protected setStatus(id: number, status: number, job?: JobContext): void {
    if (job?.signal.aborted) return;
    if (this.currentStatus(id) === status) return;
    this.storeStatus(id, status);
    this.ctx.statusChanged(this.module, id, status);
  }

  /** Writes the final result through the queue's `finish`, then announces it. */
  protected end(id: number, finish: Finish, r: R): void {
    if (r.internalError)
      this.ctx.log(`se-engine: ${this.module} ${id}: internal error: ${r.internalError}`);
    if (finish(() => this.store(id, r))) this.announce(id, r.status);
  }

  protected announce(id: number, status: number): void {
    this.ctx.statusChanged(this.module, id, status);
    this.ctx.finished(this.module, id, status, this.summary(id));
  }

  /** Marks a result produced without a sandbox (development flag), in its `cmpinfo`. */
  protected mark(cmpinfo: string): string {
    return this.ctx.sandbox.unsafe ? this.texts.noSandboxNote + cmpinfo : cmpinfo;
  }

  /** The `error` stream of an internal error, as bytes. */
  protected get userInternalError(): Buffer {
    return Buffer.from(this.texts.userInternalError);
  }
}
