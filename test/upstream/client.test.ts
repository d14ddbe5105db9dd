// The typed upstream client against the stand-in of the hosted service, which answers with the
// response examples of the spec files (test/server/standin.ts).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  createUpstream,
  scrubSecrets,
  Transport,
  UpstreamHttpError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
  type CompilersClient,
  type Upstream,
} from '../../src/upstream/index.js';
import { closeNow, listenLocal } from '../helpers/http.js';
import { parseSpecExamples, startStandin, type Standin } from '../server/standin.js';
import { TOKENS } from '../server/helpers.js';

describe('upstream client', () => {
  let standin: Standin;
  let up: Upstream;
  before(async () => {
    standin = await startStandin({ tokens: TOKENS });
    up = createUpstream({
      compilers: standin.endpoint('compilers'),
      problems: standin.endpoint('problems'),
      containers: standin.endpoint('containers'),
    });
  });
  after(() => standin.close());

  it('parses a response example for every method of the three spec files', () => {
    const compilers = parseSpecExamples('compilers');
    assert.deepEqual(
      compilers.map((e) => `${e.method} ${e.template}`),
      [
        'GET /test',
        'GET /compilers',
        'POST /submissions',
        'GET /submissions',
        'GET /submissions/:id',
        'GET /submissions/:id/:stream',
      ],
    );
    assert.ok(parseSpecExamples('problems').length >= 20);
    assert.ok(parseSpecExamples('containers').length >= 15);
  });

  it('calls the Compilers API with the access token as a query parameter', async () => {
    assert.deepEqual(await up.compilers!.test(), {
      message: 'You can use Sphere Engine Compilers API.',
    });
    const { items } = await up.compilers!.compilers();
    assert.deepEqual(
      items.map((c) => c.short),
      ['CPP', 'PYTHON3'],
    );
    const { id } = await up.compilers!.createSubmission({
      compilerId: 116,
      source: 'print(1)',
      input: '',
    });
    assert.equal(typeof id, 'number');
    const s = await up.compilers!.submission(id);
    assert.equal(s.result.status.name, 'accepted');
    assert.equal(s.result.streams.output?.size, 11);
    const list = await up.compilers!.submissions([1, 2]);
    assert.deepEqual(
      list.items.map((i) => i.id),
      [1, 2],
    );
    const out = await up.compilers!.stream(1, 'output', 1000);
    assert.deepEqual(out, {
      text: 'hello world',
      bytes: 11,
      complete: true,
      raw: Buffer.from('hello world'),
    });
    assert.ok(standin.requests.every((r) => r.authorized));
    const ids = standin.requests.find((r) => r.path === '/submissions' && r.method === 'GET');
    assert.deepEqual(ids?.query, { ids: '1,2' });
  });

  it('calls the Problems API, by id or by code', async () => {
    const p = await up.problems!.problem('EXPRBL');
    assert.equal(p.id, 43);
    assert.equal(p.masterjudge.id, 1001);
    const tcs = await up.problems!.testcases(43);
    assert.equal(tcs.items.length, 2);
    const tc = await up.problems!.testcase(43, 0);
    assert.equal(tc.output.size, 9);
    const file = await up.problems!.testcaseFile(43, 0, 'output', 100);
    assert.equal(file.complete, true);
    const judges = await up.problems!.judges();
    assert.equal(judges.items[0]?.name, 'Ignores extra whitespaces');
    const created = await up.problems!.createSubmission({
      problemId: 'EXPRBL',
      compilerId: 1,
      source: 'x',
      tests: [0, 1],
    });
    assert.equal(typeof created.id, 'number');
    const post = standin.requests
      .filter((r) => r.module === 'problems' && r.method === 'POST')
      .pop();
    assert.deepEqual(JSON.parse(post!.body), {
      problemId: 'EXPRBL',
      compilerId: 1,
      source: 'x',
      tests: '0,1',
    });
    const s = await up.problems!.submission(42);
    assert.equal(s.result.testcases[0]?.status.code, 15);
  });

  it('calls the Containers API, with base64 paths and multipart uploads', async () => {
    const w = await up.containers!.workspace('93086f6043984e63b696c710317ee6eb');
    assert.equal(w.state.name, 'removed');
    const files = await up.containers!.listFiles('abc', 'src/');
    assert.equal(files.listed_dir, '/home/user/workspace');
    const listed = standin.requests.find((r) => r.path.startsWith('/workspaces/abc/list_files/'));
    assert.equal(
      listed?.path,
      '/workspaces/abc/list_files/' + encodeURIComponent(Buffer.from('src/').toString('base64')),
    );
    const up1 = await up.containers!.uploadFile('abc', 'src/main.py', 'print(1)');
    assert.equal(up1.path, '/home/user/workspace/src/main.py');
    const upload = standin.requests.find((r) => r.path === '/workspaces/abc/files');
    assert.match(upload!.body, /name="filepath"\r\n\r\nsrc\/main\.py/);
    assert.match(upload!.body, /name="filedata"; filename="src\/main\.py"/);
    const sub = await up.containers!.createSubmission({
      project_id: 'p',
      source: new Uint8Array([1, 2, 3]),
      scenario: 'test',
    });
    assert.equal(typeof sub.id, 'number');
    const ws = await up.containers!.workspaces({ states: [1, 2], limit: 5 });
    assert.equal(ws.items.length, 2);
    const q = standin.requests.find((r) => r.path === '/workspaces' && r.method === 'GET');
    assert.deepEqual(
      q?.query,
      { 'states[]': '2', limit: '5' },
      'states[]=1&states[]=2 (the last shown)',
    );
    assert.equal(
      (await up.containers!.project('eef024c1d14f46319517a65edafb5ee3')).id !== undefined,
      true,
    );
  });

  it('maps an upstream error to a typed error, with no token or URL in its message', async () => {
    const bad = createUpstream({
      compilers: { url: standin.endpoint('compilers').url, token: 'wrong-token-123456' },
    });
    const err = await bad.compilers!.compilers().catch((e: unknown) => e);
    assert.ok(err instanceof UpstreamHttpError);
    assert.equal(err.status, 401);
    assert.equal(err.errorCode, 1);
    assert.equal(
      err.message,
      'Compilers API GET /compilers: unauthorized access (the access token was refused) (HTTP 401, error_code 1)',
    );
    const t = new Transport('problems', standin.endpoint('problems'));
    const missing = await t
      .json('GET', '/nope/:id', { params: { id: 'x?y' } })
      .catch((e: unknown) => e);
    assert.ok(missing instanceof UpstreamHttpError);
    assert.equal(missing.status, 404);
    assert.equal(
      missing.message,
      'Problems API GET /nope/:id: not found (HTTP 404, error_code 1001)',
    );
  });

  it('refuses a URL carrying the token, and a non-HTTP URL', () => {
    assert.throws(
      () => new Transport('compilers', { url: 'http://x/api?access_token=abc', token: 't' }),
      /separately/,
    );
    assert.throws(() => new Transport('compilers', { url: 'file:///etc', token: 't' }), /http/);
  });

  it('reads a stream up to a cap, never cutting a character', async () => {
    const server = createServer((_req, res) => res.end('ab€cd')); // € is 3 bytes
    const url = await listenLocal(server);
    try {
      const t = new Transport('compilers', {
        url,
        token: 'tok-123456789',
      });
      // `raw` is every byte read up to the cap, a cut character's first byte included
      const all = Buffer.from('ab€cd');
      const capped = (n: number) => all.subarray(0, n);
      assert.deepEqual(await t.text('/x', 3), {
        text: 'ab',
        bytes: 2,
        complete: false,
        raw: capped(3),
      });
      assert.deepEqual(await t.text('/x', 5), {
        text: 'ab€',
        bytes: 5,
        complete: false,
        raw: capped(5),
      });
      assert.deepEqual(await t.text('/x', 100), {
        text: 'ab€cd',
        bytes: 7,
        complete: true,
        raw: all,
      });
    } finally {
      server.close();
    }
  });
});

