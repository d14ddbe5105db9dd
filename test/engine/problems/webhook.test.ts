// A finished Problems submission reaches the webhook as the same item GET /submissions?ids=
// answers, signed; and as in-process events.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyWebhook } from '../../../src/engine/webhooks.js';
import { webhookReceiver } from '../helpers.js';
import { PYTHON, startProblemsEngine, type ProblemsEngine } from './helpers.js';

const SECRET = 'webhook-secret';
let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
let t: ProblemsEngine;

before(async () => {
  receiver = await webhookReceiver();
  t = await startProblemsEngine({ webhook: { url: receiver.url, secret: SECRET } });
});
after(async () => {
  await t.close();
  await receiver.close();
});

describe('webhook of a judged submission', () => {
  it('posts the GET /submissions?ids= item, signed, with module "problems"', async () => {
    const arrived = new Promise<void>((r) => receiver.onDelivery(r));
    const s = await t.judgeRun({
      problemId: 'SUMTWO',
      compilerId: PYTHON,
      source: 'a, b = map(int, input().split())\nprint(a + b)\n',
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      arrived,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('no webhook delivery within 30 s')), 30_000);
      }),
    ]).finally(() => clearTimeout(timer));
    const d = receiver.deliveries.find((x) => JSON.parse(x.body).submission?.id === s.id)!;
    assert.ok(d, 'the submission was delivered');
    assert.ok(verifyWebhook(d.body, SECRET, d.signature), 'the signature verifies');
    const payload = JSON.parse(d.body);
    assert.equal(payload.event, 'submission.finished');
    assert.equal(payload.module, 'problems');
    const item = (await t.get(`/submissions?ids=${s.id}`)).json.items[0];
    // The webhook's links use the engine's own URL; everything else is the same item.
    assert.deepEqual(
      { ...payload.submission, uri: 0, problem: { ...payload.submission.problem, uri: 0 } },
      {
        ...item,
        uri: 0,
        problem: { ...item.problem, uri: 0 },
      },
    );
    assert.equal(payload.submission.result.status.code, 15);
    assert.equal(payload.submission.result.testcases.length, 8);
  });
});
