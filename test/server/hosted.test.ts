// The hosted-service path: the backend relays to a stand-in of the hosted Sphere Engine service
// (test/server/standin.ts) that answers with the response examples of the spec files.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { webhookSignature, WEBHOOK_PATH } from '../../src/server/index.js';
import { readEvents, startTestBackend, TOKENS, withBackend, type TestBackend } from './helpers.js';

const LMS = 'https://lms.example.org';

describe('relay to the hosted service (stand-in answering with the spec examples)', () => {
  let t: TestBackend;
  before(async () => {
    t = await startTestBackend();
  });
  after(() => t.close());

  it('gives a public session with the widget description', async () => {
    const r = await t.call('/v1/sessions', { body: { widget: 'run' }, origin: LMS });
    assert.equal(r.status, 201);
    const s = r.json();
    assert.match(s.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.ok(Date.parse(s.expiresAt) > Date.now());
    assert.deepEqual(s.widget, {
      id: 'run',
      mode: 'run',
      problemId: null,
      compilers: [1, 116],
      defaultCompilerId: 116,
      display: { perTestResults: false, output: true, expectedVsGot: false },
      actions: ['run'],
    });
    assert.equal(r.headers.get('access-control-allow-origin'), LMS);
    assert.match(r.headers.get('vary') ?? '', /Origin/);
  });

  it('lists the languages of the example, with versions and highlighters', async () => {
    const token = await t.session('run');
    const r = await t.call('/v1/languages', { token });
    assert.equal(r.status, 200);
    const body = r.json();
    assert.deepEqual(
      body.items.map((l: { id: number; name: string }) => [l.id, l.name]),
      [
        [1, 'C++'],
        [116, 'Python 3'],
      ],
    );
    assert.equal(body.items[1].highlighters.codemirror, 'python');
    assert.deepEqual(body.items[0].versions, [
      { id: 1, name: 'gcc 5.1' },
      { id: 2, name: 'gcc 6.3' },
    ]);
    assert.equal(body.defaultId, 116);
    // the session's widget: how an element with a host-signed token learns the widget's problem
    assert.equal(body.widget.id, 'run');
    assert.equal(body.widget.problemId, null);
  });

  it('relays a run: 201 with an opaque id, then the result with streams inline', async () => {
    const token = await t.session('run');
    const created = await t.call('/v1/runs', {
      token,
      body: { compilerId: 116, source: 'print("hello world")', input: '' },
    });
    assert.equal(created.status, 201);
    const { id } = created.json();
    assert.doesNotMatch(id, /^\d+$/, 'the id is opaque, not the upstream id');
    const post = t.standin!.requests.find((q) => q.method === 'POST' && q.module === 'compilers');
    assert.ok(post?.authorized, 'the access token was added upstream');
    assert.deepEqual(JSON.parse(post.body), {
      compilerId: 116,
      source: 'print("hello world")',
      input: '',
    });

    const r = await t.call(`/v1/runs/${id}`, { token });
    assert.equal(r.status, 200);
    const result = r.json();
    assert.equal(result.id, id);
    assert.equal(result.kind, 'run');
    assert.equal(result.executing, false);
    assert.deepEqual(result.result.status, { code: 15, name: 'accepted' });
    assert.equal(result.result.time, 0.4);
    assert.equal(result.result.memory, 2048);
    assert.deepEqual(result.result.output, { text: 'hello world', truncated: false, size: 11 });
    assert.equal(result.result.error, null);
    assert.doesNotMatch(r.text, /uri|access_token|<endpoint>/);
  });

  it('relays a submission to the problem of the session, with per-test results', async () => {
    const token = await t.session('problem', LMS);
    const p = await t.call('/v1/problems/43', { token, origin: LMS });
    assert.equal(p.status, 200);
    assert.deepEqual(p.json(), {
      id: 43,
      name: 'Example Problem',
      statement: 'problem description',
      type: { id: 0, name: 'binary' },
      languages: [1, 116],
      display: { perTestResults: true, output: true, expectedVsGot: true },
      // the stand-in's first test case input (the spec's example): the sample to try
      sampleInput: '',
    });
    const created = await t.call('/v1/submissions', {
      token,
      origin: LMS,
      body: { problemId: 43, compilerId: 1, source: 'int main(){}' },
    });
    assert.equal(created.status, 201, created.text);
    const { id } = created.json();
    const r = await t.call(`/v1/submissions/${id}`, { token, origin: LMS });
    assert.equal(r.status, 200);
    const result = r.json();
    assert.equal(result.kind, 'submission');
    assert.equal(result.result.score, 100);
    assert.deepEqual(result.result.testcases, [
      {
        number: 0,
        status: { code: 15, name: 'accepted' },
        score: 100,
        time: 1.24,
        memory: 2048,
        signal: 0,
        // from the stand-in's GET /problems/43/testcases (limits.time)
        timeLimit: 1,
      },
    ]);
    assert.deepEqual(result.result.output, { text: 'hello world', truncated: false, size: 11 });
    assert.doesNotMatch(
      r.text,
      /debug|judge debug info/,
      'the judge debug stream is never relayed',
    );
  });

  it('shows only what the widget’s display allows', async () => {
    const t2 = await startTestBackend({
      config: {
        widgets: [
          {
            id: 'quiet',
            mode: 'problem',
            problem: 43,
            display: { perTestResults: false, output: false, expectedVsGot: true },
            origins: ['self'],
            public: true,
          },
        ],
      },
    });
    try {
      const token = await t2.session('quiet');
      const { id } = (
        await t2.call('/v1/submissions', {
          token,
          body: { problemId: 43, compilerId: 1, source: 'x' },
        })
      ).json();
      const result = (await t2.call(`/v1/submissions/${id}`, { token })).json();
      assert.equal(result.result.status.code, 15);
      assert.equal(result.result.output, null);
      assert.equal(result.result.error, null);
      assert.equal(result.result.cmpinfo, null);
      assert.equal('testcases' in result.result, false);
      assert.ok(
        !t2.standin!.requests.some((q) => /^\/submissions\/\d+\/\w+$/.test(q.path)),
        'no stream was even read',
      );
    } finally {
      await t2.close();
    }
  });

  it('resolves the session problem given by code', async () => {
    const t2 = await startTestBackend({
      config: {
        widgets: [{ id: 'p', mode: 'problem', problem: 'EXPRBL', origins: ['self'], public: true }],
      },
    });
    try {
      const r = await t2.call('/v1/sessions', { body: { widget: 'p' } });
      assert.equal(r.status, 201);
      assert.equal(r.json().widget.problemId, 43);
      assert.ok(t2.standin!.requests.some((q) => q.path === '/problems/EXPRBL'));
    } finally {
      await t2.close();
    }
  });

  it('reports upstream reachability in /healthz', async () => {
    const r = await t.call('/healthz');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json(), {
      ok: true,
      upstream: {
        compilers: { reachable: true, embedded: false },
        problems: { reachable: true, embedded: false },
        containers: { reachable: true, embedded: false },
      },
    });
  });
});

