// Request bodies at the edge of the engine, over real HTTP: a body over the cap is answered 413 in
// a way every client can read (Node's fetch included), and text that is not UTF-8 is refused with
// the code of the parameter it was sent in, never silently changed.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { LIMITS } from '../../src/engine/index.js';
import { PYTHON, startTestEngine, type TestEngine } from './helpers.js';

let t: TestEngine;
before(async () => {
  t = await startTestEngine();
});
after(async () => {
  await t.close();
});

const MiB = 1024 * 1024;
const submissions = () => `${t.api}/submissions?access_token=${t.engine.accessToken}`;

async function assert413(res: Response): Promise<void> {
  assert.equal(res.status, 413);
  const body = (await res.json()) as { error_code: number; message: string };
  assert.equal(body.error_code, 413);
  assert.match(body.message, /larger than 8388608 bytes/);
}

describe('a body over the cap', () => {
  it('is answered 413 that Node fetch reads, whatever the size up to the drain bound', async () => {
    for (const size of [LIMITS.bodyBytes + 1, 12 * MiB, 32 * MiB, 60 * MiB]) {
      for (let i = 0; i < 3; i++) {
        // a broken pipe here rejects fetch ("fetch failed"): the 413 must be readable
        const res = await fetch(submissions(), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: Buffer.alloc(size, 0x78),
        });
        await assert413(res);
      }
    }
  });

  it('is answered 413 when sent chunked, with no Content-Length', async () => {
    const chunk = Buffer.alloc(MiB, 0x78);
    for (let i = 0; i < 3; i++) {
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 20) return controller.close();
          sent++;
          controller.enqueue(chunk);
        },
      });
      const res = await fetch(submissions(), {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
        duplex: 'half',
      } as RequestInit & { duplex: 'half' });
      await assert413(res);
    }
  });

  it('still serves the next request after a 413 (a new connection)', async () => {
    const res = await fetch(submissions(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.alloc(16 * MiB, 0x20),
    });
    await assert413(res);
    assert.equal(res.headers.get('connection'), 'close');
    const ok = await t.post('/submissions', { json: { compilerId: PYTHON, source: 'print(1)' } });
    assert.equal(ok.status, 201, ok.text);
  });

  it('is answered before the body with Expect: 100-continue, and when far too large', async () => {
    for (const headers of [
      { 'Content-Length': String(20 * MiB), Expect: '100-continue' },
      // declared far beyond what the engine reads to the end: answered at once
      { 'Content-Length': String(4096 * MiB) },
    ]) {
      const answer = await new Promise<{ status: number; body: string; continued: boolean }>(
        (resolve, reject) => {
          let continued = false;
          const req = request(submissions(), {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', ...headers },
          });
          req.on('continue', () => (continued = true));
          req.on('response', (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body, continued }));
          });
          req.on('error', reject);
          // the body is never sent: the answer must come without it
          req.flushHeaders();
        },
      );
      assert.equal(answer.status, 413, answer.body);
      assert.equal(JSON.parse(answer.body).error_code, 413);
      assert.equal(answer.continued, false, 'no 100 Continue for a body that is refused');
    }
  });
});

/** POSTs a raw body to a module's path; the answer. */
async function raw(
  path: string,
  contentType: string,
  body: Buffer | string,
  base = t.api,
): Promise<{
  status: number;
  json: { error_code?: number; message?: string; [k: string]: unknown };
}> {
  const res = await fetch(`${base}${path}?access_token=${t.engine.accessToken}`, {
    method: 'POST',
    headers: { 'Content-Type': contentType },
    body,
  });
  return { status: res.status, json: (await res.json()) as { error_code?: number } };
}

