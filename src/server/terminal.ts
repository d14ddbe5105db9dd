/**
 * The terminal through the signing backend (issue 14): the page never talks to the engine.
 *
 * 1. `POST /v1/workspace/terminal` (an authenticated `/v1` call) gives a one-time ticket, valid 30 s,
 *    bound to the session's widget, subject, workspace and terminal.
 * 2. The page opens a WebSocket on `/v1/terminal?widget=ID` (no token in the URL: the widget id is
 *    not a secret). The upgrade happens only when the `Origin` is one of that widget's origins.
 * 3. The first frame is HELLO with the ticket (terminal.ts in src/shared); a missing, late,
 *    expired, replayed or foreign ticket closes the socket (4001, or 4003 for another widget's).
 * 4. The backend opens the engine's terminal WebSocket with the engine's credential and relays
 *    frames both ways: the page's INPUT, RESIZE, ACK and SIGNAL (any other type closes 4400), the
 *    engine's frames back, OUTPUT neutralized by `OutputFilter` (terminal-hygiene.ts). Flow control
 *    is the engine's (the page's ACKs pass through); the backend also stops reading the engine
 *    while the page's socket has more than `PAGE_BUFFER` bytes waiting.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  CLOSE,
  decode,
  encode,
  FRAME,
  FrameError,
  MAX_FRAME_BYTES,
  type Hello,
} from '../shared/terminal.js';
import { OutputFilter } from '../shared/terminal-hygiene.js';
import { TerminalTicketBody, type V1TerminalTicket } from '../shared/v1-workspace.js';
import type { Backend, Session } from './backend.js';
import { ApiError, badRequest } from './errors.js';
import { parseBody, readJson, sendJson } from './http.js';
import type { Workspaces } from './workspaces.js';

export const TERMINAL_PATH = '/v1/terminal';
const TICKET_MS = 30_000;
const HELLO_MS = 5_000;
/** Stop reading the engine while this much waits to reach the page. */
const PAGE_BUFFER = 1024 * 1024;
const TICKETS_PER_MINUTE = 30;
const TICKETS_HELD = 10_000;
const TERMINAL_NAMES = ['1', '2', '3'];

interface Ticket {
  widget: string;
  sub: string;
  owner: string;
  workspaceId: string;
  terminal: string;
  /** terminals this subject may have open at once */
  cap: number;
  expires: number;
}

/** A frame's bytes as one Uint8Array (ws may give a list of buffers). */
function bytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

