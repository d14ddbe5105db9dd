/**
 * The wire format between a host page (the SDK in `host.ts`) and an embed page (`frame.ts`).
 *
 * Every message is an envelope `{t: "se:<noun>.<verb>", v: 1, id?, p}`. A receiver accepts a
 * message only when the envelope and the payload of its type pass the schemas below (valibot) and its JSON
 * form is at most {@link MAX_MESSAGE_BYTES}; anything else is dropped without an answer. Payloads
 * are data only: nothing received is evaluated or parsed as HTML.
 *
 * Handshake (window messages, the only ones not on the private channel):
 * 1. frame -> parent: `se:frame.announce` `{widget}` (no secret), posted to the parent's exact
 *    origin (or to each allowed origin when the browser does not tell which one it is).
 * 2. host -> frame: `se:host.connect` `{nonce, token?, theme?, fit?, gate?}` with one `MessagePort`,
 *    posted to the backend's exact origin. The frame accepts one, from `window.parent` and an
 *    origin of the widget's list that the page got from the server.
 * 3. frame -> host, on the port: `se:frame.ready` `{nonce, widget}`. Everything after goes over the
 *    port: commands (with an `id`) answered by `se:command.reply`, events, resizes.
 */
import * as v from 'valibot';

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

/** The `se-*` events of `<se-workspace>` that the frame of `/embed/workspace` mirrors. */
export const WORKSPACE_EVENTS = [
  'se-ready',
  'se-state',
  'se-file-open',
  'se-file-change',
  'se-file-save',
  'se-file-create',
  'se-file-rename',
  'se-file-delete',
  'se-scenario-start',
  'se-stage',
  'se-scenario-result',
  'se-terminal',
  'se-error',
  'se-token-expired',
] as const;

/** Which element an embed page hosts. */
export type EmbedKind = 'solve' | 'workspace';

export interface Envelope<P = Record<string, unknown>> {
  t: string;
  v: typeof PROTOCOL_VERSION;
  id?: string;
  p: P;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === null || proto === Object.prototype;
}

const str = (max: number, pattern?: RegExp) =>
  pattern
    ? v.pipe(v.string(), v.maxLength(max), v.regex(pattern))
    : v.pipe(v.string(), v.maxLength(max));
const int = (min: number, max: number) =>
  v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
/** Plain data of any shape (JSON values); its size is capped by the envelope. */
const data = v.custom<unknown>(
  (x) =>
    x === null ||
    ['string', 'number', 'boolean'].includes(typeof x) ||
    isPlainObject(x) ||
    Array.isArray(x),
);

/** A plain object with exactly these keys (optional ones may be missing). */
const shape = <const E extends v.ObjectEntries>(entries: E) =>
  v.pipe(v.custom<Record<string, unknown>>(isPlainObject), v.strictObject(entries));

const NONCE = /^[A-Za-z0-9_-]{16,128}$/;
/** A JWT's characters; the backend verifies the rest. */
const TOKEN = /^[A-Za-z0-9._~+/=-]+$/;
const theme = v.picklist(['light', 'dark', 'auto']);
const widgetId = str(256);
const token = str(MAX_TOKEN, TOKEN);
const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** A workspace path (relative, as the `/v1/workspace` API names files); the backend checks it. */
const path = str(4096);

/** A message of type `t`: its payload's schema, and whether it needs an `id`. */
const message = <const T extends string, const E extends v.ObjectEntries>(
  t: T,
  payload: E,
  id: 'required' | 'none',
) =>
  v.pipe(
    v.custom<Record<string, unknown>>(isPlainObject),
    v.strictObject({
      t: v.literal(t),
      v: v.literal(PROTOCOL_VERSION),
      id: id === 'required' ? str(64, ID) : v.optional(v.never()),
      p: shape(payload),
    }),
  );

