/**
 * Terminals of workspaces (an extension of the Containers API, WORKSPACE.md "Terminal protocol"):
 * a WebSocket per terminal at `/containers/api/v1/workspaces/:id/terminals/:name`, speaking the
 * frames of `src/shared/terminal.ts`.
 *
 * Each terminal is a shell on a pty inside the workspace's sandbox (native/se-pty.c started by
 * se-init, with the workspace's uid, mounts, limits and seccomp filter). The shell outlives its
 * socket: its output goes into a ring buffer that a reconnecting page replays from the offset it
 * stopped at, until the workspace stops (the idle sweeper counts terminal input as activity).
 * One connection at a time: a new one takes the terminal over.
 *
 * Flow control: the engine stops reading the shell's output once HIGH_WATER bytes are
 * unacknowledged (ACK carries the output offset the page has written up to, the same count as
 * HELLO's `from`) and resumes under LOW_WATER; the pipes and the pty then hold the shell back.
 */
import type { IncomingMessage } from 'node:http';
import { constants as osConstants } from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  badResize,
  CLOSE,
  decode,
  encode,
  FRAME,
  FrameError,
  HIGH_WATER,
  LOW_WATER,
  MAX_FRAME_BYTES,
  SIGNALS,
  type Exit,
  type Frame,
  type Hello,
} from '../../shared/terminal.js';
import { checkToken } from '../http/auth.js';
import type { UpgradeHandler } from '../http/server.js';
import type { StageHandle } from '../sandbox/index.js';
import type { ContainersService } from './service.js';
import { STATE_NAMES } from './store.js';

/** Where se-pty is seen inside the sandbox. */
const PTY_IN_SANDBOX = '/.se-pty';
/** The control fd of se-pty (one of the program's extra fds). */
const CONTROL_FD = 3;
/** Bytes of output a terminal keeps for replay. */
export const RING_BYTES = 256 * 1024;
/** How long a connection may take to send HELLO. */
export const HELLO_MS = 5000;
/** Output is batched over this long. */
const BATCH_MS = 4;
/** Terminals one workspace may have. */
export const TERMINALS_PER_WORKSPACE = 8;
/** Input waiting for the shell beyond this is refused. */
const INPUT_PENDING_BYTES = 1024 * 1024;
/** A terminal's shell lives at most this long (the sandbox's wall limit). */
const SHELL_WALL_MS = 24 * 3600 * 1000;
/** Activity is written to the store at most this often per workspace. */
const TOUCH_MS = 1000;
/** Frames larger than this are refused by ws itself (1009); up to it, by the protocol (4413). */
const WS_MAX_PAYLOAD = 4 * MAX_FRAME_BYTES;
const NAME = /^[A-Za-z0-9_-]{1,32}$/;

/** One terminal: a shell in the sandbox, its ring buffer, and at most one connection. */
class Terminal {
  /** output offset of the next byte read from the shell */
  private end = 0;
  /** the output offset the page has acknowledged */
  private acked = 0;
  // never zero-filled: an idle terminal's untouched pages cost nothing; only what was written
  // (from the shell) is ever read back
  private readonly ring = Buffer.allocUnsafeSlow(RING_BYTES);
  private paused = false;
  private batch: Buffer[] = [];
  private batchFrom = 0;
  private batchTimer: NodeJS.Timeout | null = null;
  private lastFlush = 0;
  private socket: WebSocket | null = null;
  private exitLine: Exit | null = null;
  exit: Exit | null = null;
  cols: number;
  rows: number;
  private lastTouch = 0;
  private control: Duplex | undefined;

  constructor(
    readonly workspace: string,
    readonly name: string,
    private readonly stage: StageHandle,
    size: { cols: number; rows: number },
    private readonly touch: () => void,
    private readonly onEnd: (t: Terminal) => void,
    log: (line: string) => void,
  ) {
    this.cols = size.cols;
    this.rows = size.rows;
    stage.stdin.on('error', () => {
      // EPIPE: the shell is gone
    });
    stage.stdout.on('data', (b: Buffer) => this.output(b));
    this.control = stage.fds.get(CONTROL_FD);
    let text = '';
    this.control?.on('data', (b: Buffer) => {
      text = (text + b.toString('latin1')).slice(-256);
      const m = /exit (-?\d+) (\d+)\n/.exec(text);
      if (m) {
        const sig = Number(m[2]);
        this.exitLine =
          sig > 0 ? { code: null, signal: signalName(sig) } : { code: Number(m[1]), signal: null };
        // the rest of the output is already in the pipe: take it whatever the page acknowledged
        this.resume();
      }
    });
    this.control?.on('error', () => undefined);
    void stage.done.then(
      (outcome) => {
        this.flush();
        if (!this.exitLine && outcome.status === 20) {
          // the sandbox failed (the shell never ran): the operator's log says why
          log(`containers: terminal ${name} of ${workspace}: ${outcome.internalError ?? 'failed'}`);
          this.exit = { code: null, signal: null };
          this.socket?.send(
            encode.error({ code: 'unavailable', message: 'the terminal could not be started' }),
          );
          this.socket?.close(CLOSE.UNAVAILABLE, 'the terminal could not be started');
          this.onEnd(this);
          return;
        }
        // no exit line: the sandbox killed the shell (its wall limit, a stop)
        this.exit = this.exitLine ?? { code: null, signal: 'KILL' };
        // an ended terminal is dropped once a page has seen its end (a new shell takes the name)
        if (this.socket) {
          this.socket.send(encode.exit(this.exit));
          this.onEnd(this);
        }
      },
      () => this.onEnd(this),
    );
  }

