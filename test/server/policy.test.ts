import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signSession } from '../../src/server/index.js';
import { SECRET, testConfig, withBackend, type TestBackend } from './helpers.js';

const LMS = 'https://lms.example.org';
const SCHOOL = 'https://school.example.com';
const EVIL = 'https://evil.example';

describe('scope: every call is checked against the session', () => {
  it('refuses another problem, a disallowed compiler and another subject’s run with 403', async () => {
    await withBackend({ standin: { pendingReads: 1000 } }, async (t) => {
      const problem = await t.session('problem', LMS);
      const other = await t.call('/v1/problems/44', { token: problem, origin: LMS });
      assert.equal(other.status, 403);
      assert.equal(other.json().error.code, 'forbidden');
      const wrongSubmit = await t.call('/v1/submissions', {
        token: problem,
        origin: LMS,
        body: { problemId: 44, compilerId: 1, source: 'x' },
      });
      assert.equal(wrongSubmit.status, 403);

      const run = await t.session('run');
      const compiler = await t.call('/v1/runs', {
        token: run,
        body: { compilerId: 2, source: 'x' },
      });
      assert.equal(compiler.status, 403);
      assert.match(compiler.json().error.message, /Compiler 2 is not allowed/);
      const submit = await t.call('/v1/submissions', {
        token: run,
        body: { problemId: 43, compilerId: 1, source: 'x' },
      });
      assert.equal(submit.status, 403, 'a run widget may not submit');

      // A host narrows the compilers in its token.
      const { token: narrow } = await signSession({
        secret: SECRET,
        widget: 'run',
        sub: 'u1',
        compilers: [116],
      });
      const narrowed = await t.call('/v1/runs', {
        token: narrow,
        body: { compilerId: 1, source: 'x' },
      });
      assert.equal(narrowed.status, 403);
      const langs = await t.call('/v1/languages', { token: narrow });
      assert.deepEqual(
        langs.json().items.map((l: { id: number }) => l.id),
        [116],
      );

      const mine = await t.call('/v1/runs', { token: run, body: { compilerId: 1, source: 'x' } });
      assert.equal(mine.status, 201);
      const { id } = mine.json();
      assert.equal((await t.call(`/v1/runs/${id}`, { token: run })).status, 200);
      const someoneElse = await t.session('run');
      const theirs = await t.call(`/v1/runs/${id}`, { token: someoneElse });
      assert.equal(theirs.status, 403);
      assert.match(theirs.json().error.message, /another session/);
      assert.equal((await t.call(`/v1/runs/${id}/events`, { token: someoneElse })).status, 403);
      // The same subject through another widget is another owner too.
      const { token: sameSubOtherWidget } = await signSession({
        secret: SECRET,
        widget: 'private',
        sub: 'u1',
      });
      const { token: u1 } = await signSession({ secret: SECRET, widget: 'run', sub: 'u1' });
      const u1run = (
        await t.call('/v1/runs', { token: u1, body: { compilerId: 116, source: 'x' } })
      ).json().id;
      assert.equal(
        (await t.call(`/v1/runs/${u1run}`, { token: sameSubOtherWidget, origin: SCHOOL })).status,
        403,
      );
      // Ids that are not ours, or of the other kind, are not found.
      assert.equal((await t.call(`/v1/runs/${'A'.repeat(60)}`, { token: run })).status, 404);
      assert.equal((await t.call(`/v1/submissions/${id}`, { token: run })).status, 404);
      const tampered = id.slice(0, -2) + (id.endsWith('AA') ? 'BB' : 'AA');
      assert.equal((await t.call(`/v1/runs/${tampered}`, { token: run })).status, 404);
    });
  });

  it('validates request bodies with 400', async () => {
    await withBackend({}, async (t) => {
      const run = await t.session('run');
      for (const body of [
        { source: 'x' },
        { compilerId: '1', source: 'x' },
        { compilerId: 1 },
        { compilerId: 1, source: 5 },
      ]) {
        const r = await t.call('/v1/runs', { token: run, body });
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.equal(r.json().error.code, 'bad_request');
      }
      const notJson = await t.rec.fetch(`${t.url}/v1/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${run}`, 'content-type': 'text/plain' },
        body: '{"compilerId":1,"source":"x"}',
      });
      assert.equal(notJson.status, 400);
      assert.match(notJson.json().error.message, /application\/json/);
    });
  });
});

