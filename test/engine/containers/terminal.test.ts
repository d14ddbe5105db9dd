// The workspace terminal (an extension of the Containers API): a real engine over real HTTP, a
// real WebSocket, the shell on a pty inside the real sandbox (native/se-pty.c).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import {
  CLOSE,
  decode,
  encode,
  FRAME,
  HIGH_WATER,
  MAX_FRAME_BYTES,
  type Frame,
  type Hello,
} from '../../../src/shared/terminal.js';
import { BASE, engineWithFixture, type ContainersEngine } from './helpers.js';

let t: ContainersEngine;
let project: string;

before(async () => {
  t = await engineWithFixture();
  project = await t.projectId('FIXTURE');
});
after(() => t.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A page's side of one terminal connection. */
class Page {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  /** every OUTPUT byte received, in order */
  out = Buffer.alloc(0);
  /** offset of the first byte of `out` */
  base = -1;
  closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;
  /** ACK every output frame at once (a fast page) */
  autoAck = true;
  private chunks: Buffer[] = [];
  private bytes = 0;
  private waiters: Array<() => void> = [];

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) =>
      this.ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake();
      }),
    );
    this.ws.on('message', (data: Buffer) => {
      const f = decode(new Uint8Array(data));
      this.frames.push(f);
      if (f.type === FRAME.OUTPUT) {
        if (this.base < 0) this.base = f.offset;
        assert.equal(f.offset, this.base + this.bytes, 'output offsets are contiguous');
        this.chunks.push(Buffer.from(f.data));
        this.bytes += f.data.length;
        if (this.autoAck) this.ack();
      }
      this.wake();
    });
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

function url(workspace: string, name: string): string {
  return `${t.engine.url.replace(/^http/, 'ws')}${BASE}/workspaces/${workspace}/terminals/${name}`;
}

/** Opens a terminal with the access token; resolves once READY came. */
async function open(workspace: string, name: string, hello: Hello = {}): Promise<Page> {
  const p = new Page(url(workspace, name));
  await p.opened;
  p.send(encode.hello({ token: t.engine.accessToken, ...hello }));
  const closed = p.closed.then((c) => {
    throw new Error(`closed before READY: ${c.code} ${c.reason}`);
  });
  await Promise.race([p.waitFrame(FRAME.READY), closed]);
  return p;
}

/** Opens a terminal and waits for the shell's first prompt. */
async function shell(workspace: string, name: string, hello: Hello = {}): Promise<Page> {
  const p = await open(workspace, name, hello);
  await p.output(/\$ $/);
  return p;
}

/** Runs `cmd` in the shell; the output after it up to the next prompt, without the echo. */
async function run(p: Page, cmd: string, ms = 20_000): Promise<string> {
  const since = p.text.length;
  const mark = `__done${Math.random().toString(36).slice(2, 8)}`;
  p.input(`${cmd}; echo ${mark}\r`);
  const text = await p.output(new RegExp(`\\n${mark}\\r?\\n`), since, ms);
  return text.slice(0, text.lastIndexOf(`\n${mark}`) + 1);
}

async function workspace(fields: Record<string, unknown> = {}): Promise<string> {
  return (await t.workspace({ project_id: project, ...fields })).id;
}

