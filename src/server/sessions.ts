import { randomBytes, randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTHeaderParameters, type JWTPayload } from 'jose';
import type { SessionAction } from '../shared/v1.js';

/** One signing secret and its key id. */
export interface SessionKey {
  kid: string;
  secret: Uint8Array;
}

/**
 * The keys of `SE_SESSION_SECRET`: the first signs, all verify (so a secret can be rotated in:
 * add it second, deploy, move it first, deploy, drop the old one).
 */
export interface KeyRing {
  keys: SessionKey[];
}

/** Limits a host may set in a token; each can only tighten the widget's own. */
export interface ScopeLimits {
  sourceBytes?: number;
  inputBytes?: number;
  runsPerMinute?: number;
  submissionsPerMinute?: number;
  concurrentRuns?: number;
}

/** The `scope` claim of a session token. */
export interface SessionScope {
  widget: string;
  /** problem id or code (problem widgets); absent: the widget's */
  problem?: number | string | null;
  /** compiler ids; absent or null: every compiler the widget allows */
  compilers?: number[] | null;
  actions: SessionAction[];
  limits?: ScopeLimits;
}

/** A verified session token. */
export interface SessionClaims {
  sub: string;
  jti: string;
  iat: number;
  exp: number;
  /** when the session's first token was issued (refreshes keep it) */
  origIat: number;
  scope: SessionScope;
}

export const SESSION_TYP = 'se-session+jwt';
export const MAX_TTL_SECONDS = 900;
export const CLOCK_TOLERANCE_SECONDS = 30;
const MIN_SECRET_LENGTH = 32;
const KID = /^[A-Za-z0-9._-]{1,64}$/;

/** A session token that is missing, malformed, expired or not ours: answered with 401. */
export class SessionError extends Error {
  override name = 'SessionError';
  constructor(
    message: string,
    readonly expired = false,
  ) {
    super(message);
  }
}

/**
 * Parses `SE_SESSION_SECRET`: either one secret (key id `default`), or a comma-separated list of
 * `kid:secret` pairs. Each secret must be at least 32 characters.
 */
export function parseSessionSecret(value: string): KeyRing {
  const text = value.trim();
  if (text === '') throw new Error('SE_SESSION_SECRET is empty');
  const parts = text.split(',').map((p) => p.trim());
  const isRing = parts.every((p) => {
    const i = p.indexOf(':');
    return i > 0 && KID.test(p.slice(0, i));
  });
  const pairs = isRing
    ? parts.map((p) => [p.slice(0, p.indexOf(':')), p.slice(p.indexOf(':') + 1)] as const)
    : ([['default', text]] as const);
  const keys: SessionKey[] = [];
  for (const [kid, secret] of pairs) {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new Error(
        `SE_SESSION_SECRET: the secret of key '${kid}' is shorter than ${MIN_SECRET_LENGTH} characters`,
      );
    }
    if (keys.some((k) => k.kid === kid)) {
      throw new Error(`SE_SESSION_SECRET: key id '${kid}' appears twice`);
    }
    keys.push({ kid, secret: new TextEncoder().encode(secret) });
  }
  return { keys };
}

/** A fresh random secret (for a backend started without `SE_SESSION_SECRET`). */
export function randomSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

export interface SignOptions {
  sub: string;
  scope: SessionScope;
  /** token lifetime, at most 900 seconds (default 600) */
  ttlSeconds?: number;
  issuer: string;
  audience: string;
  /** keep the first issue time across refreshes */
  origIat?: number;
}

/** Signs a session token with the ring's first key. */
export async function signWithRing(
  ring: KeyRing,
  options: SignOptions,
): Promise<{ token: string; claims: SessionClaims }> {
  const ttl = options.ttlSeconds ?? 600;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
    throw new Error(`the token lifetime must be 1 to ${MAX_TTL_SECONDS} seconds`);
  }
  if (!options.sub || options.sub.length > 256) {
    throw new Error('the subject must be 1 to 256 characters');
  }
  const key = ring.keys[0];
  if (!key) throw new Error('no session key');
  const iat = Math.floor(Date.now() / 1000);
  const claims: SessionClaims = {
    sub: options.sub,
    jti: randomUUID(),
    iat,
    exp: iat + ttl,
    origIat: options.origIat ?? iat,
    scope: options.scope,
  };
  const token = await new SignJWT({ scope: claims.scope, orig_iat: claims.origIat })
    .setProtectedHeader({ alg: 'HS256', typ: SESSION_TYP, kid: key.kid })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(claims.sub)
    .setJti(claims.jti)
    .setIssuedAt(iat)
    .setExpirationTime(claims.exp)
    .sign(key.secret);
  return { token, claims };
}

function keyFor(ring: KeyRing, header: JWTHeaderParameters): Uint8Array {
  if (header.kid === undefined) {
    // Only an unambiguous ring may accept a token without a key id.
    if (ring.keys.length === 1) return ring.keys[0]!.secret;
    throw new SessionError('the session token has no key id (kid)');
  }
  const key = ring.keys.find((k) => k.kid === header.kid);
  if (!key) throw new SessionError('the session token was signed with an unknown key id');
  return key.secret;
}

/**
 * Verifies a session token: HS256 only (whatever the header says), the expected `typ`, `iss`,
 * `aud`, a lifetime of at most 15 minutes, 30 seconds of clock tolerance, and a well-formed scope.
 */
