// A page's end of a terminal WebSocket (src/shared/terminal.ts), for the engine's and the
// backend's terminal tests: frames kept, output gathered (or streamed to a sink), ACKs sent.
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { decode, encode, FRAME, type Frame } from '../../src/shared/terminal.js';

/** A page's side of one terminal connection. */
export class Page {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  /** every OUTPUT byte received, in order */
  out = Buffer.alloc(0);
  /** offset of the first byte of `out` */
  base = -1;
  private readonly closing: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;
  /** ACK every output frame at once (a fast page) */
  autoAck = true;
  /** when set, output goes here instead of being kept (a long stream) */
  sink: ((b: Uint8Array) => void) | null = null;
  private chunks: Buffer[] = [];
  private bytes = 0;
  private waiters: Array<() => void> = [];

  /** `origin`: the page's origin (the backend checks it before upgrading) */
  constructor(url: string, origin?: string) {
    this.ws = new WebSocket(url, origin ? { origin } : {});
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`HTTP ${res.statusCode}`)),
      );
      this.ws.once('error', reject);
    });
    this.opened.catch(() => undefined);
    this.closing = new Promise((resolve) =>
      this.ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake();
      }),
    );
    this.ws.on('message', (data: Buffer) => {
      const f = decode(new Uint8Array(data));
      // output is kept once, in `out` (or not at all with a sink)
      if (f.type !== FRAME.OUTPUT) this.frames.push(f);
      else {
        if (this.base < 0) this.base = f.offset;
        assert.equal(f.offset, this.base + this.bytes, 'output offsets are contiguous');
        if (this.sink) this.sink(f.data);
        else this.chunks.push(Buffer.from(f.data));
        this.bytes += f.data.length;
        if (this.autoAck) this.ack();
      }
      this.wake();
    });
  }

  /** The close (code and reason); rejects when it does not come within 20 s. */
  get closed(): Promise<{ code: number; reason: string }> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`not closed within 20 s; output: ${this.text.slice(-300)}`)),
        20_000,
      );
    });
    return Promise.race([this.closing, late]).finally(() => clearTimeout(timer));
  }

  get text(): string {
    if (this.chunks.length) {
      this.out = Buffer.concat([this.out, ...this.chunks]);
      this.chunks = [];
    }
    return this.out.toString('latin1');
  }

  get received(): number {
    return this.bytes;
  }

  ack(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(encode.ack(this.base + this.bytes));
  }

  send(frame: Uint8Array | string): void {
    this.ws.send(frame);
  }

  input(s: string): void {
    this.send(encode.input(s));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits until `ok()` holds (checked on every frame), at most `ms`. */
  async until(ok: () => boolean, what: string, ms = 20_000): Promise<void> {
    const end = Date.now() + ms;
    while (!ok()) {
      const left = end - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; output so far: ${this.text.slice(-500)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, Math.min(left, 200));
      });
    }
  }

  /** Waits until the output (from `since`) matches `re`. */
  async output(re: RegExp, since = 0, ms = 20_000): Promise<string> {
    await this.until(() => re.test(this.text.slice(since)), String(re), ms);
    return this.text.slice(since);
  }

  frame<T extends Frame['type']>(type: T): Extract<Frame, { type: T }> | undefined {
    return this.frames.find((f) => f.type === type) as Extract<Frame, { type: T }> | undefined;
  }

  async waitFrame<T extends Frame['type']>(type: T, n = 1): Promise<Extract<Frame, { type: T }>> {
    await this.until(() => this.frames.filter((f) => f.type === type).length >= n, `frame ${type}`);
    return this.frames.filter((f) => f.type === type)[n - 1] as Extract<Frame, { type: T }>;
  }

  close(): void {
    this.ws.close();
  }
}
