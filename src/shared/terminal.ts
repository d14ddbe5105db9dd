/**
 * The terminal protocol (WORKSPACE.md, "Terminal protocol"): binary WebSocket frames whose first
 * byte is the type. The same frames run page to backend and backend to engine; the only
 * difference is the first message (HELLO): the page sends a one-time ticket, the backend sends the
 * engine its credential.
 *
 * Page to server: HELLO (JSON), INPUT (bytes), RESIZE (cols, rows), ACK (bytes received so far),
 * SIGNAL (a name).
 * Server to page: READY (JSON), OUTPUT (the offset of its first byte in the terminal's output,
 * then bytes), EXIT (JSON), STATE (JSON), ERROR (JSON).
 *
 * Offsets count bytes of the terminal's output from its start, so a reconnecting page says where
 * it stopped (`from` in HELLO) and the server replays what its ring buffer still holds from there.
 * Pure code: it runs in the browser, the backend and the engine.
 */

export const FRAME = {
  HELLO: 0x01,
  INPUT: 0x02,
  RESIZE: 0x03,
  ACK: 0x04,
  SIGNAL: 0x05,
  READY: 0x81,
  OUTPUT: 0x82,
  EXIT: 0x83,
  STATE: 0x84,
  ERROR: 0x85,
} as const;
export type FrameType = (typeof FRAME)[keyof typeof FRAME];

/** Close codes (4000-4999 are the application's). Each close also carries a reason in words. */
export const CLOSE = {
  /** no HELLO, a late one, or a bad, expired or replayed ticket or token */
  UNAUTHORIZED: 4001,
  /** the `Origin` is not one of the widget's, or the workspace is not the subject's */
  FORBIDDEN: 4003,
  /** no such workspace or terminal */
  NOT_FOUND: 4004,
  /** another connection took this terminal over */
  TAKEN_OVER: 4008,
  /** the workspace stopped or was removed */
  WORKSPACE_GONE: 4009,
  /** a frame of an unknown type, a malformed one, or a text frame */
  BAD_FRAME: 4400,
  /** a frame over MAX_FRAME_BYTES */
  TOO_LARGE: 4413,
  /** too many terminals, connections or frames */
  RATE_LIMITED: 4429,
  /** the terminal is not available here (a hosted upstream), or the engine failed */
  UNAVAILABLE: 4503,
} as const;

/** The largest frame either side accepts (an input paste, an output batch). */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Flow control: the server stops reading the shell with this many bytes unacknowledged... */
export const HIGH_WATER = 100_000;
/** ...and resumes under this many. */
export const LOW_WATER = 5_000;
/** The page acknowledges at least every this many bytes it has written to its terminal. */
export const ACK_EVERY = 5_000;
/** Columns and rows a RESIZE may ask for. */
export const MAX_COLS = 1000;
export const MAX_ROWS = 500;
/** Signals a page may send to the terminal's foreground process group. */
export const SIGNALS = ['INT', 'QUIT', 'TSTP', 'TERM', 'HUP', 'KILL'] as const;
export type SignalName = (typeof SIGNALS)[number];

/** HELLO: the first frame of a connection. */
export interface Hello {
  /** page to backend: the ticket from the `/v1` API */
  ticket?: string;
  /** backend to engine: the workspace's token or the engine's access token */
  token?: string;
  /** the first output byte the sender has not seen (reconnect); absent or 0 for everything held */
  from?: number;
  cols?: number;
  rows?: number;
}

/** READY: the answer to HELLO. */
export interface Ready {
  terminal: string;
  /** the offset of the first byte the server will send (later than `from` if the ring lost it) */
  from: number;
  /** true when `from` is later than asked: some output was lost */
  lost: boolean;
  cols: number;
  rows: number;
}

export interface Exit {
  /** the shell's exit code, or null when a signal ended it */
  code: number | null;
  signal: string | null;
}

export interface State {
  /** the workspace's state name (running, stopped, removed) or `taken_over` */
  state: string;
}

export interface ErrorBody {
  /** a short word: bad_frame, too_large, bad_resize, exited, rate_limited, ... */
  code: string;
  message: string;
}

/** A decoded frame. */
export type Frame =
  | { type: typeof FRAME.HELLO; hello: Hello }
  | { type: typeof FRAME.INPUT; data: Uint8Array }
  | { type: typeof FRAME.RESIZE; cols: number; rows: number }
  | { type: typeof FRAME.ACK; received: number }
  | { type: typeof FRAME.SIGNAL; signal: string }
  | { type: typeof FRAME.READY; ready: Ready }
  | { type: typeof FRAME.OUTPUT; offset: number; data: Uint8Array }
  | { type: typeof FRAME.EXIT; exit: Exit }
  | { type: typeof FRAME.STATE; state: State }
  | { type: typeof FRAME.ERROR; error: ErrorBody };

/** Why a frame could not be decoded. */
export class FrameError extends Error {
  constructor(
    message: string,
    readonly close: number = CLOSE.BAD_FRAME,
  ) {
    super(message);
  }
}

// Both exist in browsers and in Node; shared code is compiled without the DOM or Node types.
declare const TextEncoder: new () => { encode(s: string): Uint8Array };
declare const TextDecoder: new (
  label: string,
  o: { fatal: boolean },
) => { decode(b: Uint8Array): string };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function withType(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length);
  out[0] = type;
  out.set(body, 1);
  return out;
}