describe('completion on the hosted service', () => {
  it('polls (no webhook): status events, then the result, never faster than every 2 s', async () => {
    await withBackend({ standin: { pendingReads: 1 }, heartbeatMs: 300 }, async (t) => {
      const token = await t.session('run');
      const { id } = (
        await t.call('/v1/runs', { token, body: { compilerId: 1, source: 'x' } })
      ).json();
      const started = Date.now();
      const { status, events, raw } = await readEvents(`${t.url}/v1/runs/${id}/events`, token);
      assert.equal(status, 200);
      assert.match(raw, /^: heartbeat$/m, 'heartbeats while waiting');
      assert.deepEqual(
        events.map((e) => e.event),
        ['status', 'status', 'result'],
      );
      assert.deepEqual(events[0]!.data, {
        id,
        executing: true,
        status: { code: 0, name: 'waiting...' },
      });
      assert.deepEqual(events[1]!.data.status, { code: 15, name: 'accepted' });
      assert.equal(events[2]!.data.result.output.text, 'hello world');
      assert.ok(Date.now() - started >= 1900, 'the result came from a poll, 2 s after the run');
      const reads = t
        .standin!.requests.filter(
          (q) =>
            q.method === 'GET' && q.path.startsWith('/submissions') && !q.path.includes('/output'),
        )
        .map((q) => q.at);
      const polls = t.standin!.requests.filter((q) => q.path === '/submissions' && q.query.ids);
      assert.ok(polls.length >= 1, 'the backend polled GET /submissions?ids=');
      for (let i = 1; i < polls.length; i++) {
        assert.ok(polls[i]!.at - polls[i - 1]!.at >= 2000, 'polls are at least 2 s apart');
      }
      assert.ok(reads.length <= 4, `few upstream reads (${reads.length})`);
    });
  });

  it('takes webhooks when configured: verified by HMAC, pushed at once', async () => {
    const secret = 'hosted-webhook-secret-0123456789';
    await withBackend(
      {
        standin: { pendingReads: 1 },
        link: (s) => ({
          endpoints: { compilers: s!.endpoint('compilers'), problems: s!.endpoint('problems') },
          webhookSecret: secret,
          pushModules: ['compilers', 'problems'],
        }),
      },
      async (t) => {
        const token = await t.session('run');
        const { id } = (
          await t.call('/v1/runs', { token, body: { compilerId: 1, source: 'x' } })
        ).json();
        const events = readEvents(`${t.url}/v1/runs/${id}/events`, token);
        // wait (bounded) until the stream has read the executing state
        for (const end = Date.now() + 15_000; ; await new Promise((r) => setTimeout(r, 10))) {
          if (t.standin!.requests.some((q) => q.path === '/submissions/42')) break;
          assert.ok(Date.now() < end, 'the event stream read the submission');
        }
        await new Promise((r) => setTimeout(r, 50));
        const body = JSON.stringify({
          event: 'submission.finished',
          module: 'compilers',
          submission: {
            id: 42,
            executing: false,
            result: { status: { code: 15, name: 'accepted' } },
          },
        });
        const bad = await fetch(t.url + WEBHOOK_PATH, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-sphere-engine-signature': webhookSignature('wrong-secret', body),
          },
          body,
        });
        assert.equal(bad.status, 401);
        const unsigned = await fetch(t.url + WEBHOOK_PATH, { method: 'POST', body });
        assert.equal(unsigned.status, 401);
        const started = Date.now();
        const good = await fetch(t.url + WEBHOOK_PATH, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-sphere-engine-signature': webhookSignature(secret, body),
          },
          body,
        });
        assert.equal(good.status, 204);
        const { events: list } = await events;
        assert.deepEqual(
          list.map((e) => e.event),
          ['status', 'status', 'result'],
        );
        // Pushed: no poll was made (with webhooks the backend polls only every 15 s, as a safety
        // net), and the result came well before that poll would have (a loose bound: a loaded
        // machine is slow, but not 10 s slow).
        const polls = t.standin!.requests.filter((q) => q.path === '/submissions' && q.query.ids);
        assert.deepEqual(polls, [], 'the result was pushed, not polled');
        assert.ok(Date.now() - started < 10_000, 'the result was pushed at once');
      },
    );
  });

  it('has no webhook endpoint without a webhook secret', async () => {
    await withBackend({}, async (t) => {
      const r = await fetch(t.url + WEBHOOK_PATH, { method: 'POST', body: '{}' });
      assert.equal(r.status, 404);
    });
  });
});

