/**
 * Signed widgets for pages written for the hosted JS SDK (`/static/sdk/sdk.js`): the host's server
 * signs a placeholder's `data-widget`, `data-id`, `data-user-id` and `data-custom-data` with the
 * backend's session secret (`SE_SESSION_SECRET`, the one `se-widgets token` uses) and puts the
 * result in `data-signature` and `data-nonce`; the SDK hands them to `POST /v1/sdk/sessions`,
 * which checks them and mints a session for that user.
 *
 * The scheme (documented in the README, "Moving from the hosted widgets"):
 * - `nonce` is `<expiry, Unix seconds>.<at least 16 random base64url characters>`;
 * - `signature` is the base64url HMAC-SHA256, keyed with the secret, of the UTF-8 JSON array
 *   `["se-sdk-v1", widget, id, userId, customData, nonce]` (customData cut to 256 characters,
 *   as the SDK sends it; absent fields are "");
 * - it is good until its expiry (at most 15 minutes ahead, 30 s of clock tolerance).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  CLOCK_TOLERANCE_SECONDS,
  MAX_TTL_SECONDS,
  type KeyRing,
  parseSessionSecret,
} from './sessions.js';
import { CUSTOM_DATA_MAX } from '../shared/sdk.js';

export const SDK_SIGNATURE_VERSION = 'se-sdk-v1';
export { CUSTOM_DATA_MAX };

/** The signed fields of a placeholder. */
export interface SdkFields {
  /** `data-widget`: the widget id or its hosted hash */
  widget: string;
  /** `data-id` */
  id?: string;
  /** `data-user-id` */
  userId?: string;
  /** `data-custom-data` (cut to 256 characters) */
  customData?: string;
}

const NONCE = /^(\d{1,12})\.[A-Za-z0-9_-]{16,128}$/;

function mac(secret: Uint8Array, f: SdkFields, nonce: string): Buffer {
  const text = JSON.stringify([
    SDK_SIGNATURE_VERSION,
    f.widget,
    f.id ?? '',
    f.userId ?? '',
    (f.customData ?? '').slice(0, CUSTOM_DATA_MAX),
    nonce,
  ]);
  return createHmac('sha256', secret).update(text, 'utf8').digest();
}

/**
 * Signs a placeholder's fields (the host's server does this) with `secret`: the value of
 * `SE_SESSION_SECRET` (with a key ring, its first key signs) or a key's raw bytes. Good for
 * `ttlSeconds` (at most 900).
 */
export function signSdkFields(
  secret: string | Uint8Array,
  fields: SdkFields,
  ttlSeconds = 600,
  now = Date.now(),
): { nonce: string; signature: string } {
  const key = typeof secret === 'string' ? parseSessionSecret(secret).keys[0]!.secret : secret;
  const ttl = Math.max(1, Math.min(MAX_TTL_SECONDS, Math.floor(ttlSeconds)));
  const nonce = `${Math.floor(now / 1000) + ttl}.${randomBytes(18).toString('base64url')}`;
  return { nonce, signature: mac(key, fields, nonce).toString('base64url') };
}

export type SdkCheck = { ok: true; expiresAt: number } | { ok: false; reason: 'bad' | 'expired' };

/** Checks a signature against every key of the ring; `reason` says why it is refused. */
export function checkSdkSignature(
  ring: KeyRing,
  fields: SdkFields,
  nonce: string,
  signature: string,
  now = Date.now(),
): SdkCheck {
  const m = NONCE.exec(nonce);
  if (!m || !/^[A-Za-z0-9_-]{43}$/.test(signature)) return { ok: false, reason: 'bad' };
  const given = Buffer.from(signature, 'base64url');
  const good = ring.keys.some((k) => {
    const want = mac(k.secret, fields, nonce);
    return want.length === given.length && timingSafeEqual(want, given);
  });
  if (!good) return { ok: false, reason: 'bad' };
  const exp = Number(m[1]);
  const sec = Math.floor(now / 1000);
  if (exp + CLOCK_TOLERANCE_SECONDS < sec) return { ok: false, reason: 'expired' };
  // A signature cannot be made good for longer than a session may last.
  if (exp > sec + MAX_TTL_SECONDS + CLOCK_TOLERANCE_SECONDS) return { ok: false, reason: 'bad' };
  return { ok: true, expiresAt: exp };
}
