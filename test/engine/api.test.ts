// The Compilers API v4 over real HTTP: access, routing, bodies and every error code of the spec.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LIMITS } from '../../src/engine/index.js';
import { HIGHLIGHTER_KEYS, PYTHON, startTestEngine, type TestEngine } from './helpers.js';

let t: TestEngine;
before(async () => {
  t = await startTestEngine();
});
after(async () => {
  await t.close();
});

function assertError(r: { status: number; json: unknown }, status: number, code: number): void {
  assert.equal(r.status, status, JSON.stringify(r.json));
  const body = r.json as { error_code: unknown; message: unknown };
  assert.equal(body.error_code, code, JSON.stringify(body));
  assert.equal(typeof body.message, 'string');
  assert.ok((body.message as string).length > 0);
}

const hello = { compilerId: PYTHON, source: 'print("hi")' };

describe('access token', () => {
  it('is accepted in the query', async () => {
    const r = await t.get('/test');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { message: 'You can use Sphere Engine Compilers API.' });
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  });

  it('is accepted as Authorization: Bearer', async () => {
    const res = await fetch(`${t.api}/test`, {
      headers: { Authorization: `Bearer ${t.engine.accessToken}` },
    });
    assert.equal(res.status, 200);
  });

  it('answers 401/1 when missing, wrong, or a wrong Bearer', async () => {
    assertError(await t.get('/test', null), 401, 1);
    assertError(await t.get('/compilers', 'nope'), 401, 1);
    assertError(await t.get('/test', t.engine.accessToken + 'x'), 401, 1);
    const res = await fetch(`${t.api}/submissions/1`, { headers: { Authorization: 'Bearer no' } });
    assertError({ status: res.status, json: await res.json() }, 401, 1);
    assertError(await t.post('/submissions', { json: hello }, 'nope'), 401, 1);
  });
});

describe('routing', () => {
  it('answers unknown paths and methods with JSON 404 and 405', async () => {
    assertError(await t.get('/nothing'), 404, 404);
    const res = await fetch(`${t.api}/test?access_token=${t.engine.accessToken}`, {
      method: 'DELETE',
    });
    assertError({ status: res.status, json: await res.json() }, 405, 405);
    assert.equal(res.headers.get('allow'), 'GET');
    const root = await fetch(`${t.engine.url}/`);
    assert.equal(root.status, 404);
    assert.equal(((await root.json()) as { error_code: number }).error_code, 404);
  });

  it('serves the Containers API beside the others, behind the same token', async () => {
    const res = await fetch(
      `${t.engine.url}/containers/api/v1/test?access_token=${t.engine.accessToken}`,
    );
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { message: 'You can use Sphere Engine Containers API' });
    const denied = await fetch(`${t.engine.url}/containers/api/v1/test?access_token=wrong`);
    assert.equal(denied.status, 401);
    assert.equal(((await denied.json()) as { error_code: number }).error_code, 1);
  });
});

describe('GET /compilers', () => {
  it('lists Python 3, C++ and C with versions and all ten highlighters', async () => {
    const r = await t.get('/compilers');
    assert.equal(r.status, 200);
    const items = r.json.items as Array<{
      id: number;
      name: string;
      short: string;
      versions: Array<{ id: number; name: string }>;
      highlighters: Record<string, string>;
    }>;
    const ids = items.map((i) => i.id);
    for (const id of [1, 11, 116]) assert.ok(ids.includes(id), `compiler ${id} in ${ids}`);
    const keys = HIGHLIGHTER_KEYS;
    for (const item of items) {
      assert.equal(typeof item.name, 'string');
      assert.equal(typeof item.short, 'string');
      assert.ok(item.versions.length > 0);
      assert.deepEqual(Object.keys(item.highlighters).sort(), keys);
      for (const k of keys) assert.ok(item.highlighters[k], `${item.name} ${k}`);
    }
    assert.equal(items.find((i) => i.id === 116)?.highlighters.codemirror, 'python');
  });
});