describe('upstream failures', () => {
  it('answers 502 with a clear message when the upstream is down', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    await withBackend(
      {
        standin: false,
        link: () => ({
          endpoints: {
            compilers: { url: `http://127.0.0.1:${closed}/api/v4`, token: TOKENS.compilers },
          },
          retries: 0,
        }),
      },
      async (t) => {
        const token = await t.session('run');
        const r = await t.call('/v1/runs', { token, body: { compilerId: 1, source: 'x' } });
        assert.equal(r.status, 502);
        assert.equal(r.json().error.code, 'upstream_unavailable');
        assert.match(r.json().error.message, /unreachable \(connection refused\)/);
        const h = await t.call('/healthz');
        assert.equal(h.status, 503);
        assert.equal(h.json().upstream.compilers.reachable, false);
        const ptoken = await t.session('problem', LMS);
        const p = await t.call('/v1/problems/43', { token: ptoken, origin: LMS });
        assert.equal(p.status, 503, 'no Problems module configured');
        assert.match(p.json().error.message, /Problems module is not configured/);
        assert.equal(t.rec.leak([TOKENS.compilers, 'access_token=']), null);
      },
    );
  });

  it('answers 504 when the upstream is slower than the timeout', async () => {
    await withBackend(
      {
        standin: { delayMs: 600 },
        link: (s) => ({
          endpoints: { compilers: s!.endpoint('compilers') },
          timeoutMs: 150,
          retries: 1,
        }),
      },
      async (t) => {
        const token = await t.session('run');
        const r = await t.call('/v1/languages', { token });
        assert.equal(r.status, 504);
        assert.equal(r.json().error.code, 'upstream_timeout');
        assert.match(r.json().error.message, /did not answer in time.*no answer within 150 ms/);
      },
    );
  });

  it('answers 502 on an upstream error, without its body', async () => {
    await withBackend({ standin: { failWith: 500 } }, async (t) => {
      const token = await t.session('run');
      const r = await t.call('/v1/languages', { token });
      assert.equal(r.status, 502);
      assert.equal(r.json().error.code, 'upstream_error');
      assert.match(
        r.json().error.message,
        /Compilers API GET \/compilers: the operation failed \(HTTP 500, error_code 1003\)/,
      );
      assert.doesNotMatch(r.text, /internal failure|127\.0\.0\.1/);
    });
  });

  it('answers 502 when the upstream refuses the access token', async () => {
    await withBackend(
      {
        link: (s) => ({
          endpoints: {
            compilers: { url: s!.endpoint('compilers').url, token: 'wrong-token-abcdefgh' },
          },
        }),
      },
      async (t) => {
        const token = await t.session('run');
        const r = await t.call('/v1/languages', { token });
        assert.equal(r.status, 502);
        assert.match(r.json().error.message, /access token was refused/);
        assert.equal(t.rec.leak(['wrong-token-abcdefgh']), null);
      },
    );
  });
});
