import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as v from 'valibot';
import { compilerItem } from '../shared/compiler-item.js';
import {
  CreateRunBody,
  CreateSessionBody,
  CreateSubmissionBody,
  type CreatedResponse,
  type LanguagesResponse,
  type SessionResponse,
  type V1Language,
  type V1Problem,
} from '../shared/v1.js';
import type { Backend, Session } from './backend.js';
import { findWidget, type PerMinute, type WidgetConfig } from './config.js';
import {
  ApiError,
  badRequest,
  forbidden,
  fromUpstream,
  notFound,
  rateLimited,
  tooLarge,
} from './errors.js';
import { parseBody, readJson, sendJson } from './http.js';
import type { ResultKind } from './ids.js';
import type { ReadResult } from './results.js';
import { checkSdkSignature, CUSTOM_DATA_MAX } from './sdk-signature.js';

/** The largest sample input offered to "Run with input" (a larger one is not a sample). */
const SAMPLE_BYTES = 16 * 1024;

/** Room for JSON syntax and escapes around the source and input in a request body. */
const bodyRoom = (bytes: number) => bytes * 2 + 4096;

function checkCompiler(session: Session, compilerId: number): void {
  if (session.compilers !== null && !session.compilers.includes(compilerId)) {
    throw forbidden(`Compiler ${compilerId} is not allowed in this session.`);
  }
}

/** `POST /v1/sessions`: an anonymous session for a public widget. */
export async function createSession(
  b: Backend,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { widget: id } = parseBody(CreateSessionBody, await readJson(req, 4096));
  const widget = b.config.widgets.get(id);
  if (!widget)
    throw new ApiError(
      404,
      'not_found',
      `There is no widget '${id}'.`,
      {},
      {
        widget: id,
        reason: 'no_widget',
      },
    );
  b.checkOrigin(req, widget);
  if (!widget.public) {
    throw new ApiError(
      403,
      'forbidden',
      `Widget '${id}' is not public: the host's server signs its sessions.`,
      {},
      { widget: id, reason: 'not_public' },
    );
  }
  b.rateLimit(
    [{ key: `session:ip:${b.ip(req)}`, perMinute: b.config.sessions.perMinute.ip }],
    'new sessions',
  );
  await issueSession(b, res, `anon:${randomBytes(12).toString('base64url')}`, widget);
}

/** Mints a session of `widget`'s whole scope for `sub` and answers it (201). */
async function issueSession(
  b: Backend,
  res: ServerResponse,
  sub: string,
  widget: WidgetConfig,
): Promise<void> {
  const scope = {
    widget: widget.id,
    problem: widget.problem,
    compilers: widget.compilers,
    actions: widget.actions,
  };
  // Resolve the problem first: a session that cannot load its problem is of no use.
  const info = await b.widgetInfo({ ...scope, widget });
  const minted = await b.mint(sub, scope, widget, b.config.sessions.ttlSeconds);
  const answer: SessionResponse = {
    token: minted.token,
    expiresAt: minted.expiresAt,
    widget: info,
  };
  sendJson(res, 201, answer);
}

const sdkText = (max: number) => v.optional(v.pipe(v.string(), v.maxLength(max)), '');
const SdkSessionBody = v.strictObject({
  widget: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
  id: sdkText(256),
  userId: sdkText(256),
  customData: sdkText(CUSTOM_DATA_MAX),
  nonce: v.pipe(v.string(), v.maxLength(160)),
  signature: v.pipe(v.string(), v.maxLength(100)),
});

/**
 * `POST /v1/sdk/sessions`: a session for a placeholder of a page written for the hosted JS SDK,
 * signed by the host's server (`data-signature`, `data-nonce`; see `sdk-signature.ts`). The
 * session's subject is the placeholder's `data-user-id`.
 */
export async function createSdkSession(
  b: Backend,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const raw = await readJson(req, 4096);
  const parsed = v.safeParse(SdkSessionBody, raw);
  if (!parsed.success)
    throw badRequest('The body must be {widget, id?, userId?, customData?, nonce, signature}.');
  const body = parsed.output;
  const widget = findWidget(b.config, body.widget);
  if (!widget)
    throw new ApiError(
      404,
      'not_found',
      `There is no widget '${body.widget}'.`,
      {},
      {
        widget: body.widget,
        reason: 'no_widget',
      },
    );
  b.checkOrigin(req, widget);
  b.rateLimit(
    [{ key: `session:ip:${b.ip(req)}`, perMinute: b.config.sessions.perMinute.ip }],
    'new sessions',
  );
  const check = checkSdkSignature(b.ring, body, body.nonce, body.signature);
  if (!check.ok) {
    throw check.reason === 'expired'
      ? new ApiError(401, 'token_expired', 'The widget’s signature has expired: sign it again.')
      : new ApiError(401, 'unauthorized', 'The widget’s signature is not valid.');
  }
  const sub = body.userId ? `sdk:${body.userId}` : `anon:${randomBytes(12).toString('base64url')}`;
  await issueSession(b, res, sub, widget);
}