  /** A page connects (or reconnects): the old one is told, the ring replayed from `from`. */
  attach(ws: WebSocket, hello: Hello): void {
    // what is batched goes to the page that was here; the new one gets it in the replay
    this.flush();
    const old = this.socket;
    if (old) {
      old.send(encode.state({ state: 'taken_over' }));
      old.close(CLOSE.TAKEN_OVER, 'another connection took this terminal over');
    }
    this.socket = ws;
    const held = Math.min(this.end, RING_BYTES);
    const first = this.end - held;
    const asked = Math.min(hello.from ?? 0, this.end);
    const from = Math.max(asked, first);
    this.acked = Math.max(this.acked, asked);
    if (this.paused && this.end - this.acked < LOW_WATER) this.resume();
    if (hello.cols !== undefined || hello.rows !== undefined) {
      const cols = hello.cols ?? this.cols;
      const rows = hello.rows ?? this.rows;
      const why = badResize(cols, rows);
      if (why) ws.send(encode.error({ code: 'bad_resize', message: why }));
      else this.resize(cols, rows);
    }
    ws.send(
      encode.ready({
        terminal: this.name,
        from,
        lost: from > asked,
        cols: this.cols,
        rows: this.rows,
      }),
    );
    for (let at = from; at < this.end; at += MAX_FRAME_BYTES) {
      const n = Math.min(MAX_FRAME_BYTES, this.end - at);
      ws.send(encode.output(at, this.slice(at, n)));
    }
    ws.on('close', () => {
      if (this.socket === ws) this.socket = null;
    });
    if (this.exit) {
      ws.send(encode.exit(this.exit));
      this.onEnd(this);
    }
  }

  /** A frame from the page after HELLO. */
  frame(ws: WebSocket, f: Frame): void {
    switch (f.type) {
      case FRAME.INPUT: {
        if (this.exit) {
          ws.send(encode.error({ code: 'exited', message: 'the shell has exited' }));
          return;
        }
        if (this.stage.stdin.writableLength > INPUT_PENDING_BYTES) {
          ws.send(encode.error({ code: 'input_full', message: 'the shell is not reading input' }));
          return;
        }
        this.stage.stdin.write(f.data);
        const now = Date.now();
        if (now - this.lastTouch >= TOUCH_MS) {
          this.lastTouch = now;
          this.touch();
        }
        return;
      }
      case FRAME.RESIZE: {
        const why = badResize(f.cols, f.rows);
        if (why) ws.send(encode.error({ code: 'bad_resize', message: why }));
        else this.resize(f.cols, f.rows);
        return;
      }
      case FRAME.ACK:
        this.acked = Math.max(this.acked, Math.min(f.received, this.end));
        if (this.paused && this.end - this.acked < LOW_WATER) this.resume();
        return;
      case FRAME.SIGNAL: {
        const n = (SIGNALS as readonly string[]).includes(f.signal)
          ? (osConstants.signals as Record<string, number>)[`SIG${f.signal}`]
          : undefined;
        if (n === undefined) {
          ws.send(
            encode.error({
              code: 'bad_signal',
              message: `unknown signal ${JSON.stringify(f.signal.slice(0, 20))}; one of ${SIGNALS.join(', ')}`,
            }),
          );
          return;
        }
        if (this.exit) {
          ws.send(encode.error({ code: 'exited', message: 'the shell has exited' }));
          return;
        }
        this.control?.write(`signal ${n}\n`);
        return;
      }
      default:
        ws.close(CLOSE.BAD_FRAME, `a page does not send frames of type 0x${f.type.toString(16)}`);
    }
  }

