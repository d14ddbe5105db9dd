import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LanguagesResponse, V1Language, V1Problem } from '../../shared/v1.js';
import type { SeErrorDetail } from '../events.js';
import { V1ClientError, type V1Client } from './api-client.js';
import type { SessionController } from './session-controller.js';

export type LoadState = 'idle' | 'loading' | 'ready' | 'error';

export interface LoadOptions {
  client(): V1Client;
  session: SessionController;
  /** the problem named by the attribute, the widget or the token (id or code) */
  problemRef(): number | string | null;
  /** the languages the picker may offer, of those the session allows */
  restrict(items: V1Language[], problem: V1Problem | null): V1Language[];
  /** the load succeeded (called before the state turns `ready` is rendered) */
  loaded(langs: LanguagesResponse, allowed: V1Language[], problem: V1Problem | null): void;
  /** the load failed; `text` replaces the message chosen from the code */
  failed(detail: SeErrorDetail, text?: string): void;
}

export function errorDetail(err: unknown): SeErrorDetail {
  if (err instanceof V1ClientError)
    return { code: err.code, message: err.message, status: err.status, details: err.details };
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

/**
 * Establishes the session and loads the languages, the problem and its (sanitized) statement, as
 * one abortable task: a newer load wins over an older one, disconnecting aborts it. `settled`
 * resolves when the current load has finished, however it ended.
 */
export class LoadController implements ReactiveController {
  state: LoadState = 'idle';
  available: V1Language[] = [];
  problem: V1Problem | null = null;
  statement: HTMLElement | null = null;
  noLanguages = false;

  private ticket = 0;
  private abort: AbortController | null = null;
  private current: Promise<void> = Promise.resolve();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: LoadOptions,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.abort?.abort();
    this.abort = null;
    if (this.state === 'loading') this.state = 'idle';
  }

  /** Resolves once the load in progress (if any) has ended. */
  get settled(): Promise<void> {
    return this.current;
  }

  /** Starts a load (replacing one in progress) and resolves when it has ended. */
  load(): Promise<void> {
    this.current = this.run();
    return this.current;
  }

  private async run(): Promise<void> {
    const ticket = ++this.ticket;
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.state = 'loading';
    this.host.requestUpdate();
    const { session } = this.options;
    if (!session.configured) {
      this.fail({ code: 'not_configured', message: 'Set the widget or token attribute.' });
      return;
    }
    try {
      const client = this.options.client();
      const fetchAll = async (t: string) => {
        const ref = this.options.problemRef();
        if (ref !== null)
          return Promise.all([
            client.languages(t, abort.signal),
            client.problem(t, ref, abort.signal),
          ]);
        // A host-signed token need not name the widget's problem: the languages answer
        // describes the session's widget, problem included.
        const langs = await client.languages(t, abort.signal);
        if (langs.widget) session.widget = langs.widget;
        const named = this.options.problemRef();
        return [
          langs,
          named !== null ? await client.problem(t, named, abort.signal) : null,
        ] as const;
      };
      let langs: LanguagesResponse;
      let problem: V1Problem | null;
      try {
        [langs, problem] = await fetchAll(await session.ensure());
      } catch (err) {
        if (!(
          err instanceof V1ClientError &&
          (err.code === 'token_expired' || err.code === 'unauthorized')
        ))
          throw err;
        // Renewed once when it can be (public widgets); otherwise the host is told, and the
        // refusal (expired, or not a valid token at all) is what the learner reads.
        let fresh: string;
        try {
          fresh = await session.recover();
        } catch {
          throw err;
        }
        [langs, problem] = await fetchAll(fresh);
      }
      // The sanitizer comes with the first problem (run-mode widgets never need it).
      const sanitizer = problem ? await import('./sanitize.js') : null;
      if (ticket !== this.ticket) return;
      this.problem = problem;
      this.statement = null;
      if (problem && sanitizer) {
        const node = document.createElement('div');
        node.className = 'statement-body';
        node.append(sanitizer.sanitizeStatement(problem.statement));
        this.statement = node;
      }
      const allowed = this.options.restrict(langs.items, problem);
      this.available = allowed;
      if (!allowed.length) {
        this.noLanguages = true;
        this.fail({ code: 'forbidden', message: 'No language is available.' });
        return;
      }
      this.noLanguages = false;
      this.state = 'ready';
      this.options.loaded(langs, allowed, problem);
      this.host.requestUpdate();
    } catch (err) {
      if (ticket !== this.ticket || abort.signal.aborted) return;
      this.fail(errorDetail(err));
    } finally {
      if (this.abort === abort) this.abort = null;
    }
  }

  private fail(detail: SeErrorDetail): void {
    this.state = 'error';
    this.host.requestUpdate();
    this.options.failed(detail);
  }
}