/** `POST /v1/sessions/refresh`: a new token for the same session, before the current one expires. */
export async function refreshSession(
  b: Backend,
  session: Session,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { claims, widget } = session;
  b.rateLimit(
    [
      { key: `session:sub:${session.owner}`, perMinute: b.config.sessions.perMinute.subject },
      { key: `session:ip:${b.ip(req)}`, perMinute: b.config.sessions.perMinute.ip },
    ],
    'session refreshes',
  );
  const now = Math.floor(Date.now() / 1000);
  if (now - claims.origIat > b.config.sessions.maxLifetimeSeconds) {
    throw new ApiError(
      401,
      'token_expired',
      'The session has reached its maximum lifetime; start a new one.',
    );
  }
  const ttl = Math.min(claims.exp - claims.iat, 900);
  const minted = await b.mint(claims.sub, claims.scope, widget, ttl, claims.origIat);
  const answer: SessionResponse = {
    token: minted.token,
    expiresAt: minted.expiresAt,
    widget: await b.widgetInfo(session),
  };
  sendJson(res, 200, answer);
}

/** `GET /v1/languages` */
export async function languages(b: Backend, session: Session, res: ServerResponse): Promise<void> {
  const all = await b.compilers(session.widget.mode === 'problem' ? 'problems' : 'compilers');
  const items: V1Language[] = all
    .filter((c) => session.compilers === null || session.compilers.includes(c.id))
    .map(compilerItem);
  const info = await b.widgetInfo(session);
  const answer: LanguagesResponse = {
    items,
    defaultId:
      info.defaultCompilerId !== null && items.some((c) => c.id === info.defaultCompilerId)
        ? info.defaultCompilerId
        : null,
    widget: info,
  };
  sendJson(res, 200, answer);
}

/** `GET /v1/problems/:id` */
export async function problem(
  b: Backend,
  session: Session,
  ref: string,
  res: ServerResponse,
): Promise<void> {
  if (session.problem === null) throw forbidden('This session has no problem.');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(ref)) throw notFound('No such problem.');
  const [mine, asked] = await Promise.all([b.problemId(session.problem), b.problemId(ref)]);
  if (mine !== asked) throw forbidden('This session may not open that problem.');
  const p = await b.problem(mine);
  const languages = session.compilers ?? (await b.compilers('problems')).map((c) => c.id);
  // The first test case is the sample, unless the widget hides its test cases.
  const first = p.testcases.find((t) => t.active) ?? p.testcases[0];
  const sampleInput =
    session.widget.display.expectedVsGot && first
      ? await b
          .module('problems')
          .testcaseFile(p.id, first.number, 'input', SAMPLE_BYTES)
          .then((t) => (t.complete ? t.text : null))
          .catch(() => null)
      : null;
  const answer: V1Problem = {
    id: p.id,
    name: p.name,
    statement: p.body,
    type: { id: p.type.id, name: p.type.name },
    languages,
    display: { ...session.widget.display },
    sampleInput,
  };
  sendJson(res, 200, answer);
}

function checkSizes(session: Session, source: string, input: string | undefined): void {
  const sourceBytes = Buffer.byteLength(source);
  if (sourceBytes > session.limits.sourceBytes) {
    throw tooLarge(
      `The source is ${sourceBytes} bytes; this widget accepts ${session.limits.sourceBytes}.`,
      { what: 'source', size: sourceBytes, limit: session.limits.sourceBytes },
    );
  }
  const inputBytes = input === undefined ? 0 : Buffer.byteLength(input);
  if (inputBytes > session.limits.inputBytes) {
    throw tooLarge(
      `The input is ${inputBytes} bytes; this widget accepts ${session.limits.inputBytes}.`,
      { what: 'input', size: inputBytes, limit: session.limits.inputBytes },
    );
  }
}

function checkConcurrency(b: Backend, session: Session): void {
  if (b.tracker.active(session.owner) >= session.limits.concurrentRuns) {
    throw rateLimited(
      `At most ${session.limits.concurrentRuns} runs may execute at once; wait for one to finish.`,
      2,
    );
  }
}

