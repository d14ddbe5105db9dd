import type { LimitsReport } from '../shared/sandbox-limits.js';
import type { IncomingMessage } from 'node:http';
import type { Compiler } from '../shared/compilers.js';
import type { Problem } from '../shared/problems.js';
import type { SessionAction, WidgetInfo } from '../shared/v1.js';
import {
  closeUpstream,
  createUpstream,
  type Endpoint,
  type ModuleName,
  scrubSecrets,
  type Upstream,
  UpstreamHttpError,
} from '../upstream/index.js';
import type { BackendConfig, WidgetConfig, WidgetLimits } from './config.js';
import { ApiError, forbidden, fromUpstream, rateLimited } from './errors.js';
import { bearer, clientIp } from './http.js';
import { IdSealer } from './ids.js';
import { type Allowance, RateLimiter } from './limits.js';
import { Origins } from './origins.js';
import { Results } from './results.js';
import {
  CLOCK_TOLERANCE_SECONDS,
  type KeyRing,
  parseSessionSecret,
  type SessionClaims,
  SessionError,
  type SessionScope,
  signWithRing,
  verifyWithRing,
} from './sessions.js';
import {
  type CompletionMode,
  type SubmissionEventSource,
  type SubmissionModule,
  type SubmissionUpdate,
  Tracker,
} from './tracker.js';

/**
 * Where the backend sends its calls. Given to `startServer()` or later to `setUpstream()` (the
 * CLI starts the embedded engine after the server, so the engine's webhook can point at it).
 */
export interface UpstreamLink {
  /** the modules' endpoints; a module left out answers 503 */
  endpoints: Partial<Record<ModuleName, Endpoint>>;
  /** modules served by the embedded engine (reported by /healthz) */
  embedded?: ModuleName[];
  /** HMAC secret of the webhooks the upstream sends to `/webhooks/sphere-engine` */
  webhookSecret?: string | null;
  /**
   * modules whose completion the upstream pushes (webhooks, in-process events); the others are
   * polled, never more often than every 2 s per submission
   */
  pushModules?: ModuleName[];
  /** in-process status events (the embedded engine) */
  events?: SubmissionEventSource;
  /** the embedded engine's sandbox self-test, reported by /healthz */
  sandbox?: () => { ok: boolean; problems: string[]; limits?: LimitsReport };
  timeoutMs?: number;
  retries?: number;
}

/** A verified session merged with its widget's configuration: what every call is checked against. */
export interface Session {
  claims: SessionClaims;
  widget: WidgetConfig;
  sub: string;
  /** rate-limit and ownership key: widget and subject */
  owner: string;
  problem: number | string | null;
  /** allowed compiler ids, or null for every compiler */
  compilers: number[] | null;
  actions: SessionAction[];
  limits: WidgetLimits;
}

const COMPILERS_TTL_MS = 60_000;
const VERIFIED_CACHE_SIZE = 10_000;
const PROBLEM_TTL_MS = 60_000;

/** The signing backend's state: keys, policy, upstream clients, push. */
export class Backend {
  readonly ring: KeyRing;
  readonly sealer: IdSealer;
  readonly limiter = new RateLimiter();
  readonly origins: Origins;
  readonly results = new Results();
  readonly tracker: Tracker;
  /** open result streams per owner */
  readonly openStreams = new Map<string, number>();
  upstream: Upstream = {};
  link: UpstreamLink = { endpoints: {} };
  private unsubscribe: (() => void) | null = null;
  private secrets: string[] = [];
  private readonly compilerCache = new Map<ModuleName, { at: number; items: Compiler[] }>();
  private readonly problemCache = new Map<string, { at: number; problem: Problem }>();
  private readonly rawLog: (line: string) => void;
  private readonly verified = new Map<string, SessionClaims>();

  constructor(
    readonly config: BackendConfig,
    sessionSecret: string,
    log: (line: string) => void,
  ) {
    this.rawLog = log;
    this.ring = parseSessionSecret(sessionSecret);
    this.secrets = sessionSecret.split(',').flatMap((p) => [p, p.slice(p.indexOf(':') + 1)]);
    this.sealer = new IdSealer(this.ring);
    this.origins = new Origins(config.widgets, config.publicUrl);
    this.tracker = new Tracker({
      poll: (module, ids) => this.poll(module, ids),
      mode: (module) => this.completionMode(module),
      onChange: (u) => this.results.invalidate(u.module, u.id),
      log: (line) => this.log(line),
    });
  }

  /** Logs one line with every access token, secret and `access_token=` value removed. */
  log(line: string): void {
    this.rawLog(scrubSecrets(line, this.secrets));
  }

