import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { WidgetInfo } from '../../shared/v1.js';
import type { SeTokenExpiredDetail } from '../events.js';
import { V1ClientError, type V1Client } from './api-client.js';

/** What a session token's payload says, read without verifying (the backend verifies). */
export interface TokenClaims {
  exp: number | null;
  /** problem id or code named by the scope */
  problem: number | string | null;
  widget: string | null;
}

/** Reads a JWT's payload; empty claims when the token is not a readable JWT. */
export function readClaims(token: string): TokenClaims {
  const none: TokenClaims = { exp: null, problem: null, widget: null };
  const part = token.split('.')[1];
  if (!part) return none;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    const payload = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    const scope = (payload.scope ?? payload.scp ?? {}) as Record<string, unknown>;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    const str = (v: unknown) => (typeof v === 'string' ? v : null);
    return {
      exp: num(payload.exp),
      problem: num(scope.problem) ?? str(scope.problem),
      widget: str(scope.widget) ?? str(payload.widget),
    };
  } catch {
    return none;
  }
}

export type SessionState = 'none' | 'connecting' | 'ready' | 'expired' | 'error';

export interface SessionOptions {
  client(): V1Client;
  /** fired when the token is about to end, or has ended, and could not be renewed */
  expired(detail: SeTokenExpiredDetail): void;
}

/**
 * Sessions of public widgets, shared by the elements of a page: a widget mounted again (a host
 * app navigating back) reuses a session that still has time instead of minting another.
 */
const publicSessions = new Map<string, { token: string; expiresAt: string; widget: WidgetInfo }>();

/**
 * Offers a public widget's session kept by the page (`<se-workspace>` keeps its own across a
 * reload, so the learner finds the same workspace); used while it has time left.
 */
export function rememberPublicSession(
  backend: string,
  widget: string,
  session: { token: string; expiresAt: string; widget: WidgetInfo },
): void {
  const key = `${backend}|${widget}`;
  const known = publicSessions.get(key);
  if (!known || Date.parse(known.expiresAt) < Date.parse(session.expiresAt))
    publicSessions.set(key, session);
}

/** How long before expiry a session is renewed, and the host warned. */
const renewAhead = 60_000;
/** How long the host has to answer `se-token-expired` before the backend refresh is tried. */
const hostGrace = 45_000;
/** Never renew more often than this (protects against clock skew loops). */
const minDelay = 5_000;

/**
 * Holds the session of an element: a host-minted token, or one asked for a public widget. Renews
 * it before it ends; timers and requests die with the host.
 */
export class SessionController implements ReactiveController {
  state: SessionState = 'none';
  token: string | null = null;
  /** epoch ms */
  expiresAt: number | null = null;
  widget: WidgetInfo | null = null;
  /** the problem (id or code) the token's scope names, if any */
  claimedProblem: number | string | null = null;