describe('caps and rate limits', () => {
  const config = (limits: object, sessions: object = {}) => ({
    ...testConfig,
    limits,
    sessions,
  });

  it('refuses sources and inputs over the caps with 413', async () => {
    await withBackend({ config: config({ sourceBytes: 100, inputBytes: 50 }) }, async (t) => {
      const run = await t.session('run');
      const big = await t.call('/v1/runs', {
        token: run,
        body: { compilerId: 1, source: 'é'.repeat(51) },
      });
      assert.equal(big.status, 413, '102 bytes of UTF-8');
      assert.equal(big.json().error.code, 'too_large');
      const input = await t.call('/v1/runs', {
        token: run,
        body: { compilerId: 1, source: 'x', input: 'y'.repeat(51) },
      });
      assert.equal(input.status, 413);
      const body = await t.call('/v1/runs', {
        token: run,
        body: { compilerId: 1, source: 'x', pad: 'z'.repeat(5000) },
      });
      assert.equal(body.status, 413, 'the body itself is capped');
      const ok = await t.call('/v1/runs', {
        token: run,
        body: { compilerId: 1, source: 'x'.repeat(100), input: 'y'.repeat(50) },
      });
      assert.equal(ok.status, 201);
      // A host may tighten the caps in its token, never loosen them.
      const runWithCap = async (sourceBytes: number, length: number) => {
        const { token } = await signSession({
          secret: SECRET,
          widget: 'run',
          sub: 'u',
          limits: { sourceBytes },
        });
        const r = await t.call('/v1/runs', {
          token,
          body: { compilerId: 1, source: 'x'.repeat(length) },
        });
        return r.status;
      };
      assert.equal(await runWithCap(10, 11), 413, 'tightened');
      assert.equal(await runWithCap(1000, 101), 413, 'not loosened');
    });
  });

  it('rate-limits runs per subject and per IP separately, with Retry-After', async () => {
    await withBackend(
      {
        config: config({ runsPerMinute: { subject: 3, ip: 5 }, concurrentRuns: 100 }),
      },
      async (t) => {
        const a = await t.session('run');
        const b = await t.session('run');
        const run = (token: string) =>
          t.call('/v1/runs', { token, body: { compilerId: 1, source: 'x' } });
        for (let i = 0; i < 3; i++) assert.equal((await run(a)).status, 201);
        const limited = await run(a);
        assert.equal(limited.status, 429);
        assert.equal(limited.json().error.code, 'rate_limited');
        const retry = Number(limited.headers.get('retry-after'));
        assert.ok(retry >= 1 && retry <= 20, `Retry-After ${retry}`);
        // Another subject has its own allowance, until the IP's runs out.
        assert.equal((await run(b)).status, 201);
        assert.equal((await run(b)).status, 201);
        const ip = await run(b);
        assert.equal(ip.status, 429, 'the IP allowance (5) is spent');
        assert.ok(Number(ip.headers.get('retry-after')) >= 1);
      },
    );
  });

  it('rate-limits submissions separately from runs', async () => {
    await withBackend(
      {
        config: config({
          runsPerMinute: { subject: 1, ip: 1 },
          submissionsPerMinute: { subject: 2, ip: 10 },
          concurrentRuns: 100,
        }),
      },
      async (t) => {
        const s = await t.session('problem', LMS);
        const run = () =>
          t.call('/v1/runs', { token: s, origin: LMS, body: { compilerId: 1, source: 'x' } });
        assert.equal((await run()).status, 201);
        assert.equal((await run()).status, 429);
        const submit = () =>
          t.call('/v1/submissions', {
            token: s,
            origin: LMS,
            body: { problemId: 43, compilerId: 1, source: 'x' },
          });
        assert.equal((await submit()).status, 201);
        assert.equal((await submit()).status, 201);
        const limited = await submit();
        assert.equal(limited.status, 429);
        assert.ok(limited.headers.get('retry-after'));
      },
    );
  });

  it('rate-limits session minting per IP', async () => {
    await withBackend({ config: config({}, { perMinute: { ip: 3, subject: 2 } }) }, async (t) => {
      for (let i = 0; i < 3; i++) await t.session('run');
      const r = await t.call('/v1/sessions', { body: { widget: 'run' } });
      assert.equal(r.status, 429);
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
    });
  });

  it('caps the runs of one subject executing at once', async () => {
    await withBackend(
      {
        standin: { pendingReads: 1000 },
        config: config({ concurrentRuns: 2, runsPerMinute: { subject: 100, ip: 100 } }),
      },
      async (t) => {
        const a = await t.session('run');
        const run = (token: string) =>
          t.call('/v1/runs', { token, body: { compilerId: 1, source: 'x' } });
        assert.equal((await run(a)).status, 201);
        assert.equal((await run(a)).status, 201);
        const third = await run(a);
        assert.equal(third.status, 429);
        assert.match(third.json().error.message, /At most 2 runs/);
        assert.ok(third.headers.get('retry-after'));
        assert.equal((await run(await t.session('run'))).status, 201, 'per subject');
      },
    );
  });
});