/** Every message type, by name. */
const messages = {
  // frame -> parent (window)
  'se:frame.announce': message('se:frame.announce', { widget: widgetId }, 'none'),
  // host -> frame (window, with the port)
  'se:host.connect': message(
    'se:host.connect',
    {
      nonce: str(128, NONCE),
      token: v.optional(token),
      theme: v.optional(theme),
      fit: v.optional(v.picklist(['content', 'fill'])),
      /** the host approves each run and submission (as `se:gate.set` {on: true}) */
      gate: v.optional(v.boolean()),
    },
    'none',
  ),
  // frame -> host (port)
  'se:frame.ready': message('se:frame.ready', { nonce: str(128, NONCE), widget: widgetId }, 'none'),
  'se:frame.resize': message('se:frame.resize', { height: int(0, 100_000) }, 'none'),
  'se:event.emit': message(
    'se:event.emit',
    { name: v.picklist([...new Set([...MIRRORED_EVENTS, ...WORKSPACE_EVENTS])]), detail: data },
    'none',
  ),
  'se:command.reply': message(
    'se:command.reply',
    { ok: v.boolean(), value: v.optional(data), error: v.optional(str(2000)) },
    'required',
  ),
  // host -> frame (port): commands
  'se:code.set': message(
    'se:code.set',
    {
      source: str(MAX_MESSAGE_BYTES),
      language: v.optional(str(64)),
      input: v.optional(str(MAX_MESSAGE_BYTES)),
    },
    'required',
  ),
  /** restricts the language picker (compiler ids or short names); empty: the widget's own list */
  'se:languages.set': message('se:languages.set', { languages: v.array(str(64)) }, 'required'),
  /** on: every run and submission waits for the host's `se:submit.answer` to `se:submit.ask` */
  'se:gate.set': message('se:gate.set', { on: v.boolean() }, 'required'),
  // host -> frame (port), not a command: the host's answer to a gate question
  'se:submit.answer': message('se:submit.answer', { ask: str(64, ID), allow: v.boolean() }, 'none'),
  // frame -> host (port): may this run or submission go? (detail: that of se-before-submit)
  'se:submit.ask': message('se:submit.ask', { ask: str(64, ID), detail: data }, 'none'),
  'se:code.get': message('se:code.get', {}, 'required'),
  'se:code.run': message('se:code.run', { input: v.optional(str(MAX_MESSAGE_BYTES)) }, 'required'),
  'se:code.submit': message('se:code.submit', {}, 'required'),
  'se:theme.set': message('se:theme.set', { theme }, 'required'),
  'se:editor.focus': message('se:editor.focus', {}, 'required'),
  'se:token.set': message('se:token.set', { token }, 'required'),
  // host -> frame (port): commands of /embed/workspace (with se:theme.set, se:editor.focus and
  // se:token.set above)
  'se:scenario.run': message('se:scenario.run', { scenario: v.optional(str(128)) }, 'required'),
  'se:file.get': message('se:file.get', { path }, 'required'),
  'se:file.set': message('se:file.set', { path, content: str(MAX_MESSAGE_BYTES) }, 'required'),
  'se:file.open': message('se:file.open', { path }, 'required'),
  'se:file.create': message(
    'se:file.create',
    { path, type: v.optional(v.picklist(['file', 'dir'])) },
    'required',
  ),
  'se:file.rename': message('se:file.rename', { path, to: path }, 'required'),
  'se:file.delete': message('se:file.delete', { path }, 'required'),
  'se:stage.get': message(
    'se:stage.get',
    { stage: str(64), stream: v.picklist(['stdout', 'stderr', 'output', 'error']) },
    'required',
  ),
  'se:workspace.reset': message('se:workspace.reset', { path: v.optional(path) }, 'required'),
  'se:workspace.flush': message('se:workspace.flush', {}, 'required'),
  // embed page -> the window it opened ("open in a new window"): same origin only
  'se:handoff.init': message(
    'se:handoff.init',
    {
      token: v.optional(token),
      source: v.optional(str(MAX_MESSAGE_BYTES)),
      language: v.optional(str(64)),
      theme: v.optional(theme),
    },
    'none',
  ),
};

/** A message type of the protocol. */
export type MessageType = keyof typeof messages;

/** The payload of a message of type `T`, as its schema says. */
export type Payload<T extends MessageType> = v.InferOutput<(typeof messages)[T]>['p'];

/** Message types the frame accepts as commands on the port. */
export const COMMANDS = [
  'se:code.set',
  'se:code.get',
  'se:code.run',
  'se:code.submit',
  'se:theme.set',
  'se:editor.focus',
  'se:token.set',
  'se:languages.set',
  'se:gate.set',
] as const;

/** Message types the frame of `/embed/workspace` accepts as commands on the port. */
export const WORKSPACE_COMMANDS = [
  'se:scenario.run',
  'se:file.get',
  'se:file.set',
  'se:file.open',
  'se:file.create',
  'se:file.rename',
  'se:file.delete',
  'se:stage.get',
  'se:workspace.reset',
  'se:workspace.flush',
  'se:theme.set',
  'se:editor.focus',
  'se:token.set',
] as const;

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
  const t = isPlainObject(raw) ? raw.t : undefined;
  if (typeof t !== 'string' || !accepted.includes(t) || !Object.hasOwn(messages, t)) return null;
  if (!v.is(messages[t as MessageType], raw)) return null;
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