/** A multipart body with one text part per field (raw bytes kept as given). */
function multipart(fields: Record<string, Buffer | string>): { type: string; body: Buffer } {
  const boundary = 'se-test-boundary-4242';
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`),
      Buffer.isBuffer(value) ? value : Buffer.from(value),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { type: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(parts) };
}

function refused(
  r: { status: number; json: { error_code?: number; message?: string } },
  code: number,
  field: RegExp,
): void {
  assert.equal(r.status, 400, JSON.stringify(r.json));
  assert.equal(r.json.error_code, code, JSON.stringify(r.json));
  assert.match(r.json.message ?? '', /not valid UTF-8/);
  assert.match(r.json.message ?? '', field);
}

describe('text that is not UTF-8', () => {
  it('is refused in Compilers submissions (form, multipart, JSON) and nothing is stored', async () => {
    const before = await t.submit({ compilerId: PYTHON, source: 'print(1)' });
    refused(
      await raw(
        '/submissions',
        'application/x-www-form-urlencoded',
        `compilerId=${PYTHON}&source=print(%22%FF%22)`,
      ),
      1003,
      /source/,
    );
    refused(
      await raw(
        '/submissions',
        'application/x-www-form-urlencoded',
        `compilerId=${PYTHON}&source=1&input=%C3%28`,
      ),
      1003,
      /input/,
    );
    const m = multipart({ compilerId: String(PYTHON), source: Buffer.from([0x70, 0xe9, 0x0a]) });
    refused(await raw('/submissions', m.type, m.body), 1003, /source/);
    const f = multipart({
      compilerId: String(PYTHON),
      'files[main.py]': Buffer.from([0x23, 0xed, 0xa0, 0x80]),
    });
    refused(await raw('/submissions', f.type, f.body), 1003, /files\[main\.py\]/);
    // a lone surrogate in JSON cannot be stored as UTF-8 either
    refused(
      await raw(
        '/submissions',
        'application/json',
        `{"compilerId": ${PYTHON}, "source": "\\ud800"}`,
      ),
      1003,
      /source.*lone surrogate/,
    );
    // bytes that are not UTF-8 make a JSON body malformed
    const bad = await raw(
      '/submissions',
      'application/json',
      Buffer.concat([
        Buffer.from(`{"compilerId": ${PYTHON}, "source": "`),
        Buffer.from([0xff]),
        Buffer.from('"}'),
      ]),
    );
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error_code, 10);
    assert.match(bad.json.message ?? '', /not valid UTF-8/);
    const after = await t.submit({ compilerId: PYTHON, source: 'print(2)' });
    assert.equal(after, before + 1, 'no submission was stored for the refused bodies');
  });

  it('keeps valid UTF-8 exactly, in every body format (form + and %XX included)', async () => {
    const source = 'print("żółw 🐢 a+b")';
    const form = await raw(
      '/submissions',
      'application/x-www-form-urlencoded',
      `compilerId=${PYTHON}&source=${encodeURIComponent(source).replace(/%20/g, '+')}`,
    );
    assert.equal(form.status, 201, JSON.stringify(form.json));
    const m = multipart({ compilerId: String(PYTHON), source });
    const mp = await raw('/submissions', m.type, m.body);
    assert.equal(mp.status, 201, JSON.stringify(mp.json));
    for (const id of [form.json.id, mp.json.id] as number[]) {
      assert.equal(await t.stream(id, 'source'), source);
      assert.equal((await t.final(id)).result.status.code, 15);
      assert.equal(await t.stream(id, 'output'), 'żółw 🐢 a+b\n');
    }
  });
});

describe('Problems: UTF-8 and name limits', () => {
  const problems = () => `${t.engine.url}/problems/api/v4`;
  const form = (path: string, body: string) =>
    raw(path, 'application/x-www-form-urlencoded', body, problems());

  it('refuses text that is not UTF-8 with the code of its parameter', async () => {
    refused(await form('/problems', 'masterjudgeId=1000&name=caf%E9'), 1003, /name/);
    const created = await form('/problems', 'masterjudgeId=1000&name=ok');
    assert.equal(created.status, 201);
    const id = created.json.id as number;
    refused(await form(`/problems/${id}/testcases`, 'judgeId=1&input=%FF'), 1103, /input/);
    refused(await form(`/problems/${id}/testcases`, 'judgeId=1&output=%80'), 1103, /output/);
    refused(
      await form('/widgets', `name=%FE&problem_id=${id}&default_language=${PYTHON}`),
      2012005,
      /name/,
    );
    refused(
      await form('/submissions', `problemId=${id}&compilerId=${PYTHON}&source=%C0%80`),
      1003,
      /source/,
    );
    refused(await form('/judges', `compilerId=${PYTHON}&source=%FF`), 1003, /source/);
    const list = await fetch(
      `${problems()}/problems/${id}/testcases?access_token=${t.engine.accessToken}`,
    );
    assert.deepEqual(
      ((await list.json()) as { items: unknown[] }).items,
      [],
      'no test case stored',
    );
  });

  it('counts name limits in characters (code points), not UTF-16 units', async () => {
    const turtles = (n: number) => '🐢'.repeat(n); // 2 UTF-16 units each
    const ok = await raw(
      '/problems',
      'application/json',
      JSON.stringify({ name: turtles(255), masterjudgeId: 1000 }),
      problems(),
    );
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
    const p = await fetch(
      `${problems()}/problems/${ok.json.id}?access_token=${t.engine.accessToken}`,
    );
    assert.equal(((await p.json()) as { name: string }).name, turtles(255));
    const over = await raw(
      '/problems',
      'application/json',
      JSON.stringify({ name: turtles(256), masterjudgeId: 1000 }),
      problems(),
    );
    assert.equal(over.status, 400);
    assert.equal(over.json.error_code, 1003);
    const w = await raw(
      '/widgets',
      'application/json',
      JSON.stringify({ name: turtles(128), problem_id: ok.json.id, default_language: PYTHON }),
      problems(),
    );
    assert.equal(w.status, 201, JSON.stringify(w.json));
    const w2 = await raw(
      '/widgets',
      'application/json',
      JSON.stringify({ name: turtles(129), problem_id: ok.json.id, default_language: PYTHON }),
      problems(),
    );
    assert.equal(w2.json.error_code, 2012006);
    // a judge's name is cut to 255 characters, never in the middle of one
    const j = await raw(
      '/judges',
      'application/json',
      JSON.stringify({ name: 'x' + turtles(300), source: 'print(1)', compilerId: PYTHON }),
      problems(),
    );
    assert.equal(j.status, 201, JSON.stringify(j.json));
    const judge = await fetch(
      `${problems()}/judges/${j.json.id}?access_token=${t.engine.accessToken}`,
    );
    assert.equal(((await judge.json()) as { name: string }).name, 'x' + turtles(254));
  });
});