describe('CORS', () => {
  it('answers preflights for any origin but "null", never with credentials', async () => {
    await withBackend({}, async (t) => {
      const pre = (origin: string) =>
        t.rec.fetch(`${t.url}/v1/runs`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization, content-type',
          },
        });
      const ok = await pre(LMS);
      assert.equal(ok.status, 204);
      assert.equal(ok.headers.get('access-control-allow-origin'), LMS);
      assert.match(ok.headers.get('access-control-allow-headers') ?? '', /Authorization/);
      assert.match(ok.headers.get('access-control-allow-methods') ?? '', /POST/);
      assert.match(ok.headers.get('vary') ?? '', /Origin/);
      assert.equal(ok.headers.get('access-control-allow-credentials'), null);
      const school = await pre(SCHOOL);
      assert.equal(school.status, 204, 'the union of the widgets’ origins');
      // Any other origin is answered too: the preflight grants nothing (the real request is
      // checked against its widget), and it lets that page read the refusal.
      const evil = await pre(EVIL);
      assert.equal(evil.status, 204);
      assert.equal(evil.headers.get('access-control-allow-origin'), EVIL);
      assert.equal(evil.headers.get('access-control-allow-credentials'), null);
      const nul = await pre('null');
      assert.equal(nul.status, 403);
    });
  });

  it('checks the real request against the token’s widget', async () => {
    await withBackend({}, async (t) => {
      const evil = await t.call('/v1/sessions', { body: { widget: 'run' }, origin: EVIL });
      assert.equal(evil.status, 403);
      assert.equal(evil.json().error.code, 'origin_not_allowed');
      assert.deepEqual(evil.json().error.details, { widget: 'run', origin: EVIL });
      assert.equal(
        evil.headers.get('access-control-allow-origin'),
        EVIL,
        'the refusal is readable',
      );
      assert.equal(evil.json().token, undefined);
      const problem = await t.session('problem', LMS);
      const fromSchool = await t.call('/v1/languages', { token: problem, origin: SCHOOL });
      assert.equal(fromSchool.status, 403, 'SCHOOL is listed for another widget only');
      assert.equal(fromSchool.json().error.code, 'origin_not_allowed');
      const fromEvil = await t.call('/v1/languages', { token: problem, origin: EVIL });
      assert.equal(fromEvil.status, 403);
      assert.equal(fromEvil.json().items, undefined);
      const fromLms = await t.call('/v1/languages', { token: problem, origin: LMS });
      assert.equal(fromLms.status, 200);
      assert.equal(fromLms.headers.get('access-control-allow-origin'), LMS);
      assert.match(fromLms.headers.get('access-control-expose-headers') ?? '', /Retry-After/);
    });
  });

  it('logs each refusal with its widget, origin and reason', async () => {
    await withBackend({}, async (t) => {
      await t.call('/v1/sessions', { body: { widget: 'run' }, origin: EVIL });
      await t.call('/v1/sessions', { body: { widget: 'private' }, origin: SCHOOL });
      const token = await t.session('run', LMS);
      await t.call('/v1/runs', {
        token,
        origin: LMS,
        body: { compilerId: 116, source: 'x'.repeat(70000) },
      });
      const lines = t.log.filter((l) => / 4\d\d /.test(l));
      assert.match(
        lines[0] ?? '',
        /POST \/v1\/sessions 403 \d+ms origin_not_allowed \(widget run, origin https:\/\/evil\.example\): .*evil\.example/,
      );
      assert.match(lines[1] ?? '', /403 \d+ms forbidden \(widget private, origin https:\/\/school/);
      assert.match(
        lines[2] ?? '',
        /POST \/v1\/runs 413 \d+ms too_large \(widget run, origin https:\/\/lms/,
      );
      assert.match(lines[2] ?? '', /70000 bytes; this widget accepts 65536/);
      assert.equal(
        t.log.some((l) => l.includes(token)),
        false,
        'no token in the log',
      );
    });
  });

  it('treats the backend’s own origin as "self"', async () => {
    await withBackend({}, async (t) => {
      const port = new URL(t.url).port;
      for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
        const r = await t.call('/v1/sessions', { body: { widget: 'run' }, origin });
        assert.equal(r.status, 201, origin);
        assert.equal(r.headers.get('access-control-allow-origin'), origin);
      }
      const otherPort = await t.call('/v1/sessions', {
        body: { widget: 'run' },
        origin: `http://127.0.0.1:1`,
      });
      assert.equal(otherPort.status, 403);
      const rebound = await t.call('/v1/sessions', {
        body: { widget: 'run' },
        origin: `http://attacker.example:${port}`,
        headers: { host: `attacker.example:${port}` },
      });
      assert.equal(rebound.status, 403, 'a rebound DNS name is not "self"');
    });
  });

  it('sets no cookies and allows no credentials anywhere', async () => {
    await withBackend({}, async (t) => {
      const token = await t.session('run', LMS);
      await t.call('/v1/languages', { token, origin: LMS });
      await t.call('/v1/runs', { token, origin: LMS, body: { compilerId: 1, source: 'x' } });
      await t.call('/v1/languages', { origin: LMS });
      await t.call('/healthz');
      await t.call('/');
      for (const s of t.rec.seen) {
        assert.doesNotMatch(s, /^set-cookie:/im);
        assert.doesNotMatch(s, /^access-control-allow-credentials:/im);
        assert.doesNotMatch(s, /^access-control-allow-origin: \*/im);
      }
    });
  });
});