  /** Points the backend at its upstream (replacing any previous one). */
  setUpstream(link: UpstreamLink): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.link = link;
    closeUpstream(this.upstream);
    this.upstream = createUpstream(link.endpoints, {
      timeoutMs: link.timeoutMs ?? this.config.upstream.timeoutMs,
      retries: link.retries ?? this.config.upstream.retries,
    });
    this.secrets = [
      ...this.secrets,
      ...Object.values(link.endpoints).map((e) => e.token),
      ...(link.webhookSecret ? [link.webhookSecret] : []),
    ];
    this.compilerCache.clear();
    this.problemCache.clear();
    if (link.events) {
      this.unsubscribe = link.events.subscribe((u) => this.tracker.update(u));
    }
  }

  completionMode(module: SubmissionModule): CompletionMode {
    return this.link.pushModules?.includes(module) ? 'push' : 'poll';
  }

  close(): void {
    this.unsubscribe?.();
    this.tracker.close();
    closeUpstream(this.upstream);
  }

  // --- sessions -------------------------------------------------------------------------------

  /** Verifies the request's bearer token and merges it with the widget's configuration (401/403). */
  async session(req: IncomingMessage): Promise<Session> {
    const token = bearer(req);
    if (!token) {
      throw new ApiError(
        401,
        'unauthorized',
        'Send the session token as "Authorization: Bearer <token>".',
      );
    }
    let claims: SessionClaims;
    try {
      claims = await this.verify(token);
    } catch (err) {
      if (err instanceof SessionError) {
        throw new ApiError(
          401,
          err.expired ? 'token_expired' : 'unauthorized',
          capitalize(err.message) + '.',
          {},
          err.expired ? {} : { reason: 'invalid_token' },
        );
      }
      throw err;
    }
    const widget = this.config.widgets.get(claims.scope.widget);
    if (!widget)
      throw forbidden(`The session's widget '${claims.scope.widget}' is not configured here.`);
    const scope = claims.scope;
    let problem = widget.problem ?? scope.problem ?? null;
    if (
      widget.problem !== null &&
      scope.problem != null &&
      String(scope.problem) !== String(widget.problem)
    ) {
      const [a, b] = await Promise.all([
        this.problemId(widget.problem),
        this.problemId(scope.problem),
      ]);
      if (a !== b) throw forbidden("The session's problem is not the widget's problem.");
      problem = widget.problem;
    }
    let compilers = widget.compilers;
    if (scope.compilers) {
      compilers = compilers
        ? compilers.filter((c) => scope.compilers!.includes(c))
        : [...scope.compilers];
    }
    const limits = { ...widget.limits };
    const l = scope.limits ?? {};
    if (l.sourceBytes) limits.sourceBytes = Math.min(limits.sourceBytes, l.sourceBytes);
    if (l.inputBytes) limits.inputBytes = Math.min(limits.inputBytes, l.inputBytes);
    if (l.concurrentRuns) limits.concurrentRuns = Math.min(limits.concurrentRuns, l.concurrentRuns);
    if (l.runsPerMinute) {
      limits.runsPerMinute = {
        ...limits.runsPerMinute,
        subject: Math.min(limits.runsPerMinute.subject, l.runsPerMinute),
      };
    }
    if (l.submissionsPerMinute) {
      limits.submissionsPerMinute = {
        ...limits.submissionsPerMinute,
        subject: Math.min(limits.submissionsPerMinute.subject, l.submissionsPerMinute),
      };
    }
    return {
      claims,
      widget,
      sub: claims.sub,
      owner: `${widget.id}\u0000${claims.sub}`,
      problem,
      compilers,
      actions: scope.actions.filter((a) => widget.actions.includes(a)),
      limits,
    };
  }

  /**
   * Verifies a token, remembering the answer until the token expires: a page polling with the same
   * token costs one HMAC, not one per request. Only expiry depends on time, so it is checked again.
   */
  private async verify(token: string): Promise<SessionClaims> {
    const hit = this.verified.get(token);
    if (hit && Date.now() / 1000 <= hit.exp + CLOCK_TOLERANCE_SECONDS) return hit;
    this.verified.delete(token);
    const claims = await verifyWithRing(this.ring, token, this.config.sessions);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(token, claims);
    return claims;
  }

  /** Signs a token for `sub` with `scope` and describes it for the page. */
  async mint(
    sub: string,
    scope: SessionScope,
    widget: WidgetConfig,
    ttlSeconds: number,
    origIat?: number,
  ): Promise<{ token: string; expiresAt: string; claims: SessionClaims }> {
    const { token, claims } = await signWithRing(this.ring, {
      sub,
      scope,
      ttlSeconds,
      origIat,
      issuer: this.config.sessions.issuer,
      audience: this.config.sessions.audience,
    });
    return { token, expiresAt: new Date(claims.exp * 1000).toISOString(), claims };
  }

  /** The public description of the session's widget. */
  async widgetInfo(
    session: Pick<Session, 'widget' | 'problem' | 'compilers' | 'actions'>,
  ): Promise<WidgetInfo> {
    const { widget } = session;
    const problemId = session.problem === null ? null : await this.problemId(session.problem);
    const allowed = (id: number) => session.compilers === null || session.compilers.includes(id);
    return {
      id: widget.id,
      mode: widget.mode,
      problemId,
      compilers: session.compilers ?? [],
      defaultCompilerId:
        widget.defaultCompiler !== null && allowed(widget.defaultCompiler)
          ? widget.defaultCompiler
          : null,
      display: { ...widget.display },
      actions: session.actions,
    };
  }

  /** Refuses a request whose Origin the session's widget does not list (403). */
  checkOrigin(req: IncomingMessage, widget: WidgetConfig): void {
    const origin = req.headers.origin;
    if (origin !== undefined && !this.origins.allows(widget, origin, req)) {
      throw new ApiError(
        403,
        'origin_not_allowed',
        `This page's origin (${origin}) is not in the origins of widget '${widget.id}'.`,
        {},
        { widget: widget.id, origin },
      );
    }
  }

  requireAction(session: Session, action: SessionAction): void {
    if (!session.actions.includes(action)) {
      throw forbidden(
        `This session may not ${action === 'submit' ? 'submit solutions' : 'run code'}.`,
      );
    }
  }

  /** Takes from each allowance or answers 429 with Retry-After. */
  rateLimit(allowances: Allowance[], what: string): void {
    const wait = this.limiter.take(allowances);
    if (wait > 0) throw rateLimited(`Too many ${what}; try again in ${wait} s.`, wait);
  }

  ip(req: IncomingMessage): string {
    return clientIp(req, this.config.trustProxy);
  }

  // --- upstream helpers ------------------------------------------------------------------------

  module<M extends ModuleName>(name: M): NonNullable<Upstream[M]> {
    const client = this.upstream[name];
    if (!client) {
      const title = name[0]!.toUpperCase() + name.slice(1);
      throw new ApiError(
        503,
        'upstream_unavailable',
        `The ${title} module is not configured on this backend.`,
      );
    }
    return client as NonNullable<Upstream[M]>;
  }

  /** A module's compilers (cached for a minute). */
  async compilers(module: 'compilers' | 'problems'): Promise<Compiler[]> {
    const hit = this.compilerCache.get(module);
    if (hit && Date.now() - hit.at < COMPILERS_TTL_MS) return hit.items;
    try {
      const { items } = await this.module(module).compilers();
      this.compilerCache.set(module, { at: Date.now(), items });
      return items;
    } catch (err) {
      throw fromUpstream(err);
    }
  }

  /** A problem by id or code (cached for a minute). */
  async problem(ref: number | string): Promise<Problem> {
    const key = String(ref);
    const hit = this.problemCache.get(key);
    if (hit && Date.now() - hit.at < PROBLEM_TTL_MS) return hit.problem;
    let problem: Problem;
    try {
      problem = await this.module('problems').problem(ref);
    } catch (err) {
      if (err instanceof UpstreamHttpError && err.status === 404) {
        throw new ApiError(502, 'upstream_error', `The problem '${key}' does not exist upstream.`);
      }
      throw fromUpstream(err);
    }
    const entry = { at: Date.now(), problem };
    this.problemCache.set(key, entry);
    this.problemCache.set(String(problem.id), entry);
    if (problem.code) this.problemCache.set(problem.code, entry);
    return problem;
  }

  /** The numeric id of a problem given by id or code. */
  async problemId(ref: number | string): Promise<number> {
    if (typeof ref === 'number') return ref;
    if (/^[1-9]\d{0,15}$/.test(ref)) return Number(ref);
    return (await this.problem(ref)).id;
  }

  private async poll(module: SubmissionModule, ids: number[]): Promise<SubmissionUpdate[]> {
    const { items } = await this.module(module).submissions(ids);
    return items.map((s) => ({
      module,
      id: s.id,
      executing: s.executing,
      status: { code: s.result.status.code, name: s.result.status.name },
    }));
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
