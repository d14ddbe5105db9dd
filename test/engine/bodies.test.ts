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
