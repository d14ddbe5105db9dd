// Signed placeholders of pages written for the hosted JS SDK: the HMAC scheme of
// src/server/sdk-signature.ts, and `POST /v1/sdk/sessions` that checks it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSdkSignature, signSdkFields } from '../../src/server/sdk-signature.js';
import { parseSessionSecret } from '../../src/server/sessions.js';
import { SECRET, testConfig, withBackend } from './helpers.js';

const ring = parseSessionSecret(SECRET);
const fields = { widget: 'private', id: 'w1', userId: 'learner-7', customData: 'course=42' };
const ORIGIN = 'https://school.example.com';

describe('SDK signatures', () => {
  it('accepts a good signature, with each key of a ring', () => {
    const { nonce, signature } = signSdkFields(SECRET, fields);
    assert.deepEqual(checkSdkSignature(ring, fields, nonce, signature).ok, true);
    const rotated = parseSessionSecret(`new:${'n'.repeat(40)},${SECRET}`);
    assert.equal(checkSdkSignature(rotated, fields, nonce, signature).ok, true);
  });

  it('refuses a bad signature, another secret, and a malformed nonce', () => {
    const { nonce, signature } = signSdkFields(SECRET, fields);
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    assert.deepEqual(checkSdkSignature(ring, fields, nonce, flipped), { ok: false, reason: 'bad' });
    const other = signSdkFields('x'.repeat(40), fields);
    assert.equal(checkSdkSignature(ring, fields, other.nonce, other.signature).ok, false);
    assert.equal(checkSdkSignature(ring, fields, 'no-expiry', signature).ok, false);
    assert.equal(checkSdkSignature(ring, fields, nonce, '').ok, false);
  });

  it('refuses an expired signature, and one made good for too long', () => {
    const old = signSdkFields(SECRET, fields, 60, Date.now() - 10 * 60_000);
    assert.deepEqual(checkSdkSignature(ring, fields, old.nonce, old.signature), {
      ok: false,
      reason: 'expired',
    });
    // Within the clock tolerance it still holds.
    const recent = signSdkFields(SECRET, fields, 60, Date.now() - 80_000);
    assert.equal(checkSdkSignature(ring, fields, recent.nonce, recent.signature).ok, true);
    const future = signSdkFields(SECRET, fields, 600, Date.now() + 3600_000);
    assert.equal(checkSdkSignature(ring, fields, future.nonce, future.signature).ok, false);
  });

  it('refuses each tampered field, the nonce included', () => {
    const { nonce, signature } = signSdkFields(SECRET, fields);
    for (const key of ['widget', 'id', 'userId', 'customData'] as const) {
      const changed = { ...fields, [key]: `${fields[key]}x` };
      assert.equal(checkSdkSignature(ring, changed, nonce, signature).ok, false, key);
    }
    const [exp, rand] = nonce.split('.');
    assert.equal(
      checkSdkSignature(ring, fields, `${Number(exp) + 1}.${rand}`, signature).ok,
      false,
    );
    // customData is signed as the SDK sends it: cut to 256 characters.
    const long = { ...fields, customData: 'c'.repeat(300) };
    const s = signSdkFields(SECRET, long);
    assert.equal(
      checkSdkSignature(ring, { ...long, customData: 'c'.repeat(256) }, s.nonce, s.signature).ok,
      true,
    );
  });

  it('POST /v1/sdk/sessions: a session for a good signature, a clear refusal otherwise', async () => {
    await withBackend({ standin: false }, async (t) => {
      const good = signSdkFields(SECRET, fields);
      const body = { ...fields, ...good };
      const ok = await t.call('/v1/sdk/sessions', { body, origin: ORIGIN });
      assert.equal(ok.status, 201, ok.text);
      assert.equal(typeof ok.json().token, 'string');

      const bad = await t.call('/v1/sdk/sessions', {
        body: { ...body, userId: 'someone-else' },
        origin: ORIGIN,
      });
      assert.equal(bad.status, 401);
      assert.equal(bad.json().error.code, 'unauthorized');
      assert.match(bad.json().error.message, /signature is not valid/);

      const old = signSdkFields(SECRET, fields, 60, Date.now() - 10 * 60_000);
      const expired = await t.call('/v1/sdk/sessions', {
        body: { ...fields, ...old },
        origin: ORIGIN,
      });
      assert.equal(expired.status, 401);
      assert.equal(expired.json().error.code, 'token_expired');

      const elsewhere = await t.call('/v1/sdk/sessions', {
        body,
        origin: 'https://evil.example',
      });
      assert.equal(elsewhere.status, 403);

      const unknown = await t.call('/v1/sdk/sessions', {
        body: { ...body, widget: 'nope' },
        origin: ORIGIN,
      });
      assert.equal(unknown.status, 404);
    });
  });

  it('a widget hash in the config names its widget; a hash naming two widgets is refused', async () => {
    const config = {
      widgets: [
        ...testConfig.widgets.filter((w) => w.id !== 'private'),
        { ...testConfig.widgets[2], hash: 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5' },
      ],
    };
    await withBackend({ standin: false, config }, async (t) => {
      const f = { ...fields, widget: 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5' };
      const r = await t.call('/v1/sdk/sessions', {
        body: { ...f, ...signSdkFields(SECRET, f) },
        origin: ORIGIN,
      });
      assert.equal(r.status, 201, r.text);
      const page = await fetch(`${t.url}/embed/solve?widget=a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5`);
      assert.equal(page.status, 403); // found by its hash; refused because it lacks "self"
    });
    const { parseConfig } = await import('../../src/server/config.js');
    assert.throws(
      () =>
        parseConfig({
          widgets: [
            { ...testConfig.widgets[0], hash: 'h1' },
            { ...testConfig.widgets[2], hash: 'h1' },
          ],
        }),
      /widget hash 'h1' names two widgets/,
    );
  });
});