describe('pages cannot make the backend hammer the upstream', () => {
  /** `fn` with a run session and one of its runs, which the stand-in keeps executing. */
  const withPendingRun = (fn: (t: TestBackend, token: string, id: string) => Promise<void>) =>
    withBackend({ standin: { pendingReads: 1000 } }, async (t) => {
      const token = await t.session('run');
      const created = await t.call('/v1/runs', { token, body: { compilerId: 1, source: 'x' } });
      await fn(t, token, created.json().id as string);
    });

  it('reads an executing run upstream at most once per 2 s, however fast the page polls', async () => {
    await withPendingRun(async (t, token, id) => {
      const reads = () =>
        t.standin!.requests.filter((q) => q.method === 'GET' && /^\/submissions\/\d+$/.test(q.path))
          .length;
      const burst = await Promise.all(
        Array.from({ length: 10 }, () => t.call(`/v1/runs/${id}`, { token })),
      );
      assert.ok(burst.every((r) => r.status === 200 && r.json().executing === true));
      for (let i = 0; i < 10; i++)
        assert.equal((await t.call(`/v1/runs/${id}`, { token })).status, 200);
      assert.equal(reads(), 1, 'twenty page reads, one upstream read');
    });
  });

  it('caps the result streams one subject holds open, and frees them on disconnect', async () => {
    await withPendingRun(async (t, token, id) => {
      const open = async () => {
        const ac = new AbortController();
        const res = await fetch(`${t.url}/v1/runs/${id}/events`, {
          headers: { authorization: `Bearer ${token}` },
          signal: ac.signal,
        });
        return { res, ac };
      };
      const streams = [];
      for (let i = 0; i < 8; i++) {
        const s = await open();
        assert.equal(s.res.status, 200);
        streams.push(s);
      }
      const ninth = await open();
      assert.equal(ninth.res.status, 429);
      assert.ok(ninth.res.headers.get('retry-after'));
      for (const s of streams) s.ac.abort();
      // The server hears of the disconnects a little later: retry until a slot is free.
      let again = await open();
      for (const end = Date.now() + 10_000; again.res.status === 429 && Date.now() < end;) {
        again.ac.abort();
        await new Promise((r) => setTimeout(r, 50));
        again = await open();
      }
      assert.equal(again.res.status, 200, 'closed streams are freed');
      again.ac.abort();
    });
  });
});
