/**
 * The wire format between a host page (the SDK in `host.ts`) and an embed page (`frame.ts`).
 *
 * Every message is an envelope `{t: "se:<noun>.<verb>", v: 1, id?, p}`. A receiver accepts a
 * message only when the envelope and the payload of its type pass the schemas below and its JSON
 * form is at most {@link MAX_MESSAGE_BYTES}; anything else is dropped without an answer. Payloads
 * are data only: nothing received is evaluated or parsed as HTML.
 *
 * Handshake (window messages, the only ones not on the private channel):
 * 1. frame -> parent: `se:frame.announce` `{widget}` (no secret), posted to the parent's exact
 *    origin (or to each allowed origin when the browser does not tell which one it is).
 * 2. host -> frame: `se:host.connect` `{nonce, token?, theme?, fit?}` with one `MessagePort`,
 *    posted to the backend's exact origin. The frame accepts one, from `window.parent` and an
 *    origin of the widget's list that the page got from the server.
 * 3. frame -> host, on the port: `se:frame.ready` `{nonce, widget}`. Everything after goes over the
 *    port: commands (with an `id`) answered by `se:command.reply`, events, resizes.
 */

/** Version of the envelope; a message with another `v` is dropped. */
export const PROTOCOL_VERSION = 1;

/** Largest message accepted or sent, measured as UTF-8 JSON. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Longest session token passed through the channel. */
const MAX_TOKEN = 8192;

export type Theme = 'light' | 'dark' | 'auto';

/**
 * How the frame lays itself out: `content` takes the height its content needs and reports it
 * (for hosts that resize the iframe), `fill` fills a fixed-height frame and scrolls inside.
 */
export type Fit = 'content' | 'fill';

/** The `se-*` events of `<se-solve>` that the frame mirrors to the host. */
export const MIRRORED_EVENTS = [
  'se-ready',
  'se-change',
  'se-before-submit',
  'se-submit',
  'se-status',
  'se-result',
  'se-error',
  'se-token-expired',
] as const;
export type MirroredEvent = (typeof MIRRORED_EVENTS)[number];

export interface Envelope<P = Record<string, unknown>> {
  t: string;
  v: typeof PROTOCOL_VERSION;
  id?: string;
  p: P;
}

type Check = (v: unknown) => boolean;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

const str =
  (max: number, pattern?: RegExp): Check =>
  (v) =>
    typeof v === 'string' && v.length <= max && (!pattern || pattern.test(v));
const int =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const oneOf =
  (...values: readonly unknown[]): Check =>
  (v) =>
    values.includes(v);
const bool: Check = (v) => typeof v === 'boolean';
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);
/** Plain data of any shape (JSON values); its size is capped by the envelope. */
const data: Check = (v) =>
  v === null ||
  ['string', 'number', 'boolean'].includes(typeof v) ||
  isPlainObject(v) ||
  Array.isArray(v);

/** An object with exactly these keys (optional ones may be missing), each passing its check. */
function shape(fields: Record<string, Check>): Check {
  return (v) => {
    if (!isPlainObject(v)) return false;
    for (const k of Object.keys(v)) if (!Object.hasOwn(fields, k)) return false;
    for (const [k, check] of Object.entries(fields)) if (!check(v[k])) return false;
    return true;
  };
}

const NONCE = /^[A-Za-z0-9_-]{16,128}$/;
/** A JWT's characters; the backend verifies the rest. */
const TOKEN = /^[A-Za-z0-9._~+/=-]+$/;
const theme = oneOf('light', 'dark', 'auto');
const widgetId = str(256);

/** What each message type carries, and whether it needs an `id`. */
interface Schema {
  payload: Check;
  id: 'required' | 'none';
}

