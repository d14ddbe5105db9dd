/**
 * The client side of the signing backend's `/v1` API (`src/shared/v1.ts`). The session token
 * travels only in `Authorization: Bearer`, never in a URL.
 */
import type {
  CreateRunRequest,
  CreateSubmissionRequest,
  CreatedResponse,
  LanguagesResponse,
  SessionResponse,
  V1Error,
  V1ErrorDetails,
  V1Problem,
  V1Result,
  V1StatusEvent,
} from '../../shared/v1.js';
import type { SeTaskKind } from '../events.js';
import { readServerSentEvents } from './sse.js';

export type ClientErrorCode = V1Error['error']['code'] | 'network';

/** A refused or failed request: the backend's error code, or `network` when it was not reached. */
export class V1ClientError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly status?: number,
    readonly details: V1ErrorDetails = {},
  ) {
    super(message);
    this.name = 'V1ClientError';
  }
}

const paths: Record<SeTaskKind, string> = { run: 'runs', submission: 'submissions' };

/** What a result stream reports, in order: status changes, then the final result. */
export type TaskEvent =
  { type: 'status'; data: V1StatusEvent } | { type: 'result'; data: V1Result };

export class V1Client {
  /** @param backend the backend's base URL (origin, optionally with a path prefix) */
  constructor(readonly backend: string) {}

  protected url(path: string): string {
    return new URL(path.replace(/^\//, ''), this.backend.replace(/\/?$/, '/')).href;
  }

  protected async request<T>(
    method: string,
    path: string,
    token: string | null,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.url(path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new V1ClientError('network', err instanceof Error ? err.message : String(err));
    }
    if (!res.ok) throw await errorOf(res);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  createSession(widget: string, signal?: AbortSignal): Promise<SessionResponse> {
    return this.request('POST', '/v1/sessions', null, { widget }, signal);
  }

  refreshSession(token: string, signal?: AbortSignal): Promise<SessionResponse> {
    return this.request('POST', '/v1/sessions/refresh', token, {}, signal);
  }

  languages(token: string, signal?: AbortSignal): Promise<LanguagesResponse> {
    return this.request('GET', '/v1/languages', token, undefined, signal);
  }

  /** A problem by id, or by code where the backend accepts one. */
  problem(token: string, id: number | string, signal?: AbortSignal): Promise<V1Problem> {
    return this.request(
      'GET',
      `/v1/problems/${encodeURIComponent(String(id))}`,
      token,
      undefined,
      signal,
    );
  }

  create(
    token: string,
    kind: SeTaskKind,
    body: CreateRunRequest | CreateSubmissionRequest,
    signal?: AbortSignal,
  ): Promise<CreatedResponse> {
    return this.request('POST', `/v1/${paths[kind]}`, token, body, signal);
  }

  get(token: string, kind: SeTaskKind, id: string, signal?: AbortSignal): Promise<V1Result> {
    return this.request(
      'GET',
      `/v1/${paths[kind]}/${encodeURIComponent(id)}`,
      token,
      undefined,
      signal,
    );
  }

  /**
   * Follows a run or submission through its server-sent events, with fetch (EventSource cannot
   * send an Authorization header). Yields status changes and the final result; throws
   * `V1ClientError` when the stream cannot be opened or reports an error.
   */
  async *events(
    token: string,
    kind: SeTaskKind,
    id: string,
    signal: AbortSignal,
  ): AsyncGenerator<TaskEvent> {
    const path = `/v1/${paths[kind]}/${encodeURIComponent(id)}/events`;
    for await (const ev of this.eventStream(path, token, signal)) {
      if (ev.event === 'status') yield { type: 'status', data: ev.data as V1StatusEvent };
      else if (ev.event === 'result') {
        yield { type: 'result', data: ev.data as V1Result };
        return;
      }
    }
  }

  /**
   * The JSON events of a backend event stream at `path` (fetch: EventSource cannot send an
   * Authorization header), ended by an `error` event as a thrown `V1ClientError`; a stream that
   * cannot be opened or is not an event stream throws too.
   */
  protected async *eventStream(
    path: string,
    token: string,
    signal: AbortSignal,
  ): AsyncGenerator<{ event: string; data: unknown }> {
    let res: Response;
    try {
      res = await fetch(this.url(path), {
        headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` },
        signal,
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
        cache: 'no-store',
      });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new V1ClientError('network', err instanceof Error ? err.message : String(err));
    }
    if (!res.ok) throw await errorOf(res);
    if (!res.body || !/^text\/event-stream/i.test(res.headers.get('Content-Type') ?? ''))
      throw new V1ClientError('internal', 'The result stream is not an event stream.');
    for await (const ev of readServerSentEvents(res.body, signal)) {
      let data: unknown;
      try {
        data = JSON.parse(ev.data);
      } catch {
        continue;
      }
      if (ev.event === 'error') {
        const e = (data as Partial<V1Error>).error;
        throw new V1ClientError(e?.code ?? 'internal', e?.message ?? 'The result stream failed.');
      }
      yield { event: ev.event, data };
    }
  }
}

async function errorOf(res: Response): Promise<V1ClientError> {
  let code: ClientErrorCode = res.status === 401 ? 'unauthorized' : 'internal';
  let message = `HTTP ${res.status}`;
  let details: V1ErrorDetails = {};
  try {
    const body = (await res.json()) as Partial<V1Error>;
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
    if (body.error?.details && typeof body.error.details === 'object') details = body.error.details;
  } catch {
    // not JSON: keep the status line
  }
  const retry = Number(res.headers.get('Retry-After'));
  if (details.retryAfter === undefined && Number.isFinite(retry) && retry > 0)
    details = { ...details, retryAfter: retry };
  return new V1ClientError(code, message, res.status, details);
}
