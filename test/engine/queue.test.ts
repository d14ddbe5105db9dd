// The queue and pool over real HTTP: a burst with every submission run exactly once, and the
// 503 answer at the configured bound.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { listenLocal } from '../helpers/http.js';
import { PYTHON, startTestEngine } from './helpers.js';

describe('queue', () => {
  it('runs 300 submissions posted at once with 2 workers, each exactly once', async () => {
    // A webhook receiver counts deliveries too: one per submission, none lost, none doubled.
    const delivered = new Map<number, number>();
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const id = (JSON.parse(body) as { submission: { id: number } }).submission.id;
        delivered.set(id, (delivered.get(id) ?? 0) + 1);
        res.end('ok');
      });
    });
    const origin = await listenLocal(receiver);
    const t = await startTestEngine({
      workers: 2,
      webhook: { url: `${origin}/hook`, secret: 's' },
    });
    try {
      const executions = new Map<number, number>();
      const finishes = new Map<number, number>();
      t.engine.events.on('submission.status', (e) => {
        if (e.status.code === 3) executions.set(e.id, (executions.get(e.id) ?? 0) + 1);
      });
      t.engine.events.on('submission.finished', (e) => {
        finishes.set(e.id, (finishes.get(e.id) ?? 0) + 1);
      });
      const n = 300;
      const ids = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          t.submit({ compilerId: PYTHON, source: `print(${i} * 2)` }),
        ),
      );
      assert.equal(new Set(ids).size, n);
      // ~10 s here; the bound is for a slow, loaded machine (the file's timeout is 300 s)
      const results = await Promise.all(ids.map((id) => t.final(id, 240_000)));
      for (const d of results) {
        assert.equal(d.result.status.code, 15, JSON.stringify(d));
      }
      // Outputs belong to their own submission.
      for (const i of [0, 1, 150, 299]) {
        assert.equal(await t.stream(ids[i]!, 'output'), `${i * 2}\n`);
      }
      for (const id of ids) {
        assert.equal(executions.get(id), 1, `submission ${id} executions`);
        assert.equal(finishes.get(id), 1, `submission ${id} finishes`);
      }
      const deadline = Date.now() + 30_000;
      while (delivered.size < n && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(delivered.size, n);
      assert.ok([...delivered.values()].every((c) => c === 1));
    } finally {
      await t.close();
      await new Promise((r) => receiver.close(r));
    }
  });

  it('answers 503 with Retry-After once the bound is reached, storing nothing', async () => {
    const t = await startTestEngine({ workers: 1, queueSize: 3 });
    try {
      const running = new Promise<void>((resolve) => {
        t.engine.events.on('submission.status', (e) => e.status.code === 3 && resolve());
      });
      // Holds the only worker: killed by the wall timer after about 2 s.
      const slow = await t.submit({
        compilerId: PYTHON,
        source: 'import time\ntime.sleep(30)',
        timeLimit: 1,
      });
      await running;
      const queued = [];
      for (let i = 0; i < 3; i++)
        queued.push(await t.submit({ compilerId: PYTHON, source: 'print(1)' }));
      const full = await t.post('/submissions', {
        json: { compilerId: PYTHON, source: 'print(2)' },
      });
      assert.equal(full.status, 503, full.text);
      assert.equal(full.json.error_code, 503);
      assert.match(full.json.message, /queue is full/);
      assert.match(full.headers.get('retry-after') ?? '', /^\d+$/);
      const last = queued[2]!;
      const after = await t.get(`/submissions?ids=${last + 1}`);
      assert.deepEqual(after.json.items, [], 'the refused submission was not stored');
      assert.equal((await t.final(slow)).result.status.code, 13);
      for (const id of queued) assert.equal((await t.final(id)).result.status.code, 15);
      // Room again once the queue drained.
      assert.equal(
        (await t.post('/submissions', { json: { compilerId: PYTHON, source: 'print(3)' } })).status,
        201,
      );
    } finally {
      await t.close();
    }
  });
});
