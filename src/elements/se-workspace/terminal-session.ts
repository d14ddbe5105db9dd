/**
 * The workspace's terminal: xterm.js (loaded by the element with a dynamic import, the first time
 * the Terminal tab opens) on the backend's terminal WebSocket (src/shared/terminal.ts). Each
 * connection asks for a new one-time ticket; output offsets are remembered so a reconnection
 * resumes where it stopped (`from`); bytes written to xterm are acknowledged at least every
 * ACK_EVERY bytes, from xterm's write callback (flow control).
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { ACK_EVERY, CLOSE, decode, encode, FRAME, type SignalName } from '../../shared/terminal.js';
import type { SeTerminalDetail } from '../workspace-events.js';
import { xtermCss } from './xterm-css.js';

export interface TerminalOptions {
  /** a fresh ticket and the WebSocket URL for it */
  connect(): Promise<{ url: string; ticket: string }>;
  report(detail: SeTerminalDetail): void;
  label: string;
  dark: boolean;
  /** xterm's screen reader mode: its rows mirrored in an accessibility tree, output announced */
  screenReader: boolean;
}

/** Close codes after which reconnecting is pointless without the learner asking. */
const final = new Set<number>([CLOSE.TAKEN_OVER, CLOSE.WORKSPACE_GONE, CLOSE.UNAVAILABLE]);

export class TerminalSession {
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private ws: WebSocket | null = null;
  /** the offset just past the last output byte received */
  private next = 0;
  /** the output offset xterm has drawn up to, and the last one acknowledged */
  private writtenTo = 0;
  private ackedTo = 0;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private retries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly resizeObserver: ResizeObserver;
  private fitFrame = 0;
  /** READY came on the current connection */
  private ready = false;
  private readonly encoder = new TextEncoder();
  /** the last close: its code and reason (null while connected) */
  closed: { code: number; reason: string } | null = null;

  constructor(
    private readonly box: HTMLElement,
    private readonly options: TerminalOptions,
  ) {
    const style = document.createElement('style');
    style.textContent = xtermCss;
    box.before(style);
    this.term = new Terminal({
      convertEol: false,
      cursorBlink: true,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 14,
      scrollback: 5000,
      screenReaderMode: options.screenReader,
      // Colours programs choose are lifted to a readable contrast (WCAG AA).
      minimumContrastRatio: 4.5,
      theme: options.dark
        ? { background: '#1e1f22', foreground: '#e8eaed' }
        : { background: '#ffffff', foreground: '#1f2328', cursor: '#1f2328' },
    });
    this.term.loadAddon(this.fit);
    this.term.open(box);
    this.term.textarea?.setAttribute('aria-label', options.label);
    // Escape then Tab leaves the terminal (as in the editor): the Tab is not the shell's then, and
    // the browser moves the focus on. Escape itself still reaches the shell.
    let escaped = false;
    this.term.attachCustomKeyEventHandler((e) => {
      if (e.type !== 'keydown') return true;
      if (e.key === 'Tab' && escaped && !e.ctrlKey && !e.altKey && !e.metaKey) {
        escaped = false;
        return false;
      }
      if (!['Shift', 'Control', 'Alt', 'Meta'].includes(e.key)) escaped = e.key === 'Escape';
      return true;
    });
    this.term.onData((data) => this.send(encode.input(data)));
    this.term.onBinary((data) =>
      this.send(encode.input(Uint8Array.from(data, (c) => c.charCodeAt(0)))),
    );
    this.term.onResize(({ cols, rows }) => this.send(encode.resize(cols, rows)));
    // Fitting changes the box's content; done in the next frame, outside the observer's callback.
    this.resizeObserver = new ResizeObserver(() => {
      if (this.fitFrame) return;
      this.fitFrame = requestAnimationFrame(() => {
        this.fitFrame = 0;
        this.fitNow();
      });
    });
    this.resizeObserver.observe(box);
    this.fitNow();
  }

