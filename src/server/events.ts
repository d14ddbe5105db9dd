import type { ServerResponse } from 'node:http';
import type { V1Error, V1Result, V1StatusEvent } from '../shared/v1.js';
import { owned, read } from './api.js';
import type { Backend, Session } from './backend.js';
import { ApiError, fromUpstream, rateLimited } from './errors.js';
import { apiHeaders } from './http.js';
import type { ResultKind } from './ids.js';
import type { SubmissionUpdate } from './tracker.js';

/** Result streams one subject may hold open at once (each holds a connection). */
export const MAX_STREAMS_PER_SUBJECT = 8;

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
  const open = b.openStreams.get(session.owner) ?? 0;
  if (open >= MAX_STREAMS_PER_SUBJECT) {
    throw rateLimited(`At most ${MAX_STREAMS_PER_SUBJECT} result streams may be open at once.`, 5);
  }
  b.openStreams.set(session.owner, open + 1);
  let closed = false;
  let lastCode: number | null = null;
  let finishing = false;
  const cleanups: Array<() => void> = [
    () => {
      const n = (b.openStreams.get(session.owner) ?? 1) - 1;
      if (n > 0) b.openStreams.set(session.owner, n);
      else b.openStreams.delete(session.owner);
    },
  ];
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
  let retry: NodeJS.Timeout | null = null;
  const complete = async (delay = 100) => {
    if (finishing || closed) return;
    finishing = true;
    try {
      const { result } = await read(b, session, kind, upstreamId, id);
      if (!result.executing) return sendResult(result);
      // Told "finished" but read "executing": the push ran ahead of what the upstream serves.
      // Read again shortly, backing off to every 2 s.
      finishing = false;
      retry = setTimeout(() => void complete(Math.min(delay * 2, 2000)), delay);
    } catch (err) {
      sendError(err);
    }
  };
  cleanups.push(() => {
    if (retry) clearTimeout(retry);
  });

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
    if (!closed) {
      closed = true;
      cleanups.forEach((c) => c());
    }
    throw err;
  }
  if (closed) return; // the client left during the read
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