  private widgetId: string | null = null;
  private hostToken: string | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private abort = new AbortController();
  private pending: Promise<string> | null = null;
  private warned = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: SessionOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.abort = new AbortController();
    if (this.token) this.schedule();
  }

  hostDisconnected(): void {
    this.abort.abort();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = null;
  }

  /** Sets where the session comes from; a new host token replaces the current one at once. */
  configure(widget: string | null, hostToken: string | null): void {
    const tokenChanged = hostToken !== this.hostToken;
    const widgetChanged = widget !== this.widgetId;
    this.widgetId = widget;
    this.hostToken = hostToken;
    if (hostToken && tokenChanged) {
      this.adopt(hostToken, null);
    } else if (!hostToken && (tokenChanged || widgetChanged)) {
      this.token = null;
      this.expiresAt = null;
      this.state = 'none';
      clearTimeout(this.timer);
    }
  }

  get configured(): boolean {
    return Boolean(this.hostToken || this.widgetId);
  }

  /** A usable token: the current one, or a new one from the backend. */
  ensure(): Promise<string> {
    if (this.token && this.state === 'ready' && !this.isExpired())
      return Promise.resolve(this.token);
    if (this.pending) return this.pending;
    const p = this.obtain().finally(() => {
      if (this.pending === p) this.pending = null;
    });
    this.pending = p;
    return p;
  }

  /**
   * After the backend refused the token: renew once when possible (public widgets, or the
   * backend's refresh for a host token), otherwise tell the host. Resolves to a new token or throws.
   */
  async recover(): Promise<string> {
    const old = this.token;
    for (const [key, value] of publicSessions) if (value.token === old) publicSessions.delete(key);
    this.token = null;
    this.state = 'connecting';
    try {
      if (this.widgetId && !this.hostToken) return await this.ensure();
      throw new V1ClientError('token_expired', 'The session token was refused.', 401);
    } catch (err) {
      this.state = 'expired';
      this.token = old;
      this.options.expired({ reason: 'expired', expiresAt: this.expiryIso() });
      throw err;
    }
  }

  private isExpired(): boolean {
    return this.expiresAt !== null && Date.now() >= this.expiresAt;
  }

  private expiryIso(): string | null {
    return this.expiresAt === null ? null : new Date(this.expiresAt).toISOString();
  }

  private async obtain(): Promise<string> {
    const client = this.options.client();
    const signal = this.abort.signal;
    if (this.hostToken) {
      if (this.isExpired()) {
        this.state = 'expired';
        this.options.expired({ reason: 'expired', expiresAt: this.expiryIso() });
        throw new V1ClientError('token_expired', 'The session token has expired.', 401);
      }
      this.state = 'ready';
      return this.hostToken;
    }
    if (!this.widgetId)
      throw new V1ClientError('unauthorized', 'The widget has no session: set widget or token.');
    const key = `${client.backend}|${this.widgetId}`;
    const cached = publicSessions.get(key);
    if (cached && Date.parse(cached.expiresAt) - Date.now() > renewAhead + minDelay) {
      this.adopt(cached.token, cached.expiresAt, cached.widget);
      return cached.token;
    }
    this.state = 'connecting';
    try {
      const s = await client.createSession(this.widgetId, signal);
      publicSessions.set(key, { token: s.token, expiresAt: s.expiresAt, widget: s.widget });
      this.adopt(s.token, s.expiresAt, s.widget);
      return s.token;
    } catch (err) {
      if (!signal.aborted) this.state = 'error';
      throw err;
    }
  }

  private adopt(token: string, expiresAt: string | null, widget?: WidgetInfo): void {
    const claims = readClaims(token);
    this.token = token;
    const iso = expiresAt ? Date.parse(expiresAt) : NaN;
    this.expiresAt = Number.isFinite(iso) ? iso : claims.exp !== null ? claims.exp * 1000 : null;
    if (widget) this.widget = widget;
    this.claimedProblem = claims.problem;
    this.state = 'ready';
    this.warned = false;
    this.schedule();
    this.host.requestUpdate();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.expiresAt === null) return;
    const left = this.expiresAt - Date.now();
    if (this.hostToken && !this.warned) {
      this.timer = setTimeout(() => this.warnHost(), Math.max(0, left - renewAhead));
    } else {
      this.timer = setTimeout(() => void this.renew(), Math.max(minDelay, left - renewAhead));
    }
  }

  private warnHost(): void {
    this.warned = true;
    this.options.expired({ reason: 'expiring', expiresAt: this.expiryIso() });
    // The host may answer with a new token (configure() then replaces this timer); if it does
    // not, the backend's refresh is the fallback.
    const left = (this.expiresAt ?? Date.now()) - Date.now();
    this.timer = setTimeout(
      () => void this.renew(),
      Math.max(0, Math.min(hostGrace, left - 10_000)),
    );
  }

  private async renew(): Promise<void> {
    const token = this.token;
    if (!token) return;
    const client = this.options.client();
    const signal = this.abort.signal;
    try {
      const s = await client.refreshSession(token, signal);
      if (signal.aborted || this.token !== token) return;
      if (this.hostToken) this.hostToken = s.token;
      else if (this.widgetId) publicSessions.set(`${client.backend}|${this.widgetId}`, s);
      this.adopt(s.token, s.expiresAt, s.widget);
    } catch {
      if (signal.aborted || this.token !== token) return;
      if (this.widgetId && !this.hostToken) {
        try {
          const s = await client.createSession(this.widgetId, signal);
          publicSessions.set(`${client.backend}|${this.widgetId}`, s);
          if (!signal.aborted) this.adopt(s.token, s.expiresAt, s.widget);
          return;
        } catch {
          if (signal.aborted) return;
        }
      }
      if (!this.warned || !this.hostToken) {
        this.warned = true;
        this.options.expired({ reason: 'expiring', expiresAt: this.expiryIso() });
      }
      // Try again later while the token lasts; ensure() reports the expiry when it is used.
      const left = (this.expiresAt ?? 0) - Date.now();
      if (left > minDelay)
        this.timer = setTimeout(() => void this.renew(), Math.max(minDelay, left / 2));
    }
  }
}
