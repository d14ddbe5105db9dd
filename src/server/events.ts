import type { ServerResponse } from 'node:http';
import type { V1Error, V1Result, V1StatusEvent } from '../shared/v1.js';
import { owned, read } from './api.js';
import type { Backend, Session } from './backend.js';
import { ApiError, fromUpstream } from './errors.js';
import { apiHeaders } from './http.js';
import type { ResultKind } from './ids.js';
import type { SubmissionUpdate } from './tracker.js';

export interface EventStreamOptions {
  /** interval of the `: heartbeat` comments that keep proxies from closing an idle stream */
  heartbeatMs: number;
  /** the stream gives up (with an `error` event) after this long */
  maxMs: number;
}

/**
 * `GET /v1/runs/:id/events` and `GET /v1/submissions/:id/events`: `status` on each change, then
 * `result` once final, then the end of the stream. Changes come from the tracker, which hears them
 * from in-process events, webhooks or polling: whichever tells first.
 */
export async function eventStream(
  b: Backend,
  session: Session,
  kind: ResultKind,
  id: string,
  res: ServerResponse,
  cors: Record<string, string>,
  options: EventStreamOptions,
): Promise<void> {
  const upstreamId = owned(b, session, kind, id);
  const module = kind === 'run' ? 'compilers' : 'problems';
  let closed = false;
  let lastCode: number | null = null;
  let finishing = false;
  const cleanups: Array<() => void> = [];
  const finish = () => {
    if (closed) return;
    closed = true;
    cleanups.forEach((c) => c());
    res.end();
  };
  const send = (event: string, data: unknown) => {
    if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const sendStatus = (executing: boolean, status: { code: number; name: string }) => {
    if (status.code === lastCode) return;
    lastCode = status.code;
    const event: V1StatusEvent = {
      id,
      executing,
      status: { code: status.code, name: status.name },
    };
    send('status', event);
  };
  const sendError = (err: unknown) => {
    const e = err instanceof ApiError ? err : fromUpstream(err);
    const body: V1Error = { error: { code: e.code, message: e.message } };
    send('error', body);
    finish();
  };
  const sendResult = (result: V1Result) => {
    sendStatus(false, result.result.status);
    send('result', result);
    finish();
  };
  const complete = async () => {
    if (finishing) return;
    finishing = true;
    try {
      const { result } = await read(b, session, kind, upstreamId, id);
      if (!result.executing) sendResult(result);
      else finishing = false; // the push ran ahead of the read model: wait for the next one
    } catch (err) {
      sendError(err);
    }
  };

  // Subscribe before reading, so a change between the read and the subscription is not lost.
  const queued: SubmissionUpdate[] = [];
  let ready = false;
  const onUpdate = (u: SubmissionUpdate) => {
    if (!ready) {
      queued.push(u);
      return;
    }
    if (u.executing) sendStatus(true, u.status);
    else void complete();
  };
  cleanups.push(b.tracker.watch(module, upstreamId, session.owner, onUpdate));
  // The response's 'close' tells of a client that went away (the request's may come earlier).
  res.on('close', finish);
  cleanups.push(() => res.off('close', finish));

  let first;
  try {
    first = await read(b, session, kind, upstreamId, id);
  } catch (err) {
    cleanups.forEach((c) => c());
    throw err;
  }
  res.writeHead(200, {
    ...apiHeaders,
    ...cors,
    'Content-Type': 'text/event-stream; charset=utf-8',
    'X-Accel-Buffering': 'no',
    Connection: 'keep-alive',
  });
  res.flushHeaders();
  if (!first.result.executing) {
    sendResult(first.result);
    return;
  }
  sendStatus(true, first.result.result.status);
  ready = true;
  for (const u of queued.splice(0)) onUpdate(u);

  const heartbeat = setInterval(() => {
    if (!closed) res.write(': heartbeat\n\n');
  }, options.heartbeatMs);
  heartbeat.unref();
  const deadline = setTimeout(() => {
    sendError(
      new ApiError(
        504,
        'upstream_timeout',
        `No result after ${Math.round(options.maxMs / 1000)} s.`,
      ),
    );
  }, options.maxMs);
  deadline.unref();
  cleanups.push(
    () => clearInterval(heartbeat),
    () => clearTimeout(deadline),
  );
}
