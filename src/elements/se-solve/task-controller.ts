import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { StatusInfo } from '../../shared/compilers.js';
import type { CreateRunRequest, CreateSubmissionRequest, V1Result } from '../../shared/v1.js';
import type { SeBeforeSubmitDetail, SeStatusDetail, SeTaskKind } from '../events.js';
import { V1ClientError, type V1Client } from './api-client.js';
import type { SessionController } from './session-controller.js';

export type TaskPhase = 'idle' | 'sending' | 'waiting' | 'done' | 'stopped' | 'failed';

export interface TaskOptions {
  client(): V1Client;
  session: SessionController;
  /** asks the host (`se-before-submit`); false when it vetoed the task */
  before(detail: SeBeforeSubmitDetail): boolean;
  submitted(kind: SeTaskKind, id: string): void;
  status(detail: SeStatusDetail): void;
  /** the final result (`se-result`) */
  finished(result: V1Result): void;
  /** the task failed (`se-error`) */
  failed(error: V1ClientError): void;
}

/** Polling fallback: first delay, growth, cap and overall limit (ms). */
const pollFirst = 500;
const pollMax = 2_000;
const pollLimit = 10 * 60_000;

/**
 * One run or submission at a time, as an abortable task: create it, then follow it through the
 * backend's pushed events, or by polling when the stream cannot be used. Starting another task or
 * `stop()` aborts the wait; disconnecting the host aborts everything.
 */
export class TaskController implements ReactiveController {
  phase: TaskPhase = 'idle';
  kind: SeTaskKind | null = null;
  id: string | null = null;
  status: StatusInfo | null = null;
  result: V1Result | null = null;
  error: V1ClientError | null = null;
  /** how the last task was followed: pushed events or polling */
  transport: 'events' | 'polling' | null = null;

  private abort: AbortController | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: TaskOptions,
  ) {
    host.addController(this);
  }

  get busy(): boolean {
    return this.phase === 'sending' || this.phase === 'waiting';
  }

  hostDisconnected(): void {
    this.abort?.abort();
    this.abort = null;
    if (this.busy) this.phase = 'stopped';
  }

  /** Stops waiting for the current task (the backend may still finish it). */
  stop(): void {
    if (!this.busy) return;
    this.abort?.abort();
    this.abort = null;
    this.phase = 'stopped';
    this.host.requestUpdate();
  }

  /**
   * The whole of a run or submission: asks the host, sends, follows, reports. Resolves to the
   * result, or null when vetoed, busy, stopped or failed.
   */
  async send(detail: SeBeforeSubmitDetail): Promise<V1Result | null> {
    if (this.busy) return null;
    if (!this.options.before(detail)) return null;
    const base = {
      compilerId: detail.compilerId,
      ...(detail.compilerVersionId !== undefined
        ? { compilerVersionId: detail.compilerVersionId }
        : {}),
      source: detail.source,
    };
    const body =
      detail.kind === 'run'
        ? { ...base, input: detail.input ?? '' }
        : { ...base, problemId: detail.problemId as number };
    const result = await this.start(detail.kind, body);
    if (result) this.options.finished(result);
    else if (this.phase === 'failed' && this.error) this.options.failed(this.error);
    return result;
  }

  /** Sends a task and follows it to its result; null when stopped or failed (see `error`). */
  async start(
    kind: SeTaskKind,
    body: CreateRunRequest | CreateSubmissionRequest,
  ): Promise<V1Result | null> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const { signal } = abort;
    this.phase = 'sending';
    this.result = null;
    this.kind = kind;
    this.id = null;
    this.status = null;
    this.error = null;
    this.transport = null;
    this.host.requestUpdate();
    try {
      const { id } = await this.withSession((token) =>
        this.options.client().create(token, kind, body, signal),
      );
      if (signal.aborted) return null;
      this.id = id;
      this.phase = 'waiting';
      this.host.requestUpdate();
      this.options.submitted(kind, id);
      const result = await this.follow(kind, id, signal);
      if (signal.aborted || !result) return null;
      this.result = result;
      this.status = result.result.status;
      this.phase = 'done';
      this.host.requestUpdate();
      return result;
    } catch (err) {
      if (signal.aborted) return null;
      this.error =
        err instanceof V1ClientError
          ? err
          : new V1ClientError('internal', err instanceof Error ? err.message : String(err));
      this.phase = 'failed';
      this.host.requestUpdate();
      return null;
    } finally {
      if (this.abort === abort) this.abort = null;
    }
  }

  /** Runs a request with the session token, renewing the session once when it is refused. */
  private async withSession<T>(call: (token: string) => Promise<T>): Promise<T> {
    const session = this.options.session;
    const token = await session.ensure();
    try {
      return await call(token);
    } catch (err) {
      if (
        err instanceof V1ClientError &&
        (err.code === 'token_expired' || err.code === 'unauthorized')
      )
        return call(await session.recover());
      throw err;
    }
  }

  private setStatus(kind: SeTaskKind, id: string, status: StatusInfo, executing: boolean): void {
    if (this.status?.code === status.code) return;
    this.status = status;
    this.host.requestUpdate();
    this.options.status({ kind, id, status, executing });
  }

  private async follow(
    kind: SeTaskKind,
    id: string,
    signal: AbortSignal,
  ): Promise<V1Result | null> {
    try {
      const token = await this.options.session.ensure();
      for await (const ev of this.options.client().events(token, kind, id, signal)) {
        this.transport = 'events';
        if (ev.type === 'status') this.setStatus(kind, id, ev.data.status, ev.data.executing);
        else return ev.data;
      }
    } catch (err) {
      if (signal.aborted) return null;
      // A refusal of the session is final; anything else (no stream support on the way, a
      // dropped connection) falls back to polling.
      if (
        err instanceof V1ClientError &&
        ['token_expired', 'forbidden', 'not_found'].includes(err.code)
      )
        throw err;
    }
    return this.poll(kind, id, signal);
  }

  private async poll(kind: SeTaskKind, id: string, signal: AbortSignal): Promise<V1Result | null> {
    this.transport = 'polling';
    const until = Date.now() + pollLimit;
    let delay = pollFirst;
    while (!signal.aborted) {
      const r = await this.withSession((token) =>
        this.options.client().get(token, kind, id, signal),
      );
      if (!r.executing) return r;
      this.setStatus(kind, id, r.result.status, true);
      if (Date.now() > until)
        throw new V1ClientError('upstream_timeout', 'No result after ten minutes.');
      await sleep(delay, signal);
      delay = Math.min(pollMax, Math.round(delay * 1.5));
    }
    return null;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