/** The per-minute allowance of `action`, per subject and per client IP (429 past it). */
function limitPerMinute(
  b: Backend,
  session: Session,
  req: IncomingMessage,
  action: 'run' | 'submit',
  per: PerMinute,
  what: string,
): void {
  b.rateLimit(
    [
      { key: `${action}:sub:${session.owner}`, perMinute: per.subject },
      { key: `${action}:ip:${b.ip(req)}`, perMinute: per.ip },
    ],
    what,
  );
}

/** `POST /v1/runs` */
export async function createRun(
  b: Backend,
  session: Session,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  b.requireAction(session, 'run');
  const { compilerId, compilerVersionId, source, input } = parseBody(
    CreateRunBody,
    await readJson(req, bodyRoom(session.limits.sourceBytes + session.limits.inputBytes)),
  );
  checkCompiler(session, compilerId);
  checkSizes(session, source, input);
  checkConcurrency(b, session);
  limitPerMinute(b, session, req, 'run', session.limits.runsPerMinute, 'runs');
  const client = b.module('compilers');
  const answer = await created(b, session, 'run', () =>
    client.createSubmission({
      compilerId,
      compilerVersionId,
      source,
      input: input ?? '',
      ...(session.limits.timeLimitSec !== null ? { timeLimit: session.limits.timeLimitSec } : {}),
    }),
  );
  b.log(`se-widgets: run created (widget ${session.widget.id}, compiler ${compilerId})`);
  sendJson(res, 201, answer);
}

/**
 * Sends the upstream's create call, tracks the new submission for the session's owner and
 * answers its opaque id (an upstream failure becomes the backend's error).
 */
async function created(
  b: Backend,
  session: Session,
  kind: ResultKind,
  create: () => Promise<{ id: number }>,
): Promise<CreatedResponse> {
  let id: number;
  try {
    ({ id } = await create());
  } catch (err) {
    throw fromUpstream(err);
  }
  b.tracker.track(kind === 'run' ? 'compilers' : 'problems', id, session.owner);
  return {
    id: b.sealer.seal({ kind, upstreamId: id, widget: session.widget.id, sub: session.sub }),
  };
}

/** `POST /v1/submissions` */
export async function createSubmission(
  b: Backend,
  session: Session,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  b.requireAction(session, 'submit');
  if (session.problem === null) throw forbidden('This session has no problem.');
  const {
    problemId: asked,
    compilerId,
    compilerVersionId,
    source,
  } = parseBody(CreateSubmissionBody, await readJson(req, bodyRoom(session.limits.sourceBytes)));
  checkCompiler(session, compilerId);
  const [mine, theirs] = await Promise.all([b.problemId(session.problem), b.problemId(asked)]);
  if (mine !== theirs) throw forbidden('This session may not submit to that problem.');
  checkSizes(session, source, undefined);
  checkConcurrency(b, session);
  limitPerMinute(b, session, req, 'submit', session.limits.submissionsPerMinute, 'submissions');
  const client = b.module('problems');
  const answer = await created(b, session, 'submission', () =>
    client.createSubmission({ problemId: mine, compilerId, compilerVersionId, source }),
  );
  b.log(`se-widgets: submission created (widget ${session.widget.id}, compiler ${compilerId})`);
  sendJson(res, 201, answer);
}

/** Opens an opaque id and checks it belongs to the session (404 when not ours, 403 when another's). */
export function owned(b: Backend, session: Session, kind: ResultKind, id: string): number {
  const ref = b.sealer.open(id, kind);
  if (!ref) throw notFound(`No such ${kind}.`);
  if (ref.sub !== session.sub || ref.widget !== session.widget.id) {
    throw forbidden(`This ${kind} belongs to another session.`);
  }
  return ref.upstreamId;
}

/** Reads a run or submission for the page, and tells the tracker what it saw. */
export async function read(
  b: Backend,
  session: Session,
  kind: ResultKind,
  upstreamId: number,
  publicId: string,
): Promise<ReadResult> {
  let out: ReadResult;
  try {
    const client = kind === 'run' ? b.module('compilers') : b.module('problems');
    out = await b.results.read(
      kind,
      client,
      upstreamId,
      publicId,
      session.widget,
      session.limits.streamBytes,
    );
  } catch (err) {
    throw fromUpstream(err, kind === 'run' ? 'The run' : 'The submission');
  }
  b.tracker.update(out.update, true);
  return out;
}

/** `GET /v1/runs/:id` and `GET /v1/submissions/:id` */
export async function getResult(
  b: Backend,
  session: Session,
  kind: ResultKind,
  id: string,
  res: ServerResponse,
): Promise<void> {
  const upstreamId = owned(b, session, kind, id);
  const { result } = await read(b, session, kind, upstreamId, id);
  sendJson(res, 200, result);
}
