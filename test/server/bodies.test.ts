// A body over the backend's caps is answered 413 with its figures in a way every client can read
// (Node's fetch here; a browser alike): the backend reads the rest of the body, bounded, before
// it answers, instead of closing the connection under a client that is still sending.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withBackend } from './helpers.js';

const LMS = 'https://lms.example.org';

describe('a body over the caps', () => {
  it('is answered 413 too_large that fetch reads, sent whole or chunked', async () => {
    await withBackend({}, async (t) => {
      const run = await t.session('run', LMS);
      for (const size of [1024 * 1024, 8 * 1024 * 1024]) {
        for (const chunked of [false, true]) {
          const payload = Buffer.from(
            JSON.stringify({ compilerId: 116, source: 'x'.repeat(size) }),
          );
          const body = chunked
            ? new ReadableStream<Uint8Array>({
                start(c) {
                  for (let i = 0; i < payload.length; i += 65536) {
                    c.enqueue(payload.subarray(i, i + 65536));
                  }
                  c.close();
                },
              })
            : payload;
          const res = await fetch(`${t.url}/v1/runs`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${run}`,
              origin: LMS,
              'content-type': 'application/json',
            },
            body,
            duplex: 'half',
          } as RequestInit & { duplex: 'half' });
          assert.equal(res.status, 413, `${size} bytes, chunked: ${chunked}`);
          const err = ((await res.json()) as { error: { code: string; details: unknown } }).error;
          assert.equal(err.code, 'too_large');
          assert.equal((err.details as { what: string }).what, 'body');
        }
      }
    });
  });
});
