// Completion pushed: the signed webhook (retried when the receiver fails) and in-process events.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { describe, it } from 'node:test';
import {
  verifyWebhook,
  type SubmissionFinishedEvent,
  type SubmissionStatusEvent,
} from '../../src/engine/index.js';
import { listenLocal } from '../helpers/http.js';
import { PYTHON, startTestEngine } from './helpers.js';

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

describe('webhooks and events', () => {
  it('POSTs a signed summary, retrying after the receiver fails', async () => {
    const secret = 'hook-secret-ü';
    const deliveries: Delivery[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        deliveries.push({ headers: req.headers, body, at: Date.now() });
        // The first attempt fails: the engine must try again.
        res.statusCode = deliveries.length === 1 ? 500 : 204;
        res.end();
      });
    });
    const url = `${await listenLocal(receiver)}/se-hook`;
    const t = await startTestEngine({ webhook: { url, secret } });
    try {
      const id = await t.submit({ compilerId: PYTHON, source: 'print("hook")' });
      await t.final(id);
      const deadline = Date.now() + 30_000;
      while (deliveries.length < 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.equal(deliveries.length, 2, 'one failed attempt, then one retry');
      const [first, second] = deliveries as [Delivery, Delivery];
      assert.equal(first.body, second.body);
      assert.ok(second.at - first.at >= 400, 'the retry waits (backoff)');
      const signature = second.headers['x-sphere-engine-signature'];
      assert.equal(signature, createHmac('sha256', secret).update(second.body).digest('hex'));
      assert.match(String(signature), /^[0-9a-f]{64}$/);
      assert.ok(verifyWebhook(second.body, secret, String(signature)));
      assert.ok(!verifyWebhook(second.body + ' ', secret, String(signature)));
      assert.match(String(second.headers['content-type']), /^application\/json/);
      const payload = JSON.parse(second.body) as Record<string, unknown>;
      const listed = await t.get(`/submissions?ids=${id}`);
      assert.deepEqual(payload, {
        event: 'submission.finished',
        module: 'compilers',
        submission: listed.json.items[0],
      });
      // No more attempts once one succeeded.
      await new Promise((r) => setTimeout(r, 1200));
      assert.equal(deliveries.length, 2);
    } finally {
      await t.close();
      await new Promise((r) => receiver.close(r));
    }
  });

  it('emits submission.status on every change and submission.finished once', async () => {
    const t = await startTestEngine();
    try {
      const statuses: SubmissionStatusEvent[] = [];
      const finished: SubmissionFinishedEvent[] = [];
      t.engine.events.on('submission.status', (e) => statuses.push(e));
      t.engine.events.on('submission.finished', (e) => finished.push(e));
      const id = await t.submit({ compilerId: 1, source: 'int main() { return 0; }' });
      await t.final(id);
      const mine = statuses.filter((e) => e.id === id);
      assert.deepEqual(
        mine.map((e) => [e.status.code, e.executing]),
        [
          [0, true],
          [1, true],
          [3, true],
          [15, false],
        ],
      );
      assert.deepEqual(mine[0], {
        module: 'compilers',
        id,
        executing: true,
        status: { code: 0, name: 'waiting...' },
      });
      assert.deepEqual(
        finished.filter((e) => e.id === id),
        [{ module: 'compilers', id, status: { code: 15, name: 'accepted' } }],
      );
    } finally {
      await t.close();
    }
  });
});
