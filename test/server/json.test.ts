// /v1 answers are JSON from one place (sendJson): the larger ones go compressed to clients that
// accept it, and none that carries a session token does.
import assert from 'node:assert/strict';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { sendJson } from '../../src/server/http.js';

const items = Array.from({ length: 40 }, (_, i) => ({ id: i, name: `Language ${i}` }));

function get(
  url: string,
  acceptEncoding?: string,
): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(parts) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('sendJson', () => {
  let base = '';
  const server = createServer((req, res) => {
    if (req.url === '/big') sendJson(res, 200, { items });
    else if (req.url === '/small') sendJson(res, 200, { items: items.slice(0, 2) });
    else sendJson(res, 201, { token: 'x'.repeat(2000), items });
  });
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('compresses a large answer with brotli or gzip, as accepted, and says it varies', async () => {
    const br = await get(`${base}/big`, 'gzip, deflate, br');
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(Number(br.headers['content-length']), br.body.length);
    assert.deepEqual(JSON.parse(brotliDecompressSync(br.body).toString()), { items });
    assert.match(String(br.headers.vary), /Origin, Accept-Encoding/);
    const gz = await get(`${base}/big`, 'gzip');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(JSON.parse(gunzipSync(gz.body).toString()), { items });
    const plain = await get(`${base}/big`);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.deepEqual(JSON.parse(plain.body.toString()), { items });
  });

  it('sends small answers, and any answer with a token, as they are', async () => {
    const small = await get(`${base}/small`, 'br');
    assert.equal(small.headers['content-encoding'], undefined);
    const token = await get(`${base}/token`, 'br');
    assert.equal(token.headers['content-encoding'], undefined);
    assert.equal(JSON.parse(token.body.toString()).token.length, 2000);
  });
});