export class Terminals {
  private readonly tickets = new Map<string, Ticket>();
  private readonly open = new Map<string, Set<WebSocket>>();
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES + 64,
  });
  private readonly sockets = new Set<WebSocket>();

  constructor(
    private readonly b: Backend,
    private readonly workspaces: Workspaces,
  ) {}

  /** `POST /v1/workspace/terminal` */
  async ticketRoute(session: Session, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const policy = this.workspaces.policy(session);
    const { terminal = '1' } = parseBody(TerminalTicketBody, await readJson(req, 1024));
    if (!TERMINAL_NAMES.includes(terminal))
      throw badRequest(`'terminal' must be one of ${TERMINAL_NAMES.join(', ')}.`);
    const refusal = this.workspaces.terminalRefusal(session);
    if (refusal) throw new ApiError(503, 'unavailable', refusal);
    this.b.rateLimit(
      [{ key: `terminal:sub:${session.owner}`, perMinute: TICKETS_PER_MINUTE }],
      'terminal tickets',
    );
    const { workspace } = await this.workspaces.open(session);
    this.sweep();
    if (this.tickets.size >= TICKETS_HELD)
      throw new ApiError(503, 'unavailable', 'Too many terminals are being opened; try again.', {
        'Retry-After': '5',
      });
    const ticket = randomBytes(24).toString('base64url');
    this.tickets.set(ticket, {
      widget: session.widget.id,
      sub: session.sub,
      owner: session.owner,
      workspaceId: workspace.id,
      terminal,
      cap: policy.terminals,
      expires: Date.now() + TICKET_MS,
    });
    const answer: V1TerminalTicket = {
      ticket,
      path: `${TERMINAL_PATH}?widget=${encodeURIComponent(session.widget.id)}`,
      expiresIn: TICKET_MS / 1000,
    };
    sendJson(res, 201, answer);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [k, t] of this.tickets) if (t.expires < now) this.tickets.delete(k);
  }

  /** The HTTP server's `upgrade` event: only `/v1/terminal`, only from the widget's origins. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (status: number, text: string) => {
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${text}\n`,
      );
    };
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return refuse(400, 'Bad Request');
    }
    if (url.pathname !== TERMINAL_PATH) return refuse(404, 'Not Found');
    const widget = this.b.config.widgets.get(url.searchParams.get('widget') ?? '');
    if (!widget) return refuse(404, 'Not Found');
    const origin = req.headers.origin;
    if (!origin || !this.b.origins.allows(widget, origin, req)) {
      this.b.log(
        `se-widgets: terminal refused: origin ${origin ?? 'none'} is not one of widget ${widget.id}'s`,
      );
      return refuse(403, 'Forbidden');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, widget.id));
  }

  private accept(page: WebSocket, widget: string): void {
    this.sockets.add(page);
    page.on('close', () => this.sockets.delete(page));
    page.on('error', () => page.terminate());
    const timer = setTimeout(
      () => page.close(CLOSE.UNAUTHORIZED, `no HELLO with a ticket within ${HELLO_MS / 1000} s`),
      HELLO_MS,
    );
    page.once('message', (data, isBinary) => {
      clearTimeout(timer);
      if (!isBinary) return page.close(CLOSE.BAD_FRAME, 'frames are binary');
      let hello: Hello;
      try {
        const f = decode(bytes(data));
        if (f.type !== FRAME.HELLO)
          return page.close(CLOSE.UNAUTHORIZED, 'the first frame must be HELLO');
        hello = f.hello;
      } catch (err) {
        return page.close(
          err instanceof FrameError ? err.close : CLOSE.BAD_FRAME,
          'a malformed HELLO',
        );
      }
      this.sweep();
      const t = hello.ticket ? this.tickets.get(hello.ticket) : undefined;
      if (!t) return page.close(CLOSE.UNAUTHORIZED, 'the ticket is unknown, used or expired');
      this.tickets.delete(hello.ticket!);
      if (t.widget !== widget) return page.close(CLOSE.FORBIDDEN, "the ticket is another widget's");
      const mine = this.open.get(t.owner) ?? new Set<WebSocket>();
      if (mine.size >= t.cap)
        return page.close(CLOSE.RATE_LIMITED, `at most ${t.cap} terminals may be open at once`);
      mine.add(page);
      this.open.set(t.owner, mine);
      page.on('close', () => {
        mine.delete(page);
        if (mine.size === 0 && this.open.get(t.owner) === mine) this.open.delete(t.owner);
      });
      this.relay(page, t, hello);
    });
  }

  /** Connects to the engine's terminal and relays until either side closes. */
  private relay(page: WebSocket, t: Ticket, hello: Hello): void {
    const endpoint = this.b.link.endpoints.containers;
    if (!endpoint) return page.close(CLOSE.UNAVAILABLE, 'no Containers endpoint');
    const base = endpoint.url.replace(/^http/, 'ws').replace(/\/+$/, '');
    const engine = new WebSocket(
      `${base}/workspaces/${encodeURIComponent(t.workspaceId)}/terminals/${t.terminal}`,
      { maxPayload: MAX_FRAME_BYTES + 64, perMessageDeflate: false },
    );
    this.sockets.add(engine);
    const filter = new OutputFilter();
    let draining: NodeJS.Timeout | null = null;
    const early: Uint8Array[] = [];
    engine.on('open', () => {
      engine.send(
        encode.hello({
          token: endpoint.token,
          from: hello.from,
          cols: hello.cols,
          rows: hello.rows,
        }),
      );
      for (const f of early.splice(0)) engine.send(f);
    });
    engine.on('message', (data) => {
      let frame = bytes(data);
      try {
        const f = decode(frame);
        if (f.type === FRAME.OUTPUT) {
          // bytes held back from the last frame (an escape not yet decided) lead this one
          const offset = f.offset - filter.holding;
          const clean = filter.push(f.data);
          if (clean.length === 0) return;
          frame = encode.output(offset, clean);
        }
      } catch {
        return page.close(CLOSE.UNAVAILABLE, 'the engine sent a malformed frame');
      }
      if (page.readyState !== WebSocket.OPEN) return;
      page.send(frame);
      // one watcher while paused: frames already read may still arrive after pause()
      if (page.bufferedAmount > PAGE_BUFFER && !draining) {
        draining = setInterval(() => {
          if (page.readyState !== WebSocket.OPEN || page.bufferedAmount < PAGE_BUFFER / 4) {
            clearInterval(draining!);
            draining = null;
            engine.resume();
          }
        }, 10);
        engine.pause();
      }
    });
    engine.on('close', (code, reason) => {
      this.sockets.delete(engine);
      if (page.readyState === WebSocket.OPEN || page.readyState === WebSocket.CONNECTING)
        page.close(
          code >= 4000 && code < 5000 ? code : CLOSE.UNAVAILABLE,
          reason.toString() || 'the engine closed the terminal',
        );
    });
    engine.on('error', (err) => {
      this.b.log(`se-widgets: terminal: the engine's socket failed: ${err.message}`);
      if (page.readyState === WebSocket.OPEN)
        page.close(CLOSE.UNAVAILABLE, 'the engine is unreachable');
    });
    page.on('message', (data, isBinary) => {
      if (!isBinary) return page.close(CLOSE.BAD_FRAME, 'frames are binary');
      const frame = bytes(data);
      let type: number;
      try {
        type = decode(frame).type;
      } catch (err) {
        return page.close(
          err instanceof FrameError ? err.close : CLOSE.BAD_FRAME,
          (err as Error).message.slice(0, 120),
        );
      }
      if (
        type !== FRAME.INPUT &&
        type !== FRAME.RESIZE &&
        type !== FRAME.ACK &&
        type !== FRAME.SIGNAL
      )
        return page.close(
          CLOSE.BAD_FRAME,
          `a page may not send frames of type 0x${type.toString(16)}`,
        );
      if (engine.readyState === WebSocket.OPEN) engine.send(frame);
      else if (engine.readyState === WebSocket.CONNECTING && early.length < 64) early.push(frame);
    });
    page.on('close', () => {
      if (engine.readyState === WebSocket.OPEN || engine.readyState === WebSocket.CONNECTING)
        engine.close(1000, 'the page left');
    });
  }

  /** Closes every socket (the backend stops). */
  close(): void {
    for (const s of this.sockets) s.terminate();
    this.sockets.clear();
    this.wss.close();
  }
}