describe('upstream client: timeouts and retries', () => {
  /** A server answering each request per `plan` (status, or 'hang'), recording arrivals. */
  async function planned(plan: Array<number | 'hang'>) {
    const hits: number[] = [];
    const server = createServer((req, res) => {
      hits.push(Date.now());
      const step = plan[Math.min(hits.length - 1, plan.length - 1)];
      if (step === 'hang') return; // never answers
      res.writeHead(step!, { 'content-type': 'application/json' });
      res.end(step === 200 ? '{"items":[]}' : '{"error_code":20,"message":"x"}');
    });
    const url = `${await listenLocal(server)}/api/v4`;
    return { hits, url, close: () => closeNow(server) };
  }

  /** `fn` with a Compilers client (`options`) of a server answering per `plan`; closed after. */
  async function withPlanned(
    plan: Array<number | 'hang'>,
    options: Parameters<typeof createUpstream>[1],
    fn: (compilers: CompilersClient, s: Awaited<ReturnType<typeof planned>>) => Promise<void>,
  ) {
    const s = await planned(plan);
    try {
      await fn(
        createUpstream({ compilers: { url: s.url, token: 'tok-123456789' } }, options).compilers!,
        s,
      );
    } finally {
      await s.close();
    }
  }

  it('retries a GET after a 5xx, with backoff', async () => {
    await withPlanned([503, 500, 200], { retries: 2, retryDelayMs: 50 }, async (compilers, s) => {
      assert.deepEqual(await compilers.compilers(), { items: [] });
      assert.equal(s.hits.length, 3);
      assert.ok(
        s.hits[1]! - s.hits[0]! >= 30 && s.hits[2]! - s.hits[1]! >= 60,
        'the delay doubles',
      );
    });
  });

  it('never retries a POST', async () => {
    await withPlanned([503, 201], { retries: 3, retryDelayMs: 10 }, async (compilers, s) => {
      await assert.rejects(
        compilers.createSubmission({ compilerId: 1, source: 'x' }),
        UpstreamHttpError,
      );
      assert.equal(s.hits.length, 1);
    });
  });

  it('does not retry a 4xx', async () => {
    await withPlanned([404, 200], { retries: 3, retryDelayMs: 10 }, async (compilers, s) => {
      await assert.rejects(compilers.submission(5), UpstreamHttpError);
      assert.equal(s.hits.length, 1);
    });
  });

  it('times out a request that hangs, on every attempt', async () => {
    await withPlanned(
      ['hang'],
      { timeoutMs: 100, retries: 1, retryDelayMs: 10 },
      async (compilers, s) => {
        const started = Date.now();
        const err = await compilers.compilers().catch((e: unknown) => e);
        assert.ok(err instanceof UpstreamTimeoutError);
        assert.equal(err.message, 'Compilers API GET /compilers: no answer within 100 ms');
        assert.equal(s.hits.length, 2);
        // two 100 ms attempts, far from the 10 s default timeout even on a loaded machine
        assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
      },
    );
  });

  it('reports an unreachable service without its address or token', async () => {
    const s = await planned([200]);
    await s.close();
    const up = createUpstream({ problems: { url: s.url, token: 'tok-123456789' } }, { retries: 0 });
    const err = await up.problems!.problem(1).catch((e: unknown) => e);
    assert.ok(err instanceof UpstreamUnavailableError);
    assert.equal(
      err.message,
      'Problems API GET /problems/:id: the service is unreachable (connection refused)',
    );
  });
});

describe('scrubSecrets', () => {
  it('redacts access_token values and the given secrets', () => {
    assert.equal(
      scrubSecrets(
        'GET https://x/api/v4/test?a=1&access_token=abc123&b=2 and "access_token=q"',
        [],
      ),
      'GET https://x/api/v4/test?a=1&access_token=[redacted]&b=2 and "access_token=[redacted]"',
    );
    assert.equal(
      scrubSecrets('token is s3cr3t-value-long here', ['s3cr3t-value-long']),
      'token is [redacted] here',
    );
    assert.equal(scrubSecrets('short ab', ['ab']), 'short ab', 'too short to be a token');
  });
});