export async function verifyWithRing(
  ring: KeyRing,
  token: string,
  expected: { issuer: string; audience: string },
): Promise<SessionClaims> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, (header) => keyFor(ring, header), {
      algorithms: ['HS256'],
      typ: SESSION_TYP,
      issuer: expected.issuer,
      audience: expected.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['sub', 'iat', 'exp', 'jti'],
    }));
  } catch (err) {
    if (err instanceof SessionError) throw err;
    if (err instanceof errors.JWTExpired)
      throw new SessionError('the session token has expired', true);
    if (err instanceof errors.JWSSignatureVerificationFailed) {
      throw new SessionError('the session token signature does not verify');
    }
    if (err instanceof errors.JOSEAlgNotAllowed) {
      throw new SessionError('the session token must be signed with HS256');
    }
    if (err instanceof errors.JWTClaimValidationFailed) {
      throw new SessionError(`the session token's "${err.claim}" claim is not valid`);
    }
    throw new SessionError('the session token is malformed');
  }
  const { sub, jti, iat, exp } = payload as Required<
    Pick<JWTPayload, 'sub' | 'jti' | 'iat' | 'exp'>
  >;
  // jose checks that `jti` is there, not what it is: an id is non-empty text.
  if (typeof jti !== 'string' || jti === '') {
    throw new SessionError('the session token\'s "jti" claim is not valid');
  }
  if (exp - iat > MAX_TTL_SECONDS) {
    throw new SessionError(`the session token lives longer than ${MAX_TTL_SECONDS} seconds`);
  }
  if (iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) {
    throw new SessionError('the session token was issued in the future');
  }
  const origIat = typeof payload.orig_iat === 'number' ? payload.orig_iat : iat;
  return { sub, jti, iat, exp, origIat, scope: parseScope(payload.scope) };
}

function parseScope(raw: unknown): SessionScope {
  const bad = (what: string) => new SessionError(`the session token's scope: ${what}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('missing');
  const s = raw as Record<string, unknown>;
  if (typeof s.widget !== 'string' || s.widget === '') throw bad('no widget');
  const scope: SessionScope = { widget: s.widget, actions: [] };
  if (
    !Array.isArray(s.actions) ||
    !s.actions.every((a) => ['run', 'submit', 'workspace'].includes(a))
  ) {
    throw bad('actions must be a list of "run", "submit", "workspace"');
  }
  scope.actions = s.actions as SessionAction[];
  if (s.problem !== undefined && s.problem !== null) {
    if (!(typeof s.problem === 'string' && s.problem !== '') && !isId(s.problem)) {
      throw bad('problem must be an id or a code');
    }
    scope.problem = s.problem as number | string;
  }
  if (s.compilers !== undefined && s.compilers !== null) {
    if (!Array.isArray(s.compilers) || !s.compilers.every(isId)) {
      throw bad('compilers must be a list of compiler ids');
    }
    scope.compilers = s.compilers as number[];
  }
  if (s.limits !== undefined && s.limits !== null) {
    if (typeof s.limits !== 'object' || Array.isArray(s.limits))
      throw bad('limits must be an object');
    const limits: ScopeLimits = {};
    for (const [k, v] of Object.entries(s.limits as Record<string, unknown>)) {
      if (
        ![
          'sourceBytes',
          'inputBytes',
          'runsPerMinute',
          'submissionsPerMinute',
          'concurrentRuns',
        ].includes(k)
      ) {
        throw bad(`unknown limit '${k}'`);
      }
      if (!isId(v)) throw bad(`limit '${k}' must be a positive whole number`);
      limits[k as keyof ScopeLimits] = v;
    }
    scope.limits = limits;
  }
  return scope;
}

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/** Options of `signSession()`. */
export interface SignSessionOptions {
  /** the shared secret, in the format of `SE_SESSION_SECRET` (the first key signs) */
  secret: string;
  /** the widget id, as declared in the backend's configuration */
  widget: string;
  /** a pseudonymous, stable id of the user (never an e-mail address or a name) */
  sub: string;
  /** seconds, at most 900 (default 600) */
  ttlSeconds?: number;
  /** problem id or code, for problem widgets whose configuration leaves it to the host */
  problem?: number | string;
  /** narrows the widget's compilers */
  compilers?: number[];
  /** narrows the widget's actions (default: run and submit) */
  actions?: SessionAction[];
  limits?: ScopeLimits;
  /** must match the backend's `sessions.issuer` (default `se-widgets`) */
  issuer?: string;
  /** must match the backend's `sessions.audience` (default `se-widgets/v1`) */
  audience?: string;
}

/**
 * Mints a session token on the host's server, for a page to hand to a widget. The backend checks
 * the token's scope against the widget's configuration on every call.
 *
 * ```ts
 * import { signSession } from 'se-widgets/server';
 * const { token } = await signSession({ secret: process.env.SE_SESSION_SECRET!, widget: 'quiz-1', sub: userId });
 * ```
 */
export async function signSession(
  options: SignSessionOptions,
): Promise<{ token: string; expiresAt: string }> {
  const scope: SessionScope = {
    widget: options.widget,
    actions: options.actions ?? ['run', 'submit'],
  };
  if (options.problem !== undefined) scope.problem = options.problem;
  if (options.compilers !== undefined) scope.compilers = options.compilers;
  if (options.limits !== undefined) scope.limits = options.limits;
  const { token, claims } = await signWithRing(parseSessionSecret(options.secret), {
    sub: options.sub,
    scope,
    ttlSeconds: options.ttlSeconds,
    issuer: options.issuer ?? 'se-widgets',
    audience: options.audience ?? 'se-widgets/v1',
  });
  return { token, expiresAt: new Date(claims.exp * 1000).toISOString() };
}