describe('POST /submissions errors', () => {
  const post = (json: unknown) => t.post('/submissions', { json });

  it('201104 when no compiler is given', async () => {
    assertError(await post({ source: 'x' }), 400, 201104);
    assertError(
      await t.post('/submissions', { form: { source: 'x', compilerId: '' } }),
      400,
      201104,
    );
  });

  it('201101 for an unknown or malformed compiler', async () => {
    assertError(await post({ ...hello, compilerId: 99999 }), 400, 201101);
    assertError(await post({ ...hello, compilerId: 'python' }), 400, 201101);
  });

  it('201201 for an unknown compiler version', async () => {
    assertError(await post({ ...hello, compilerVersionId: 999 }), 400, 201201);
  });

  it('201304 when no source is given', async () => {
    assertError(await post({ compilerId: PYTHON }), 400, 201304);
    assertError(await post({ compilerId: PYTHON, source: '' }), 400, 201304);
  });

  it('201306 when the source is over the limit', async () => {
    const source = '#'.repeat(LIMITS.sourceBytes + 1);
    assertError(await post({ compilerId: PYTHON, source }), 400, 201306);
    // exactly at the limit is fine
    const ok = await post({ compilerId: PYTHON, source: '#'.repeat(LIMITS.sourceBytes) });
    assert.equal(ok.status, 201, ok.text);
  });

  it('201406 when the input is over the limit', async () => {
    assertError(await post({ ...hello, input: 'x'.repeat(LIMITS.inputBytes + 1) }), 400, 201406);
  });

  it('201906 for a time limit out of range or malformed', async () => {
    for (const timeLimit of [0, LIMITS.timeSec.max + 1, -1, 'soon']) {
      assertError(await post({ ...hello, timeLimit }), 400, 201906);
    }
  });

  it('202006 for a memory limit out of range or malformed', async () => {
    for (const memoryLimit of [1, LIMITS.memoryKb.max + 1, 'lots']) {
      assertError(await post({ ...hello, memoryLimit }), 400, 202006);
    }
  });

  it('413 for a body over the cap, 415 for another content type, 400/10 for bad JSON', async () => {
    const big = await fetch(`${t.api}/submissions?access_token=${t.engine.accessToken}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: 'x'.repeat(LIMITS.bodyBytes + 1),
    });
    assertError({ status: big.status, json: await big.json() }, 413, 413);
    const plain = await fetch(`${t.api}/submissions?access_token=${t.engine.accessToken}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'print(1)',
    });
    assertError({ status: plain.status, json: await plain.json() }, 415, 415);
    const bad = await fetch(`${t.api}/submissions?access_token=${t.engine.accessToken}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"source": ',
    });
    assertError({ status: bad.status, json: await bad.json() }, 400, 10);
  });
});

describe('POST /submissions bodies', () => {
  it('takes JSON, form and multipart bodies, with the token as Bearer too', async () => {
    const source = 'print(input())  # żółw';
    const json = await t.submit({ compilerId: PYTHON, source, input: 'from json' });
    const form = await t.post('/submissions', {
      form: { compilerId: String(PYTHON), source, input: 'from form' },
    });
    assert.equal(form.status, 201, form.text);
    const multipart = await t.post('/submissions', {
      multipart: { compilerId: String(PYTHON), source, input: 'from multipart' },
    });
    assert.equal(multipart.status, 201, multipart.text);
    const bearer = await fetch(`${t.api}/submissions`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${t.engine.accessToken}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ compilerId: PYTHON, source, input: 'from bearer' }),
    });
    assert.equal(bearer.status, 201);
    const ids = [
      json,
      form.json.id as number,
      multipart.json.id as number,
      ((await bearer.json()) as { id: number }).id,
    ];
    const inputs = ['from json', 'from form', 'from multipart', 'from bearer'];
    for (const [i, id] of ids.entries()) {
      const d = await t.final(id);
      assert.equal(d.result.status.code, 15, `${inputs[i]}: ${JSON.stringify(d)}`);
      assert.equal(await t.stream(id, 'source'), source);
      assert.equal(await t.stream(id, 'input'), inputs[i]);
      assert.equal(await t.stream(id, 'output'), inputs[i] + '\n');
    }
  });
  it('takes multi-file projects as form and multipart files[name] fields', async () => {
    const form = await t.post('/submissions', {
      form: {
        compilerId: String(PYTHON),
        'files[main.py]': 'from pkg import util\nutil.hi("form")',
        'files[pkg/util.py]': 'def hi(who): print("hi from", who)',
      },
    });
    assert.equal(form.status, 201, form.text);
    // a `source` beside `files` is the entry file under the language's single-file name
    const multipart = await t.post('/submissions', {
      multipart: {
        compilerId: String(PYTHON),
        source: 'import util\nutil.hi("multipart")',
        'files[util.py]': 'def hi(who): print("hi from", who)',
      },
    });
    assert.equal(multipart.status, 201, multipart.text);
    const f = await t.final(form.json.id as number);
    assert.equal(f.result.status.code, 15, await t.stream(f.id, 'error'));
    assert.equal(await t.stream(f.id, 'output'), 'hi from form\n');
    const m = await t.final(multipart.json.id as number);
    assert.equal(m.result.status.code, 15, await t.stream(m.id, 'error'));
    assert.equal(await t.stream(m.id, 'output'), 'hi from multipart\n');
  });

  it('400/1003 for a file name that leaves the project folder', async () => {
    for (const name of ['../evil.py', '/etc/passwd', 'a/./b.py']) {
      const r = await t.post('/submissions', {
        json: { compilerId: PYTHON, files: { [name]: 'print(1)', 'main.py': 'print(2)' } },
      });
      assertError(r, 400, 1003);
    }
  });
});

describe('GET /submissions?ids=', () => {
  it('205104 without ids, 205105 for malformed ids, 205106 for more than 20', async () => {
    assertError(await t.get('/submissions'), 400, 205104);
    assertError(await t.get('/submissions?ids='), 400, 205104);
    assertError(await t.get('/submissions?ids=1,x'), 400, 205105);
    assertError(await t.get('/submissions?ids=1,,2'), 400, 205105);
    const ids21 = Array.from({ length: 21 }, (_, i) => i + 1).join(',');
    assertError(await t.get(`/submissions?ids=${ids21}`), 400, 205106);
    const ids20 = Array.from({ length: 20 }, (_, i) => i + 1).join(',');
    assert.equal((await t.get(`/submissions?ids=${ids20}`)).status, 200);
  });

  it('answers existing ids sorted ascending, with summaries and uris', async () => {
    const a = await t.submit(hello);
    const b = await t.submit(hello);
    const c = await t.submit(hello);
    await t.final(c);
    const r = await t.get(`/submissions?ids=${c},999999,${a},${b}`);
    assert.equal(r.status, 200);
    const items = r.json.items as Array<Record<string, unknown>>;
    assert.deepEqual(
      items.map((i) => i.id),
      [a, b, c],
    );
    const last = items[2]!;
    assert.deepEqual(Object.keys(last).sort(), [
      'compiler',
      'date',
      'executing',
      'id',
      'result',
      'uri',
    ]);
    assert.equal(last.uri, `${t.api}/submissions/${c}?access_token=${t.engine.accessToken}`);
    assert.ok(!('streams' in (last.result as object)));
  });
});

describe('GET /submissions/:id and streams', () => {
  it('404/1001 for an unknown submission, 404/1101 for an unknown stream', async () => {
    assertError(await t.get('/submissions/999999'), 404, 1001);
    assertError(await t.get('/submissions/abc'), 404, 1001);
    assertError(await t.get('/submissions/999999/output'), 404, 1001);
    const id = await t.submit(hello);
    await t.final(id);
    assertError(await t.get(`/submissions/${id}/secrets`), 404, 1101);
    assertError(await t.get(`/submissions/${id}/cmpinfo`), 404, 1101); // empty stream
  });

  it('answers every field of the spec, with stream uris on this engine', async () => {
    const id = await t.submit({ ...hello, input: 'abc' });
    const d = await t.final(id);
    assert.equal(d.id, id);
    assert.equal(d.executing, false);
    assert.match(d.date, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+00:00$/);
    assert.equal(d.compiler.id, PYTHON);
    assert.equal(typeof d.compiler.name, 'string');
    assert.equal(typeof d.compiler.version.id, 'number');
    assert.equal(typeof d.compiler.version.name, 'string');
    assert.deepEqual(d.result.status, { code: 15, name: 'accepted' });
    assert.equal(typeof d.result.time, 'number');
    assert.ok(Number.isInteger(d.result.memory) && d.result.memory! > 0);
    assert.equal(d.result.signal, 0);
    assert.equal(d.result.signal_desc, '');
    const s = d.result.streams;
    assert.equal(s.source?.size, Buffer.byteLength(hello.source));
    assert.equal(s.input?.size, 3);
    assert.equal(s.output?.size, 3);
    assert.equal(s.error, null);
    assert.equal(s.cmpinfo, null);
    const token = t.engine.accessToken;
    assert.equal(s.output?.uri, `${t.api}/submissions/${id}/output?access_token=${token}`);
    const raw = await fetch(s.output!.uri);
    assert.equal(await raw.text(), 'hi\n');
  });
});