function processesOf(uid: number): string[] {
  const out = execFileSync('ps', ['-e', '-o', 'uid=,pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith(`${uid} `));
}

async function uidOfShell(p: Page): Promise<number> {
  const m = /\r(\d+)\r\n/.exec(await run(p, 'id -u'));
  assert.ok(m, 'id -u printed a number');
  return Number(m[1]);
}

describe('a terminal', () => {
  let ws = '';
  before(async () => {
    ws = await workspace();
  });
  after(() => t.put(`/workspaces/${ws}/remove`, { json: {} }));

  it('echoes input and runs commands in the workspace folder', async () => {
    const p = await shell(ws, '1');
    const ready = p.frame(FRAME.READY)!.ready;
    assert.deepEqual(ready, { terminal: '1', from: 0, lost: false, cols: 80, rows: 24 });
    const out = await run(p, 'echo hello-$((6*7)); pwd; tty');
    assert.match(out, /hello-42\r\n/);
    assert.match(out, /\/home\/user\/workspace\r\n/);
    assert.match(out, /\/dev\/pts\/\d+\r\n/);
    p.close();
  });

  it('answers a Python program reading input() as it runs', async () => {
    const p = await shell(ws, 'py');
    const since = p.text.length;
    p.input(`python3 -c "n = input('name? '); print('hi', n[::-1])"\r`);
    await p.output(/name\? $/, since);
    p.input('abc\r');
    await p.output(/hi cba\r\n/, since);
    p.close();
  });

  it('interrupts a foreground sleep with a SIGNAL INT frame and with the byte 0x03', async () => {
    const p = await shell(ws, 'int');
    for (const how of ['signal', 'byte'] as const) {
      const since = p.text.length;
      const t0 = Date.now();
      p.input('sleep 30; echo after-$?\r');
      await sleep(300);
      if (how === 'signal') p.send(encode.signal('INT'));
      else p.send(encode.input(new Uint8Array([3])));
      await p.output(/\$ $/, since + 5);
      assert.ok(Date.now() - t0 < 10_000, `${how}: interrupted well before 30 s`);
      assert.doesNotMatch(p.text.slice(since), /after-0/);
    }
    p.close();
  });

  it('has job control: a background job, Ctrl-Z and fg', async () => {
    const p = await shell(ws, 'jobs');
    assert.match(await run(p, 'sleep 30 & jobs'), /\[1\]\+\s+Running\s+sleep 30 &/);
    const since = p.text.length;
    p.input('sleep 40\r');
    await sleep(300);
    p.send(encode.input(new Uint8Array([0x1a])));
    await p.output(/Stopped\s+sleep 40/, since);
    p.input('fg\r');
    await p.output(/sleep 40\r\n/, since + 10);
    p.send(encode.signal('INT'));
    await p.output(/\$ $/, p.text.length - 2);
    assert.match(await run(p, 'kill %1; jobs; echo ok'), /ok/);
    p.close();
  });

  it('applies a resize, seen by stty size', async () => {
    const p = await shell(ws, 'size', { cols: 100, rows: 30 });
    assert.match(await run(p, 'stty size'), /\r30 100\r\n/);
    p.send(encode.resize(132, 43));
    await sleep(100);
    assert.match(await run(p, 'stty size'), /\r43 132\r\n/);
    p.close();
  });

  it('replays what a page missed from `from` when it reconnects', async () => {
    const a = await shell(ws, 'replay');
    await run(a, 'echo first');
    const seen = a.base + a.received;
    a.input('sleep 1; echo missed-$((40+2))\r');
    a.close();
    await a.closed;
    await sleep(1800);
    const b = await open(ws, 'replay', { from: seen });
    const ready = b.frame(FRAME.READY)!.ready;
    assert.equal(ready.from, seen);
    assert.equal(ready.lost, false);
    await b.output(/missed-42/);
    assert.doesNotMatch(b.text, /echo first/, 'nothing before `from` is sent again');
    b.close();
  });

  it('is taken over by a new connection; the old one is told and closed with 4008', async () => {
    const a = await shell(ws, 'take');
    const b = await open(ws, 'take', { from: a.base + a.received });
    const closed = await a.closed;
    assert.equal(closed.code, CLOSE.TAKEN_OVER);
    assert.match(closed.reason, /took this terminal over/);
    assert.deepEqual(a.frames.find((f) => f.type === FRAME.STATE)?.state, { state: 'taken_over' });
    assert.match(await run(b, 'echo still-$((1+1))'), /still-2/);
    b.close();
  });

  it('gives an ERROR frame for a bad resize and an unknown signal, and keeps working', async () => {
    const p = await shell(ws, 'bad');
    p.send(encode.resize(0, 24));
    p.send(encode.resize(100000 % 65536, 24));
    p.send(encode.resize(65535, 24));
    p.send(encode.signal('STOP' as never));
    await p.waitFrame(FRAME.ERROR, 4);
    const errors = p.frames.filter((f) => f.type === FRAME.ERROR).map((f) => f.error);
    assert.deepEqual(
      errors.map((e) => e.code),
      ['bad_resize', 'bad_resize', 'bad_resize', 'bad_signal'],
    );
    assert.match(errors[0]!.message, /no cells/);
    assert.match(errors[2]!.message, /over the 1000x500 cap/);
    assert.match(await run(p, 'stty size'), /\r24 80\r\n/);
    p.close();
  });

  it('reports the exit and answers input after it with an ERROR frame', async () => {
    // the workspace has 8 terminals by now (their shells outlive their sockets): the most it may
    const full = new Page(url(ws, 'ninth'));
    await full.opened;
    full.send(encode.hello({ token: t.engine.accessToken }));
    assert.equal((await full.closed).code, CLOSE.RATE_LIMITED);
    const p = await shell(ws, '1');
    p.input('exit\r');
    assert.deepEqual((await p.waitFrame(FRAME.EXIT)).exit, { code: 0, signal: null });
    p.close();
    const q = await shell(ws, 'exit');
    q.input('exit 7\r');
    const exit = await q.waitFrame(FRAME.EXIT);
    assert.deepEqual(exit.exit, { code: 7, signal: null });
    q.input('echo nobody\r');
    const err = await q.waitFrame(FRAME.ERROR);
    assert.equal(err.error.code, 'exited');
    q.close();
    // the name starts a new shell afterwards
    const r = await shell(ws, 'exit');
    assert.match(await run(r, 'echo again'), /again/);
    r.close();
  });
});
