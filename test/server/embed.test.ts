// The iframe pages of the signing backend (GET /embed/solve, GET /embed/workspace): headers, the page's settings, errors,
// and that nothing secret reaches it. Real HTTP against startServer; no upstream is needed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseConfig, startServer, type RunningServer } from '../../src/server/index.js';
import { Recorder, SECRET, TOKENS } from './helpers.js';

const LMS = 'https://lms.example.org';
const SCHOOL = 'https://school.example.com:8443';

const config = {
  widgets: [
    { id: 'run', mode: 'run', origins: [LMS, 'self'], public: true },
    { id: 'school', mode: 'run', origins: [SCHOOL, 'self'], public: false },
    { id: 'self-only', mode: 'run', origins: ['self'], public: true },
    { id: 'no-self', mode: 'run', origins: [LMS], public: true },
    {
      id: 'ws',
      hash: 'abcdefabcdefabcdefabcdefabcdef01',
      mode: 'workspace',
      workspace: { project: 'PYTHON-UNITTEST', scenarios: ['run', 'test'], terminal: true },
      origins: [LMS, 'self'],
      public: true,
    },
    {
      id: 'ws-no-self',
      mode: 'workspace',
      workspace: { project: 'PYTHON-UNITTEST' },
      origins: [LMS],
      public: true,
    },
  ],
  upstream: {
    compilers: { url: 'http://127.0.0.1:9/compilers/api/v4', token: TOKENS.compilers },
    problems: { url: 'http://127.0.0.1:9/problems/api/v4', token: TOKENS.problems },
  },
};

let server: RunningServer;
const rec = new Recorder();

before(async () => {
  server = await startServer({
    port: 0,
    config: parseConfig(config),
    sessionSecret: SECRET,
    log: () => {},
    accessLog: false,
  });
});
after(() => server.close());

const page = (query: string, init?: RequestInit) =>
  rec.fetch(`${server.url}/embed/solve?${query}`, init);

/** The directives of a Content-Security-Policy header. */
function csp(headers: Headers): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (headers.get('content-security-policy') ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name, values);
  }
  return out;
}

/** The settings the page hands its script. */
function pageConfig(html: string): { widget: string; origins: string[]; sdk: boolean } {
  const m = /<script type="application\/json" id="se-embed-config">([^<]*)<\/script>/.exec(html);
  assert.ok(m, 'the page has its settings');
  return JSON.parse(m[1]!) as { widget: string; origins: string[]; sdk: boolean };
}

