import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, SignJWT, UnsecuredJWT } from 'jose';
import { signSession } from '../../src/server/index.js';
import { SECRET, startTestBackend, type TestBackend } from './helpers.js';

const K1 = new TextEncoder().encode('test-secret-one-0123456789abcdefghijklmnop');
const K2 = new TextEncoder().encode('test-secret-two-0123456789abcdefghijklmnop');
const OTHER = new TextEncoder().encode('some-other-secret-0123456789abcdefghijklmn');
const SCHOOL = 'https://school.example.com';

interface Craft {
  key?: Uint8Array;
  alg?: string;
  kid?: string | null;
  typ?: string | null;
  iss?: string;
  aud?: string;
  sub?: string;
  iat?: number;
  exp?: number;
  /** null: no `jti` claim at all */
  jti?: string | number | null;
  scope?: unknown;
}

/** A token built by hand, to be exactly as wrong as a test needs. */
function craft(c: Craft = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const header: Record<string, string> = { alg: c.alg ?? 'HS256' };
  if (c.kid !== null) header.kid = c.kid ?? 'k1';
  if (c.typ !== null) header.typ = c.typ ?? 'se-session+jwt';
  const claims: Record<string, unknown> = {
    scope: c.scope ?? { widget: 'private', actions: ['run'] },
  };
  if (c.jti !== null) claims.jti = c.jti ?? 'jti-1';
  return new SignJWT(claims)
    .setProtectedHeader(header as { alg: string })
    .setIssuer(c.iss ?? 'se-widgets')
    .setAudience(c.aud ?? 'se-widgets/v1')
    .setSubject(c.sub ?? 'user-1')
    .setIssuedAt(c.iat ?? now)
    .setExpirationTime(c.exp ?? now + 600)
    .sign(c.key ?? K1);
}