const schemas: Record<string, Schema> = {
  // frame -> parent (window)
  'se:frame.announce': { payload: shape({ widget: widgetId }), id: 'none' },
  // host -> frame (window, with the port)
  'se:host.connect': {
    payload: shape({
      nonce: str(128, NONCE),
      token: optional(str(MAX_TOKEN, TOKEN)),
      theme: optional(theme),
      fit: optional(oneOf('content', 'fill')),
    }),
    id: 'none',
  },
  // frame -> host (port)
  'se:frame.ready': { payload: shape({ nonce: str(128, NONCE), widget: widgetId }), id: 'none' },
  'se:frame.resize': { payload: shape({ height: int(0, 100_000) }), id: 'none' },
  'se:event.emit': {
    payload: shape({ name: oneOf(...MIRRORED_EVENTS), detail: data }),
    id: 'none',
  },
  'se:command.reply': {
    payload: shape({ ok: bool, value: optional(data), error: optional(str(2000)) }),
    id: 'required',
  },
  // host -> frame (port): commands
  'se:code.set': {
    payload: shape({ source: str(MAX_MESSAGE_BYTES), language: optional(str(64)) }),
    id: 'required',
  },
  'se:code.get': { payload: shape({}), id: 'required' },
  'se:code.run': { payload: shape({ input: optional(str(MAX_MESSAGE_BYTES)) }), id: 'required' },
  'se:code.submit': { payload: shape({}), id: 'required' },
  'se:theme.set': { payload: shape({ theme }), id: 'required' },
  'se:editor.focus': { payload: shape({}), id: 'required' },
  'se:token.set': { payload: shape({ token: str(MAX_TOKEN, TOKEN) }), id: 'required' },
  // embed page -> the window it opened ("open in a new window"): same origin only
  'se:handoff.init': {
    payload: shape({
      token: optional(str(MAX_TOKEN, TOKEN)),
      source: optional(str(MAX_MESSAGE_BYTES)),
      language: optional(str(64)),
      theme: optional(theme),
    }),
    id: 'none',
  },
};

/** Message types the frame accepts as commands on the port. */
export const COMMANDS = [
  'se:code.set',
  'se:code.get',
  'se:code.run',
  'se:code.submit',
  'se:theme.set',
  'se:editor.focus',
  'se:token.set',
] as const;

const TYPE = /^se:[a-z]+\.[a-z]+$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Size of a value as UTF-8 JSON, or Infinity when it is not JSON (cycles, BigInt, ...). */
export function jsonBytes(value: unknown): number {
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    return Infinity;
  }
  if (text === undefined) return Infinity;
  // Most messages are far below the cap: count exactly only when the cheap bound might exceed it.
  if (text.length * 3 <= MAX_MESSAGE_BYTES) return text.length;
  return new TextEncoder().encode(text).length;
}

/**
 * The message as an envelope of one of `accepted` types when it passes every check, else null.
 * Checks: a plain object with only `t`, `v`, `id`, `p`; a known type of the expected direction;
 * version 1; the payload's schema; the size cap.
 */
export function parseEnvelope(raw: unknown, accepted: readonly string[]): Envelope | null {
  if (!isPlainObject(raw)) return null;
  for (const k of Object.keys(raw)) if (!['t', 'v', 'id', 'p'].includes(k)) return null;
  const { t, v, id, p } = raw;
  if (typeof t !== 'string' || !TYPE.test(t) || !accepted.includes(t)) return null;
  if (v !== PROTOCOL_VERSION) return null;
  const schema = schemas[t];
  if (!schema) return null;
  if (schema.id === 'required' ? !(typeof id === 'string' && ID.test(id)) : id !== undefined)
    return null;
  if (!isPlainObject(p) || !schema.payload(p)) return null;
  if (jsonBytes(raw) > MAX_MESSAGE_BYTES) return null;
  return raw as unknown as Envelope;
}

/** Builds an envelope; throws a RangeError when it would exceed the size cap. */
export function envelope(t: string, p: Record<string, unknown>, id?: string): Envelope {
  const e: Envelope =
    id === undefined ? { t, v: PROTOCOL_VERSION, p } : { t, v: PROTOCOL_VERSION, id, p };
  if (jsonBytes(e) > MAX_MESSAGE_BYTES)
    throw new RangeError(`The ${t} message is larger than ${MAX_MESSAGE_BYTES} bytes.`);
  return e;
}

/** A random nonce (base64url of 24 random bytes). */
export function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Resize messages understood by LMSs (Canvas and others) and by the SDK. */
export function lmsResizeMessages(height: number): Array<Record<string, unknown>> {
  return [
    { subject: 'lti.frameResize', height },
    { subject: 'org.imsglobal.lti.frameResize', height },
  ];
}