  /** Ends the terminal: tells the page why, closes its socket, kills the shell. */
  close(state: string, code: number, reason: string): void {
    this.flush();
    const ws = this.socket;
    this.socket = null;
    if (ws) {
      ws.send(encode.state({ state }));
      ws.close(code, reason);
    }
    this.stage.stop();
  }

  private resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    this.control?.write(`resize ${cols} ${rows}\n`);
  }

  private output(b: Buffer): void {
    if (!this.batch.length) this.batchFrom = this.end;
    this.batch.push(b);
    this.toRing(b);
    this.end += b.length;
    if (!this.exitLine && this.end - this.acked > HIGH_WATER && !this.paused) {
      this.paused = true;
      this.stage.stdout.pause();
    }
    // after a quiet spell the first bytes go at once (an echo); a stream is batched
    if (!this.batchTimer && Date.now() - this.lastFlush >= BATCH_MS) this.flush();
    else this.batchTimer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.stage.stdout.resume();
  }

  /** Sends the batched output to the page (in frames under the cap). */
  private flush(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    if (!this.batch.length) return;
    this.lastFlush = Date.now();
    const data = Buffer.concat(this.batch);
    const from = this.batchFrom;
    this.batch = [];
    const ws = this.socket;
    if (!ws) return;
    for (let at = 0; at < data.length; at += MAX_FRAME_BYTES)
      ws.send(encode.output(from + at, data.subarray(at, at + MAX_FRAME_BYTES)));
  }

  private toRing(b: Buffer): void {
    const src = b.length > RING_BYTES ? b.subarray(b.length - RING_BYTES) : b;
    const at = (this.end + (b.length - src.length)) % RING_BYTES;
    const first = Math.min(src.length, RING_BYTES - at);
    src.copy(this.ring, at, 0, first);
    if (first < src.length) src.copy(this.ring, 0, first);
  }

  /** `n` bytes of output from offset `from` (held in the ring). */
  private slice(from: number, n: number): Buffer {
    const at = from % RING_BYTES;
    if (at + n <= RING_BYTES) return Buffer.from(this.ring.subarray(at, at + n));
    return Buffer.concat([this.ring.subarray(at), this.ring.subarray(0, at + n - RING_BYTES)]);
  }
}

/** The WebSocket endpoint of every workspace's terminals. */
export class TerminalManager implements UpgradeHandler {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  private readonly terminals = new Map<string, Terminal>();
  private readonly pending = new Set<WebSocket>();
  private closed = false;
  private readonly disposeGone: () => void;

  constructor(
    private readonly service: ContainersService,
    private readonly basePath: string,
    private readonly accessToken: string,
    private readonly log: (line: string) => void,
  ) {
    this.disposeGone = service.onWorkspaceGone((id, state) => this.workspaceGone(id, state));
  }