describe('session tokens', () => {
  let t: TestBackend;
  before(async () => {
    t = await startTestBackend();
  });
  after(() => t.close());

  const languages = (token?: string) => t.call('/v1/languages', { token, origin: SCHOOL });
  const refused = async (token: string | undefined, code = 'unauthorized') => {
    const r = await languages(token);
    assert.equal(r.status, 401, r.text);
    assert.equal(r.json().error.code, code);
    return r.json().error.message as string;
  };

  it('accepts a well-formed token (the control case)', async () => {
    const r = await languages(await craft());
    assert.equal(r.status, 200, r.text);
  });

  it('refuses a missing token with 401', async () => {
    assert.match(await refused(undefined), /Authorization: Bearer/);
    const r = await t.call('/v1/languages', { headers: { authorization: 'Basic abc' } });
    assert.equal(r.status, 401);
  });

  it('refuses a tampered token', async () => {
    const token = await craft();
    const [h, , s] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ ...decodeJwt(token), sub: 'admin' })).toString(
      'base64url',
    );
    assert.match(await refused(`${h}.${payload}.${s}`), /signature does not verify/);
  });

  it('refuses a token signed with the wrong key', async () => {
    assert.match(await refused(await craft({ key: OTHER })), /signature does not verify/);
  });

  it('refuses alg "none"', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = new UnsecuredJWT({ scope: { widget: 'private', actions: ['run'] } })
      .setIssuer('se-widgets')
      .setAudience('se-widgets/v1')
      .setSubject('user-1')
      .setJti('x')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .encode();
    await refused(unsigned);
    // and with the header naming a key, as an attacker would
    const [, p] = unsigned.split('.');
    const h = Buffer.from(
      JSON.stringify({ alg: 'none', kid: 'k1', typ: 'se-session+jwt' }),
    ).toString('base64url');
    await refused(`${h}.${p}.`);
  });

  it('never takes the algorithm from the header (HS512 with the right key)', async () => {
    assert.match(await refused(await craft({ alg: 'HS512' })), /HS256/);
  });

  it('refuses an expired token with token_expired, within 30 s of tolerance', async () => {
    const now = Math.floor(Date.now() / 1000);
    const message = await refused(await craft({ iat: now - 700, exp: now - 60 }), 'token_expired');
    assert.match(message, /expired/);
    const r = await languages(await craft({ iat: now - 610, exp: now - 10 }));
    assert.equal(r.status, 200, 'clock tolerance');
  });

  it('refuses the wrong audience and the wrong issuer', async () => {
    assert.match(await refused(await craft({ aud: 'someone-else' })), /"aud"/);
    assert.match(await refused(await craft({ iss: 'evil' })), /"iss"/);
  });

  it('refuses an unknown kid', async () => {
    assert.match(await refused(await craft({ kid: 'k9' })), /unknown key id/);
  });

  it('refuses a missing kid when several keys are configured', async () => {
    assert.match(await refused(await craft({ kid: null })), /no key id/);
  });

  it('refuses a wrong or missing typ', async () => {
    await refused(await craft({ typ: 'JWT' }));
    await refused(await craft({ typ: null }));
  });

  it('refuses a token living longer than 15 minutes', async () => {
    const now = Math.floor(Date.now() / 1000);
    assert.match(await refused(await craft({ iat: now, exp: now + 901 })), /900 seconds/);
  });

  it('refuses a token issued in the future, beyond the 30 s of tolerance', async () => {
    const now = Math.floor(Date.now() / 1000);
    // A short life, so only the issue time is wrong: exp - iat is 600 s, exp is well ahead.
    const message = await refused(await craft({ iat: now + 120, exp: now + 720 }));
    assert.match(message, /issued in the future/);
    const r = await languages(await craft({ iat: now + 10, exp: now + 610 }));
    assert.equal(r.status, 200, 'within the clock tolerance');
  });

  it('refuses a token without a jti, or with one that is not text', async () => {
    assert.match(await refused(await craft({ jti: null })), /"jti"/);
    assert.match(await refused(await craft({ jti: 42 })), /"jti"/);
    assert.match(await refused(await craft({ jti: '' })), /"jti"/);
  });

  it('refuses a token without a well-formed scope', async () => {
    await refused(await craft({ scope: 'run' }));
    await refused(await craft({ scope: { widget: 'private', actions: ['fly'] } }));
    await refused(
      await craft({ scope: { widget: 'private', actions: ['run'], compilers: ['1'] } }),
    );
  });

  it('refuses a token for a widget that is not configured with 403', async () => {
    const r = await languages(await craft({ scope: { widget: 'nope', actions: ['run'] } }));
    assert.equal(r.status, 403);
  });

  it('verifies with every key of the ring and signs with the first', async () => {
    const r = await languages(await craft({ key: K2, kid: 'k2' }));
    assert.equal(r.status, 200);
    const minted = await t.session('run');
    assert.equal(decodeProtectedHeader(minted).kid, 'k1');
    assert.equal(decodeProtectedHeader(minted).alg, 'HS256');
    assert.equal(decodeProtectedHeader(minted).typ, 'se-session+jwt');
  });

  it('accepts tokens from signSession() (the host-signed path)', async () => {
    const { token, expiresAt } = await signSession({
      secret: SECRET,
      widget: 'private',
      sub: 'learner-7',
      ttlSeconds: 120,
    });
    assert.ok(Math.abs(Date.parse(expiresAt) - Date.now() - 120_000) < 10_000);
    const claims = decodeJwt(token);
    assert.equal(claims.sub, 'learner-7');
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 120);
    assert.ok(typeof claims.jti === 'string' && claims.jti.length > 0);
    assert.equal((await languages(token)).status, 200);
    await assert.rejects(
      signSession({ secret: SECRET, widget: 'private', sub: 'x', ttlSeconds: 901 }),
      /900/,
    );
    await assert.rejects(
      signSession({ secret: 'short', widget: 'private', sub: 'x' }),
      /32 characters/,
    );
  });

  it('mints public sessions only for public widgets', async () => {
    const r = await t.call('/v1/sessions', { body: { widget: 'private' }, origin: SCHOOL });
    assert.equal(r.status, 403);
    assert.match(r.json().error.message, /not public/);
    const unknown = await t.call('/v1/sessions', { body: { widget: 'ghost' } });
    assert.equal(unknown.status, 404);
    const bad = await t.call('/v1/sessions', { body: { widget: 7 } });
    assert.equal(bad.status, 400);
  });

  it('refreshes a session: a new token, the same subject and scope', async () => {
    const { token } = await signSession({
      secret: SECRET,
      widget: 'private',
      sub: 'learner-8',
      compilers: [116],
      ttlSeconds: 300,
    });
    const r = await t.call('/v1/sessions/refresh', { token, method: 'POST', origin: SCHOOL });
    assert.equal(r.status, 200, r.text);
    const fresh = r.json();
    assert.notEqual(fresh.token, token);
    const a = decodeJwt(token);
    const b = decodeJwt(fresh.token);
    assert.equal(b.sub, 'learner-8');
    assert.deepEqual(b.scope, a.scope);
    assert.notEqual(b.jti, a.jti);
    assert.equal((b.exp ?? 0) - (b.iat ?? 0), 300);
    assert.deepEqual(fresh.widget.compilers, [116]);
    const expired = await craft({
      iat: Math.floor(Date.now() / 1000) - 1000,
      exp: Math.floor(Date.now() / 1000) - 100,
    });
    const late = await t.call('/v1/sessions/refresh', { token: expired, method: 'POST' });
    assert.equal(late.status, 401);
    assert.equal(late.json().error.code, 'token_expired');
  });

  it('stops refreshing a session past its maximum lifetime', async () => {
    const t2 = await startTestBackend({
      config: {
        widgets: [{ id: 'w', mode: 'run', origins: ['self'], public: true }],
        sessions: { maxLifetimeSeconds: 60 },
      },
      standin: false,
    });
    try {
      const now = Math.floor(Date.now() / 1000);
      const old = await new SignJWT({
        scope: { widget: 'w', actions: ['run'] },
        orig_iat: now - 120,
      })
        .setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: 'se-session+jwt' })
        .setIssuer('se-widgets')
        .setAudience('se-widgets/v1')
        .setSubject('u')
        .setJti('j')
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(K1);
      const r = await t2.call('/v1/sessions/refresh', { token: old, method: 'POST' });
      assert.equal(r.status, 401);
      assert.match(r.json().error.message, /maximum lifetime/);
    } finally {
      await t2.close();
    }
  });
});