function jsonFrame(type: number, value: unknown): Uint8Array {
  return withType(type, encoder.encode(JSON.stringify(value)));
}

export const encode = {
  hello: (h: Hello) => jsonFrame(FRAME.HELLO, h),
  input: (data: Uint8Array | string) =>
    withType(FRAME.INPUT, typeof data === 'string' ? encoder.encode(data) : data),
  resize(cols: number, rows: number): Uint8Array {
    const out = new Uint8Array(5);
    out[0] = FRAME.RESIZE;
    const v = new DataView(out.buffer);
    v.setUint16(1, cols);
    v.setUint16(3, rows);
    return out;
  },
  ack(received: number): Uint8Array {
    const out = new Uint8Array(9);
    out[0] = FRAME.ACK;
    new DataView(out.buffer).setFloat64(1, received);
    return out;
  },
  signal: (name: SignalName) => withType(FRAME.SIGNAL, encoder.encode(name)),
  ready: (r: Ready) => jsonFrame(FRAME.READY, r),
  output(offset: number, data: Uint8Array): Uint8Array {
    const out = new Uint8Array(9 + data.length);
    out[0] = FRAME.OUTPUT;
    new DataView(out.buffer).setFloat64(1, offset);
    out.set(data, 9);
    return out;
  },
  exit: (e: Exit) => jsonFrame(FRAME.EXIT, e),
  state: (s: State) => jsonFrame(FRAME.STATE, s),
  error: (e: ErrorBody) => jsonFrame(FRAME.ERROR, e),
};

function json(body: Uint8Array, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(decoder.decode(body));
  } catch {
    throw new FrameError(`${what}: the body is not JSON in UTF-8`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new FrameError(`${what}: the body is not a JSON object`);
  return v as Record<string, unknown>;
}

function count(v: DataView, at: number, what: string): number {
  const n = v.getFloat64(at);
  if (!Number.isSafeInteger(n) || n < 0) throw new FrameError(`${what}: not a byte count`);
  return n;
}

function optionalString(o: Record<string, unknown>, key: string, what: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > 4096)
    throw new FrameError(`${what}: ${key} is not a string`);
  return v;
}

function optionalCount(o: Record<string, unknown>, key: string, what: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new FrameError(`${what}: ${key} is not a whole number`);
  return v;
}

/**
 * Decodes one binary frame. Throws FrameError (with its close code) for an empty frame, an
 * unknown type, a wrong length, a body that is not what its type says, or one over the cap.
 */
export function decode(frame: Uint8Array): Frame {
  if (frame.length > MAX_FRAME_BYTES + 9)
    throw new FrameError(
      `a frame of ${frame.length} bytes is over the ${MAX_FRAME_BYTES} cap`,
      CLOSE.TOO_LARGE,
    );
  if (frame.length === 0) throw new FrameError('an empty frame');
  const type = frame[0];
  const body = frame.subarray(1);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.length);
  switch (type) {
    case FRAME.HELLO: {
      const o = json(body, 'HELLO');
      return {
        type,
        hello: {
          ticket: optionalString(o, 'ticket', 'HELLO'),
          token: optionalString(o, 'token', 'HELLO'),
          from: optionalCount(o, 'from', 'HELLO'),
          cols: optionalCount(o, 'cols', 'HELLO'),
          rows: optionalCount(o, 'rows', 'HELLO'),
        },
      };
    }
    case FRAME.INPUT:
      return { type, data: body };
    case FRAME.RESIZE:
      if (frame.length !== 5) throw new FrameError('RESIZE: 4 bytes expected (cols, rows)');
      return { type, cols: view.getUint16(1), rows: view.getUint16(3) };
    case FRAME.ACK:
      if (frame.length !== 9) throw new FrameError('ACK: 8 bytes expected');
      return { type, received: count(view, 1, 'ACK') };
    case FRAME.SIGNAL: {
      let signal: string;
      try {
        signal = decoder.decode(body);
      } catch {
        throw new FrameError('SIGNAL: not UTF-8');
      }
      return { type, signal };
    }
    case FRAME.READY: {
      const o = json(body, 'READY');
      return { type, ready: o as unknown as Ready };
    }
    case FRAME.OUTPUT:
      if (frame.length < 9) throw new FrameError('OUTPUT: no offset');
      return { type, offset: count(view, 1, 'OUTPUT'), data: frame.subarray(9) };
    case FRAME.EXIT:
      return { type, exit: json(body, 'EXIT') as unknown as Exit };
    case FRAME.STATE:
      return { type, state: json(body, 'STATE') as unknown as State };
    case FRAME.ERROR:
      return { type, error: json(body, 'ERROR') as unknown as ErrorBody };
    default:
      throw new FrameError(`a frame of unknown type 0x${type.toString(16).padStart(2, '0')}`);
  }
}

/** Why a resize is refused, or null when `cols` x `rows` is allowed. */
export function badResize(cols: number, rows: number): string | null {
  if (cols < 1 || rows < 1) return `a terminal of ${cols}x${rows} has no cells`;
  if (cols > MAX_COLS || rows > MAX_ROWS)
    return `a terminal of ${cols}x${rows} is over the ${MAX_COLS}x${MAX_ROWS} cap`;
  return null;
}