describe('GET /embed/solve', () => {
  it('serves the page with the widget’s exact origins as frame-ancestors, never *', async () => {
    const r = await page('widget=run');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
    const policy = csp(r.headers);
    const ancestors = policy.get('frame-ancestors');
    assert.ok(ancestors, 'frame-ancestors is set');
    assert.ok(ancestors.includes(LMS));
    // "self" resolves as the API resolves it: the listening address and its loopback aliases.
    assert.ok(ancestors.includes(`http://127.0.0.1:${server.port}`), ancestors.join(' '));
    assert.ok(ancestors.includes(`http://localhost:${server.port}`), ancestors.join(' '));
    assert.ok(!ancestors.includes(SCHOOL));
    assert.ok(!r.headers.get('content-security-policy')!.includes('*'), 'no wildcard anywhere');
    assert.deepEqual(policy.get('script-src'), ["'self'"]);
    assert.deepEqual(policy.get('default-src'), ["'none'"]);
    assert.deepEqual(policy.get('object-src'), ["'none'"]);
    assert.deepEqual(policy.get('base-uri'), ["'none'"]);
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('cache-control'), 'no-store');
  });

  it('gives each widget its own frame-ancestors', async () => {
    const school = csp((await page('widget=school')).headers).get('frame-ancestors')!;
    assert.ok(school.includes(SCHOOL));
    assert.ok(!school.includes(LMS));
    const selfOnly = csp((await page('widget=self-only')).headers).get('frame-ancestors')!;
    assert.ok(
      selfOnly.every((o) => o.endsWith(`:${server.port}`)),
      selfOnly.join(' '),
    );
  });

  it('hands the page the allowed origins, the script-tag bundle and the frame script', async () => {
    const r = await page('widget=run&sdk=1&theme=dark');
    const c = pageConfig(r.text);
    assert.equal(c.widget, 'run');
    assert.equal(c.sdk, true);
    assert.deepEqual(
      [...c.origins].sort(),
      [...csp(r.headers).get('frame-ancestors')!].sort(),
      'the handshake accepts exactly the origins that may frame the page',
    );
    assert.match(r.text, /<script type="module" src="\/dist\/cdn\/se-widgets\.js"><\/script>/);
    assert.match(r.text, /<script type="module" src="\/dist\/cdn\/se-embed-frame\.js"><\/script>/);
    // Only the two script files: no inline script runs (the JSON block is data).
    assert.equal((r.text.match(/<script/g) ?? []).length, 3);
    assert.match(r.text, /<html lang="en" data-theme="dark">/);
    assert.match(r.text, /<title>Code exercise<\/title>/);
    assert.match(
      r.text,
      /id="se-open" href="\/embed\/solve\?widget=run&amp;theme=dark&amp;locale=en" target="_blank"/,
    );
  });

  it('answers HEAD with the same headers and no body', async () => {
    const r = await page('widget=run', { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(r.text, '');
    assert.ok(csp(r.headers).get('frame-ancestors')!.includes(LMS));
  });

  it('answers an unknown widget with a clear 404 page', async () => {
    const r = await page('widget=nope');
    assert.equal(r.status, 404);
    assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(r.text, /There is no widget “nope” on this server\./);
    assert.ok(!r.text.includes('<script'), 'the error page runs nothing');
    assert.deepEqual(csp(r.headers).get('default-src'), ["'none'"]);
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    const pl = await page('widget=nope&locale=pl');
    assert.match(pl.text, /nie ma widżetu „nope”/);
  });

  it('escapes what it echoes', async () => {
    const r = await page(`widget=${encodeURIComponent('<script>alert(1)</script>')}`);
    assert.equal(r.status, 404);
    assert.ok(!r.text.includes('<script>alert(1)'));
    assert.match(r.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  it('refuses a widget that does not list "self" (its frame could not call the API)', async () => {
    const r = await page('widget=no-self');
    assert.equal(r.status, 403);
    assert.match(r.text, /add &quot;self&quot; to its origins/);
    assert.deepEqual(csp(r.headers).get('frame-ancestors'), [LMS]);
  });

  it('refuses a token in the URL, and bad parameters', async () => {
    for (const q of ['widget=run&token=abc', 'widget=run&access_token=abc']) {
      const r = await page(q);
      assert.equal(r.status, 400, q);
      assert.match(r.text, /never accepted in a URL/);
    }
    for (const q of [
      '',
      'widget=',
      'widget=run&theme=neon',
      'widget=run&locale=xx',
      'widget=run&sdk=yes',
    ]) {
      assert.equal((await page(q)).status, 400, q);
    }
    const post = await page('widget=run', { method: 'POST' });
    assert.equal(post.status, 405);
  });

  it('puts no token, access token or secret in any page', async () => {
    for (const q of ['widget=run', 'widget=school&sdk=1', 'widget=nope', 'widget=no-self']) {
      await page(q);
    }
    const secrets = [
      TOKENS.compilers,
      TOKENS.problems,
      ...SECRET.split(',').map((p) => p.slice(p.indexOf(':') + 1)),
      'eyJ', // the start of any JWT
      'access_token',
    ];
    assert.equal(rec.leak(secrets), null);
  });

  it('leaves other routes alone', async () => {
    assert.equal((await rec.fetch(`${server.url}/embed/other`)).status, 404);
    const health = await rec.fetch(`${server.url}/healthz`);
    assert.ok([200, 503].includes(health.status));
  });
});

describe('GET /embed/workspace', () => {
  const ws = (query: string, init?: RequestInit) =>
    rec.fetch(`${server.url}/embed/workspace?${query}`, init);

  it('serves a workspace widget’s page with the headers of /embed/solve', async () => {
    const [r, solve] = [
      await ws('widget=ws&sdk=1&theme=dark&terminal=open'),
      await page('widget=run'),
    ];
    assert.equal(r.status, 200);
    const policy = csp(r.headers);
    const ancestors = policy.get('frame-ancestors')!;
    assert.ok(ancestors.includes(LMS));
    assert.ok(ancestors.includes(`http://127.0.0.1:${server.port}`), ancestors.join(' '));
    assert.ok(!r.headers.get('content-security-policy')!.includes('*'), 'no wildcard anywhere');
    // The same policy as /embed/solve but for the widget's own origins.
    assert.equal(
      r.headers.get('content-security-policy'),
      solve.headers.get('content-security-policy'),
    );
    for (const h of [
      'referrer-policy',
      'x-content-type-options',
      'cache-control',
      'permissions-policy',
    ])
      assert.equal(r.headers.get(h), solve.headers.get(h), h);
    const c = pageConfig(r.text) as ReturnType<typeof pageConfig> & {
      kind: string;
      terminal: string;
    };
    assert.equal(c.kind, 'workspace');
    assert.equal(c.widget, 'ws');
    assert.equal(c.terminal, 'open');
    assert.deepEqual([...c.origins].sort(), [...ancestors].sort());
    assert.equal((r.text.match(/<script/g) ?? []).length, 3);
    assert.match(r.text, /<title>Coding workspace<\/title>/);
    assert.match(
      r.text,
      /id="se-open" href="\/embed\/workspace\?widget=ws&amp;theme=dark&amp;locale=en&amp;terminal=open"/,
    );
    // /embed/solve's page says it hosts <se-solve>.
    assert.equal((pageConfig(solve.text) as { kind?: string }).kind, 'solve');
  });

  it('accepts the widget’s hosted hash and names the widget by its id', async () => {
    const r = await ws('widget=abcdefabcdefabcdefabcdefabcdef01');
    assert.equal(r.status, 200);
    assert.equal(pageConfig(r.text).widget, 'ws');
  });

  it('answers an unknown widget, or one that is not a workspace, with a clear page', async () => {
    const unknown = await ws('widget=nope');
    assert.equal(unknown.status, 404);
    assert.match(unknown.text, /There is no widget “nope” on this server\./);
    const run = await ws('widget=run');
    assert.equal(run.status, 404);
    assert.match(run.text, /Widget “run” is not a workspace/);
    assert.ok(!run.text.includes('<script'), 'the error page runs nothing');
    assert.deepEqual(csp(run.headers).get('frame-ancestors')!.includes(LMS), true);
    const pl = await ws('widget=run&locale=pl');
    assert.match(pl.text, /nie jest projektem/);
    // And the other way round: /embed/solve names the page a workspace needs.
    const solve = await page('widget=ws');
    assert.equal(solve.status, 404);
    assert.match(solve.text, /Widget “ws” is a workspace: embed it with \/embed\/workspace/);
    const noSelf = await ws('widget=ws-no-self');
    assert.equal(noSelf.status, 403);
    assert.deepEqual(csp(noSelf.headers).get('frame-ancestors'), [LMS]);
  });

  it('refuses a token in the URL and bad parameters', async () => {
    for (const q of ['widget=ws&token=abc', 'widget=ws&access_token=abc'])
      assert.equal((await ws(q)).status, 400, q);
    for (const q of ['', 'widget=ws&theme=neon', 'widget=ws&terminal=big', 'widget=ws&sdk=2'])
      assert.equal((await ws(q)).status, 400, q);
    // terminal is a workspace setting only.
    assert.equal((await page('widget=run&terminal=open')).status, 400);
    assert.equal((await ws('widget=ws', { method: 'POST' })).status, 405);
  });

  it('puts no token, access token or secret in any page', async () => {
    for (const q of ['widget=ws', 'widget=ws&sdk=1', 'widget=run', 'widget=nope']) await ws(q);
    const secrets = [
      TOKENS.compilers,
      TOKENS.problems,
      ...SECRET.split(',').map((p) => p.slice(p.indexOf(':') + 1)),
      'eyJ',
      'access_token',
    ];
    assert.equal(rec.leak(secrets), null);
  });
});