  /** Fits the terminal to its box (when the box has a size). */
  fitNow(): void {
    if (this.disposed || !this.box.clientWidth || !this.box.clientHeight) return;
    try {
      this.fit.fit();
    } catch {
      // not measurable yet
    }
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Connects (again), resuming at the last output byte seen. */
  async connect(): Promise<void> {
    if (this.disposed) return;
    clearTimeout(this.retryTimer);
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    let url: string;
    let ticket: string;
    try {
      ({ url, ticket } = await this.options.connect());
    } catch (err) {
      this.closed = { code: 0, reason: err instanceof Error ? err.message : String(err) };
      this.options.report({ state: 'closed', code: null, reason: this.closed.reason });
      return;
    }
    if (this.disposed) return;
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.ready = false;
    ws.onopen = () => {
      ws.send(
        encode.hello({ ticket, from: this.next, cols: this.term.cols, rows: this.term.rows }),
      );
    };
    ws.onmessage = (ev) => {
      if (!(ev.data instanceof ArrayBuffer)) return;
      let frame;
      try {
        frame = decode(new Uint8Array(ev.data));
      } catch {
        return;
      }
      switch (frame.type) {
        case FRAME.READY:
          this.ready = true;
          this.ackedTo = Math.max(this.ackedTo, frame.ready.from);
          this.fitNow();
          this.send(encode.resize(this.term.cols, this.term.rows));
          this.retries = 0;
          this.closed = null;
          if (frame.ready.from > this.next) this.next = frame.ready.from;
          this.options.report({ state: 'open', code: null, reason: '' });
          break;
        case FRAME.OUTPUT: {
          const end = frame.offset + frame.data.length;
          if (end <= this.next) break; // already shown (a replay overlap)
          const data = frame.data.slice(Math.max(0, this.next - frame.offset));
          this.next = end;
          this.term.write(data, () => {
            // Acknowledged once xterm has drawn them: the offset just past them.
            this.writtenTo = Math.max(this.writtenTo, end);
            if (this.writtenTo - this.ackedTo >= ACK_EVERY) this.ack();
            else this.ackSoon();
          });
          break;
        }
        case FRAME.EXIT:
          this.options.report({
            state: 'exit',
            code: frame.exit.code,
            reason: frame.exit.signal ?? '',
          });
          break;
        default:
          break;
      }
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.ready = false;
      this.closed = { code: ev.code, reason: ev.reason };
      this.options.report({ state: 'closed', code: ev.code, reason: ev.reason });
      if (this.disposed || final.has(ev.code) || ev.code === 1000) return;
      if (this.retries++ < 3)
        this.retryTimer = setTimeout(() => void this.connect(), 500 * this.retries);
    };
  }

  private ack(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.writtenTo <= this.ackedTo) return;
    this.ackedTo = this.writtenTo;
    this.send(encode.ack(this.writtenTo));
  }

  /** The rest of a small output is acknowledged a moment later (one ACK for a burst). */
  private ackSoon(): void {
    this.ackTimer ??= setTimeout(() => this.ack(), 50);
  }

  /** Sends a frame once the server answered HELLO (nothing may come before HELLO). */
  private send(frame: Uint8Array): void {
    if (this.ready && this.ws?.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  /** Types text into the terminal (as if the learner did). */
  input(text: string): void {
    this.send(encode.input(this.encoder.encode(text)));
  }

  signal(name: SignalName): void {
    this.send(encode.signal(name));
  }

  focus(): void {
    this.term.focus();
  }

  /** The visible text of the terminal's buffer, lines joined. */
  text(): string {
    const b = this.term.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < b.length; i++) out.push(b.getLine(i)?.translateToString(true) ?? '');
    return out.join('\n');
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.ackTimer);
    this.resizeObserver.disconnect();
    cancelAnimationFrame(this.fitFrame);
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
    this.term.dispose();
  }
}