  /** The upgrade hook: `/workspaces/:id/terminals/:name` under the base path. */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://engine.invalid').pathname;
    const m = /^\/workspaces\/([^/]+)\/terminals\/([^/]+)$/.exec(path.slice(this.basePath.length));
    if (this.closed || !m || !NAME.test(m[2]!)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [, id, name] = m as unknown as [string, string, string];
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connection(ws, id, name));
  }

  /** The engine is closing: every page is told, every shell killed. */
  close(): void {
    this.closed = true;
    this.disposeGone();
    for (const ws of this.pending) ws.close(1001, 'the engine is stopping');
    for (const t of [...this.terminals.values()])
      t.close('engine_stopping', 1001, 'the engine is stopping');
    this.terminals.clear();
    this.wss.close();
  }

  /** Terminals open now (for tests and the bench). */
  get size(): number {
    return this.terminals.size;
  }

  private workspaceGone(id: string, state: 'stopped' | 'removed'): void {
    for (const [key, t] of this.terminals)
      if (t.workspace === id) {
        this.terminals.delete(key);
        t.close(state, CLOSE.WORKSPACE_GONE, `the workspace was ${state}`);
      }
  }

  private connection(ws: WebSocket, id: string, name: string): void {
    this.pending.add(ws);
    const timer = setTimeout(
      () => ws.close(CLOSE.UNAUTHORIZED, `no HELLO within ${HELLO_MS / 1000} s`),
      HELLO_MS,
    );
    let terminal: Terminal | null = null;
    ws.on('error', () => undefined);
    ws.on('close', () => {
      clearTimeout(timer);
      this.pending.delete(ws);
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (ws.readyState !== ws.OPEN) return;
      if (!isBinary) {
        ws.close(CLOSE.BAD_FRAME, 'text frames are not part of the protocol: send binary frames');
        return;
      }
      let f: Frame;
      try {
        f = decode(toBytes(data));
      } catch (err) {
        if (!(err instanceof FrameError)) throw err;
        ws.close(err.close, err.message.slice(0, 120));
        return;
      }
      if (terminal) {
        if (f.type === FRAME.HELLO) ws.close(CLOSE.BAD_FRAME, 'HELLO was sent already');
        else terminal.frame(ws, f);
        return;
      }
      if (f.type !== FRAME.HELLO) {
        ws.close(CLOSE.UNAUTHORIZED, 'the first frame must be HELLO with a token');
        return;
      }
      clearTimeout(timer);
      this.pending.delete(ws);
      terminal = this.hello(ws, id, name, f.hello);
    });
  }

  /** Checks a HELLO; the terminal it attached to, or null (the socket is closed). */
  private hello(ws: WebSocket, id: string, name: string, hello: Hello): Terminal | null {
    const w = this.service.rows.workspace(id);
    if (!w) {
      ws.close(CLOSE.NOT_FOUND, 'no such workspace');
      return null;
    }
    const token = hello.token ?? '';
    let ok = false;
    try {
      checkToken(token, this.accessToken);
      ok = true;
    } catch {
      ok = w.tokenRequired && token !== '' && this.service.checkToken(w, token);
    }
    if (!ok) {
      ws.close(CLOSE.UNAUTHORIZED, 'the token is neither the workspace token nor the access token');
      return null;
    }
    const key = `${id}/${name}`;
    let t = this.terminals.get(key);
    if (!t) {
      const live = this.service.terminalTarget(id);
      if (!live) {
        ws.close(
          CLOSE.WORKSPACE_GONE,
          `the workspace is not running (${STATE_NAMES[w.state] ?? 'unknown'})`,
        );
        return null;
      }
      if (
        [...this.terminals.values()].filter((x) => x.workspace === id).length >=
        TERMINALS_PER_WORKSPACE
      ) {
        ws.close(
          CLOSE.RATE_LIMITED,
          `a workspace has at most ${TERMINALS_PER_WORKSPACE} terminals`,
        );
        return null;
      }
      const size = {
        cols: hello.cols && !badResize(hello.cols, hello.rows ?? 24) ? hello.cols : 80,
        rows: hello.rows && !badResize(hello.cols ?? 80, hello.rows) ? hello.rows : 24,
      };
      const pty = this.service.ptyHelper;
      if (!pty) {
        ws.close(
          CLOSE.UNAVAILABLE,
          'the terminal is not available: native/build/se-pty is not built',
        );
        return null;
      }
      let stage: StageHandle;
      try {
        stage = live.runner.start(live.target, {
          argv: [
            PTY_IN_SANDBOX,
            '--control-fd',
            String(CONTROL_FD),
            '--cols',
            String(size.cols),
            '--rows',
            String(size.rows),
            '--',
            '/bin/bash',
            '-i',
          ],
          env: { SE_TERMINAL: name },
          limits: this.limits(w.createdAt),
          outputCapBytes: Number.MAX_SAFE_INTEGER,
          readOnlyBinds: true,
          mounts: [
            {
              target: PTY_IN_SANDBOX,
              host: pty,
              writable: false,
            },
          ],
          fds: [{ fd: CONTROL_FD, stream: true }],
        });
      } catch (err) {
        this.log(`containers: terminal ${key} did not start: ${String(err)}`);
        ws.close(CLOSE.UNAVAILABLE, 'the terminal could not be started');
        return null;
      }
      t = new Terminal(
        id,
        name,
        stage,
        size,
        () => this.service.touch(id),
        (x) => {
          if (this.terminals.get(key) === x) this.terminals.delete(key);
        },
        this.log,
      );
      this.terminals.set(key, t);
    }
    t.attach(ws, hello);
    return t;
  }

  private limits(createdAt: number) {
    const s = this.service.settings;
    const left = s.lifetimeMin * 60_000 - (Date.now() - createdAt);
    return {
      // per process of the shell; the idle timeout and the wall limit bound the rest
      cpuSec: 3600,
      wallMs: Math.max(1000, Math.min(SHELL_WALL_MS, left)),
      memoryBytes: s.memoryBytes,
      pids: 256,
      nofile: 1024,
      fsizeBytes: s.diskBytes,
      stackBytes: 64 * 1024 * 1024,
      tmpBytes: 256 * 1024 * 1024,
    };
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return new Uint8Array(data);
}

function signalName(n: number): string {
  const e = Object.entries(osConstants.signals).find(([, v]) => v === n);
  return e ? e[0].replace(/^SIG/, '') : String(n);
}
