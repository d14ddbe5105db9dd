// The one rule: no byte a browser receives, and no log line, contains an access token or an
// upstream URI that carries one. The stand-in's answers (the spec examples) carry the real tokens
// in their `uri` fields, so relaying any of them verbatim would fail these tests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { webhookSignature, WEBHOOK_PATH } from '../../src/server/index.js';
import { readEvents, TOKENS, withBackend, type TestBackend } from './helpers.js';

const LMS = 'https://lms.example.org';
const WEBHOOK_SECRET = 'leak-test-webhook-secret-0123456789';
const needles = [...Object.values(TOKENS), WEBHOOK_SECRET, 'access_token', '<endpoint>', '"uri"'];

/** Calls every endpoint, successes and refusals, recording all answers. */
async function tour(t: TestBackend): Promise<void> {
  const run = await t.session('run', LMS);
  const problem = await t.session('problem', LMS);
  const o = { origin: LMS };
  await t.call('/v1/sessions/refresh', { token: run, method: 'POST', ...o });
  await t.call('/v1/languages', { token: run, ...o });
  await t.call('/v1/languages', { token: problem, ...o });
  await t.call('/v1/problems/43', { token: problem, ...o });
  await t.call('/v1/problems/EXPRBL', { token: problem, ...o });
  const created = await t.call('/v1/runs', {
    token: run,
    body: { compilerId: 116, source: 'print(1)', input: '1' },
    ...o,
  });
  const runId = created.json().id as string;
  await t.call(`/v1/runs/${runId}`, { token: run, ...o });
  await readEvents(`${t.url}/v1/runs/${runId}/events`, run, t.rec);
  const sub = await t.call('/v1/submissions', {
    token: problem,
    body: { problemId: 43, compilerId: 1, source: 'x' },
    ...o,
  });
  const subId = sub.json().id as string;
  await t.call(`/v1/submissions/${subId}`, { token: problem, ...o });
  await readEvents(`${t.url}/v1/submissions/${subId}/events`, problem, t.rec);
  // refusals
  await t.call('/v1/languages', { token: 'not-a-token', ...o });
  await t.call('/v1/languages', o);
  await t.call('/v1/problems/44', { token: problem, ...o });
  await t.call('/v1/runs', { token: run, body: { compilerId: 99, source: 'x' }, ...o });
  await t.call('/v1/runs', {
    token: run,
    body: { compilerId: 1, source: 'x'.repeat(70000) },
    ...o,
  });
  await t.call(`/v1/runs/${'B'.repeat(64)}`, { token: run, ...o });
  await t.call('/v1/nothing', o);
  await t.call('/v1/sessions', { body: { widget: 'run' }, origin: 'https://evil.example' });
  await t.rec.fetch(`${t.url}/v1/runs`, { method: 'OPTIONS', headers: { origin: LMS } });
  await t.call('/healthz');
  const body = JSON.stringify({
    event: 'submission.finished',
    module: 'compilers',
    submission: {
      id: 1,
      executing: false,
      result: { status: { code: 15, name: 'accepted' } },
      uri: `x?access_token=${TOKENS.compilers}`,
    },
  });
  for (const sig of [webhookSignature(WEBHOOK_SECRET, body), 'bad']) {
    await t.rec.fetch(t.url + WEBHOOK_PATH, {
      method: 'POST',
      headers: { 'x-sphere-engine-signature': sig },
      body,
    });
  }
  await t.call('/');
}

describe('no access token reaches a page or a log', () => {
  it('holds on the hosted-service path (every endpoint, errors included, and the log)', async () => {
    await withBackend(
      {
        standin: { pendingReads: 1 },
        link: (s) => ({
          endpoints: {
            compilers: s!.endpoint('compilers'),
            problems: s!.endpoint('problems'),
            containers: s!.endpoint('containers'),
          },
          webhookSecret: WEBHOOK_SECRET,
          pushModules: ['compilers', 'problems'],
          timeoutMs: 10000,
        }),
      },
      async (t) => {
        await tour(t);
        assert.ok(t.rec.seen.length > 25, 'the tour recorded every answer');
        assert.ok(
          t.standin!.requests.every((r) => r.authorized),
          'the token was sent upstream',
        );
        assert.equal(t.rec.leak(needles), null);
        const log = t.log.join('\n');
        assert.ok(log.includes('/v1/runs'), 'the log has request lines');
        for (const n of [
          ...Object.values(TOKENS),
          WEBHOOK_SECRET,
          'access_token=',
          'test-secret-one',
        ]) {
          assert.ok(!log.includes(n), `the log contains ${n}`);
        }
      },
    );
  });

  it('holds when the upstream fails (errors and their log lines)', async () => {
    for (const standin of [{ failWith: 500 }, { failWith: 401 }, { delayMs: 400 }]) {
      await withBackend(
        {
          standin,
          link: (s) => ({
            endpoints: { compilers: s!.endpoint('compilers'), problems: s!.endpoint('problems') },
            timeoutMs: 100,
            retries: 0,
          }),
        },
        async (t) => {
          await tour(t);
          assert.equal(t.rec.leak(needles), null, JSON.stringify(standin));
          const log = t.log.join('\n');
          for (const n of [...Object.values(TOKENS), 'access_token='])
            assert.ok(!log.includes(n), n);
        },
      );
    }
  });
});

describe('log scrubbing', () => {
  it('redacts secrets a request writes into a log line (path and origin)', async () => {
    await withBackend({}, async (t) => {
      // A client controls the path and the Origin header, and both are logged with a refusal.
      const sessionSecret = 'test-secret-one-0123456789abcdefghijklmnop';
      const r = await t.call(`/v1/${TOKENS.compilers}/access_token=hunter2-0123456789`, {
        origin: `https://${sessionSecret}.example`,
      });
      assert.equal(r.status, 404, r.text);
      const line = t.log.find((l) => l.includes(' 404 '));
      assert.ok(line, `a log line for the refusal: ${t.log.join('\n')}`);
      assert.match(line, /GET \/v1\/\[redacted\]\/access_token=\[redacted\] 404/);
      assert.match(line, /origin https:\/\/\[redacted\]\.example/);
      for (const secret of [TOKENS.compilers, 'hunter2', sessionSecret]) {
        assert.ok(!t.log.join('\n').includes(secret), `the log holds ${secret}: ${line}`);
      }
    });
  });
});
