// The workspace terminal (an extension of the Containers API): a real engine over real HTTP, a
// real WebSocket, the shell on a pty inside the real sandbox (native/se-pty.c).
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import {
  CLOSE,
  encode,
  FRAME,
  HIGH_WATER,
  MAX_FRAME_BYTES,
  type Hello,
} from '../../../src/shared/terminal.js';
import { RING_BYTES } from '../../../src/engine/containers/terminal.js';
import { BASE, engineWithFixture, type ContainersEngine } from './helpers.js';
import { Page } from '../../helpers/terminal-page.js';

const execFileAsync = promisify(execFile);
let t: ContainersEngine;
let project: string;

before(async () => {
  t = await engineWithFixture();
  project = await t.projectId('FIXTURE');
});
after(() => t.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function url(workspace: string, name: string, engine = t): string {
  return `${engine.engine.url.replace(/^http/, 'ws')}${BASE}/workspaces/${workspace}/terminals/${name}`;
}

/** Opens a terminal with the access token; resolves once READY came. */
async function open(workspace: string, name: string, hello: Hello = {}, engine = t): Promise<Page> {
  const p = new Page(url(workspace, name, engine));
  await p.opened;
  p.send(encode.hello({ token: engine.engine.accessToken, ...hello }));
  let ready = false;
  const closed = p.closed.then((c) => {
    if (!ready) throw new Error(`closed before READY: ${c.code} ${c.reason}`);
  });
  closed.catch(() => undefined);
  await Promise.race([p.waitFrame(FRAME.READY), closed]);
  ready = true;
  return p;
}

/** Opens a terminal and waits for the shell's first prompt. */
async function shell(
  workspace: string,
  name: string,
  hello: Hello = {},
  engine = t,
): Promise<Page> {
  const p = await open(workspace, name, hello, engine);
  await p.output(/\$ $/);
  return p;
}

/** Runs `cmd` in the shell; the output after it up to the next prompt, without the echo. */
async function run(p: Page, cmd: string, ms = 20_000): Promise<string> {
  const since = p.text.length;
  const mark = `__done${Math.random().toString(36).slice(2, 8)}`;
  p.input(`${cmd}; echo ${mark}\r`);
  const text = await p.output(new RegExp(`[\\r\\n]${mark}\\r?\\n`), since, ms);
  return text.slice(0, text.lastIndexOf(mark));
}

async function workspace(fields: Record<string, unknown> = {}): Promise<string> {
  return (await t.workspace({ project_id: project, ...fields })).id;
}

/**
 * The processes of `uid` whose command line holds `mark`. Engines of other checkouts on this
 * machine give their workspaces the same uids, so the processes a test starts carry a mark.
 */
function processesOf(uid: number, mark: string): string[] {
  const out = execFileSync('ps', ['-e', '-o', 'uid=,pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith(`${uid} `) && l.includes(mark));
}

/** A `sleep` of about 1000 s whose argument is unique to this run (its mark). */
const daemonSleep = () => `1000.${Math.floor(Math.random() * 1e9)}`;

async function uidOfShell(p: Page): Promise<number> {
  const m = /\r(\d+)\r\n/.exec(await run(p, 'id -u'));
  assert.ok(m, 'id -u printed a number');
  return Number(m[1]);
}

// first, while the engine's memory is at its lowest
describe('flow control', () => {
  let ws = '';
  before(async () => {
    ws = await workspace();
  });
  after(() => t.put(`/workspaces/${ws}/remove`, { json: {} }));

  it('moves 64 MiB of `yes` in order through a slow page, the engine memory bounded', async () => {
    const TOTAL = 64 * 1024 * 1024;
    const BOUND = 64 * 1024 * 1024;
    const p = await shell(ws, 'yes');
    // raw output (no \n to \r\n), so the bytes counted are the program's
    await run(p, 'stty -opost');
    const pattern = Buffer.from('y\n'.repeat(MAX_FRAME_BYTES));
    let state: 'before' | 'in' | 'after' = 'before';
    let tail = '';
    let count = 0;
    let bad = -1;
    let done = false;
    p.sink = (data) => {
      let b = Buffer.from(data.buffer, data.byteOffset, data.length);
      if (state === 'before') {
        tail = (tail + b.toString('latin1')).slice(-(b.length + 16));
        const at = tail.indexOf('BEGIN\n');
        if (at < 0) return;
        state = 'in';
        const rest = Buffer.from(tail.slice(at + 6), 'latin1');
        tail = '';
        b = rest;
      }
      if (state === 'in') {
        const n = Math.min(b.length, TOTAL - count);
        const phase = count % 2;
        if (bad < 0 && !b.subarray(0, n).equals(pattern.subarray(phase, phase + n))) bad = count;
        count += n;
        if (count === TOTAL) {
          state = 'after';
          b = b.subarray(n);
        } else return;
      }
      tail = (tail + b.toString('latin1')).slice(-64);
      if (/END\n/.test(tail)) done = true;
    };
    p.autoAck = false;
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    try {
      p.input(`printf 'BEGIN\\n'; yes | head -c ${TOTAL}; printf 'END\\n'\r`);
      // a page that acknowledges nothing for 1.5 s: the engine stops at HIGH_WATER
      await sleep(1500);
      const stalled = p.received;
      await sleep(500);
      assert.equal(p.received, stalled, 'nothing more arrives while nothing is acknowledged');
      assert.ok(
        stalled <= HIGH_WATER + 2 * MAX_FRAME_BYTES + 4096,
        `at most about HIGH_WATER unacknowledged: ${stalled}`,
      );
      // then a slow page: it acknowledges what it has every 5 ms
      const acker = setInterval(() => p.ack(), 5);
      try {
        await p.until(() => done, 'all 64 MiB and END', 240_000);
      } finally {
        clearInterval(acker);
      }
    } finally {
      clearInterval(sampler);
    }
    assert.equal(bad, -1, `the bytes arrived in order (first wrong at ${bad})`);
    assert.equal(count, TOTAL);
    const grew = peak - rss0;
    console.log(`# engine RSS grew by ${(grew / 1048576).toFixed(1)} MiB moving 64 MiB`);
    assert.ok(grew < BOUND, `the engine's RSS grew by ${grew} bytes (bound ${BOUND})`);
    p.sink = null;
    p.autoAck = true;
    p.ack();
    // a page asking for everything gets the ring's last 256 KiB, and is told some was lost
    p.input('echo mark-$((1+1))\r');
    await p.output(/\rmark-2\n.*\$ $/s);
    const end = p.base + p.received;
    const q = await open(ws, 'yes', { from: 0 });
    const ready = q.frame(FRAME.READY)!.ready;
    assert.equal(ready.lost, true);
    assert.equal(ready.from, end - RING_BYTES);
    await q.until(() => q.received === RING_BYTES, 'the ring replayed');
    assert.match(q.text, /^y?(\ny)+\nEND\n/);
    assert.match(q.text, /\rmark-2\n.*\$ $/s);
    q.input('stty sane\r');
    q.close();
  });
});

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
    // the sandbox's own devpts: its first pty, whatever the host has open
    assert.match(out, /\/dev\/pts\/0\r\n/);
    // the workspace's layout: files.read_only bound read-only, HOME its own
    const ro = await run(p, 'echo x > locked.txt; echo home=$HOME');
    assert.match(ro, /locked\.txt: Read-only file system/);
    assert.match(ro, /home=\/home\/user\r\n/);
    p.close();
  });

  it('refuses TIOCSTI (typing into the terminal from inside it)', async () => {
    const p = await shell(ws, 'sti');
    const out = await run(
      p,
      `python3 -c "import fcntl, termios; fcntl.ioctl(0, termios.TIOCSTI, b'x')" 2>&1 | tail -1`,
    );
    assert.match(out, /PermissionError: \[Errno 1\] Operation not permitted/);
    p.input('exit\r');
    await p.waitFrame(FRAME.EXIT);
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
    const fg = p.text.length;
    p.input('fg\r');
    await p.output(/fg\r\n.*sleep 40\r\n/s, fg);
    await sleep(200);
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
    // taken over in the middle of a stream: the new page's offsets run on from READY's `from`
    b.input('yes line | head -n 300000; echo stream-$((0+1))-end\r');
    await b.output(/line\r\nline\r\n/);
    const c = await open(ws, 'take', { from: b.base + b.received });
    await c.output(/stream-1-end\r\n/, 0, 60_000);
    assert.equal(c.base, c.frame(FRAME.READY)!.ready.from);
    assert.equal((await b.closed).code, CLOSE.TAKEN_OVER);
    c.close();
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

describe('containment', () => {
  it('keeps a fork bomb under the pids limit; nothing of the shell outlives the stop', async () => {
    const ws = await workspace();
    const p = await shell(ws, '1');
    const uid = await uidOfShell(p);
    assert.ok(uid >= 200_000 || process.getuid?.() !== 0, `the workspace's own uid: ${uid}`);
    const daemon = daemonSleep();
    await run(p, `setsid sleep ${daemon} & disown`);
    const mark = `se-bomb-${Math.floor(Math.random() * 1e9)}`;
    const bomb =
      `# ${mark}\\nimport os, time\\nn = 0\\ntry:\\n    while n < 2000:\\n        if os.fork() == 0:\\n` +
      '            time.sleep(1000)\\n            os._exit(0)\\n        n += 1\\n' +
      'except OSError as e:\\n    print("forks", n, e.errno)';
    const out = await run(p, `python3 -c "$(printf '${bomb}')"`, 60_000);
    const m = /forks (\d+) (\d+)/.exec(out);
    assert.ok(m, out);
    const n = Number(m[1]);
    assert.ok(n < 256, `the pids limit stopped the forks at ${n}`);
    const left = () => [...processesOf(uid, daemon), ...processesOf(uid, mark)];
    if (process.getuid?.() === 0) {
      assert.equal(processesOf(uid, daemon).length, 1, 'the daemon runs');
      assert.ok(processesOf(uid, mark).length >= n, `the forks run`);
    }
    const r = await t.put(`/workspaces/${ws}/stop`, { json: {} });
    assert.equal(r.status, 200, r.text);
    const closed = await p.closed;
    assert.equal(closed.code, CLOSE.WORKSPACE_GONE);
    assert.deepEqual(p.frames.find((f) => f.type === FRAME.STATE)?.state, { state: 'stopped' });
    if (process.getuid?.() === 0) {
      for (let i = 0; i < 100 && left().length; i++) await sleep(100);
      assert.deepEqual(left(), [], 'nothing the shell started is left');
    }
    await t.put(`/workspaces/${ws}/remove`, { json: {} });
  });
});

describe('bad input', () => {
  let ws = '';
  let otherWs = '';
  let other: Page;
  before(async () => {
    ws = await workspace();
    otherWs = await workspace();
    other = await shell(otherWs, 'other');
  });
  after(async () => {
    // another terminal of the same engine kept working through all of it
    assert.match(await run(other, 'echo alive-$((2+3))'), /alive-5/);
    other.close();
    for (const id of [ws, otherWs]) await t.put(`/workspaces/${id}/remove`, { json: {} });
  });

  /** Connects, sends `frames`, returns the close. */
  async function closeOf(
    workspace: string,
    frames: Array<Uint8Array | string>,
  ): Promise<{ code: number; reason: string; page: Page }> {
    const p = new Page(url(workspace, '1'));
    await p.opened;
    for (const f of frames) p.send(f);
    return { ...(await p.closed), page: p };
  }
  const hello = (h: Hello = {}) => encode.hello({ token: t.engine.accessToken, ...h });

  it('closes 4001 without a HELLO within 5 s', async () => {
    const t0 = Date.now();
    const c = await closeOf(ws, []);
    assert.equal(c.code, CLOSE.UNAUTHORIZED);
    assert.match(c.reason, /no HELLO within 5 s/);
    assert.ok(Date.now() - t0 >= 4500);
  });

  it('closes 4001 for a bad token, a missing one, or a first frame that is not HELLO', async () => {
    for (const frames of [
      [encode.hello({ token: 'wrong' })],
      [encode.hello({})],
      [encode.input('ls\r')],
    ]) {
      const c = await closeOf(ws, frames);
      assert.equal(c.code, CLOSE.UNAUTHORIZED, c.reason);
      assert.ok(c.reason.length > 10, c.reason);
    }
  });

  it('takes the workspace token when the workspace has one, and only its own', async () => {
    const w = await t.workspace({ project_id: project, workspace_token_required: true });
    const token = w.workspace_token as string;
    assert.ok(token);
    const p = new Page(url(w.id, '1'));
    await p.opened;
    p.send(encode.hello({ token }));
    await p.waitFrame(FRAME.READY);
    await p.output(/\$ $/);
    p.close();
    // a workspace without a token takes only the access token
    assert.equal((await closeOf(ws, [encode.hello({ token })])).code, CLOSE.UNAUTHORIZED);
    await t.put(`/workspaces/${w.id}/remove`, { json: {} });
  });

  it('closes 4004 for an unknown workspace and refuses an unknown path', async () => {
    const c = await closeOf('0123456789abcdef0123456789abcdef', [hello()]);
    assert.equal(c.code, CLOSE.NOT_FOUND);
    assert.match(c.reason, /no such workspace/);
    const bad = new WebSocket(`${t.engine.url.replace(/^http/, 'ws')}${BASE}/workspaces/${ws}`);
    const status = await new Promise<number>((resolve) =>
      bad.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    assert.equal(status, 404);
  });

  it('closes 4009 for a stopped workspace, and every terminal of one that stops or goes', async () => {
    const stopped = await workspace();
    await t.put(`/workspaces/${stopped}/stop`, { json: {} });
    const c = await closeOf(stopped, [hello()]);
    assert.equal(c.code, CLOSE.WORKSPACE_GONE);
    assert.match(c.reason, /not running \(stopped\)/);
    const going = await workspace();
    const a = await shell(going, 'a');
    const b = await shell(going, 'b');
    await t.put(`/workspaces/${going}/remove`, { json: {} });
    for (const p of [a, b]) {
      assert.equal((await p.closed).code, CLOSE.WORKSPACE_GONE);
      assert.deepEqual(p.frames.find((f) => f.type === FRAME.STATE)?.state, { state: 'removed' });
    }
    await t.put(`/workspaces/${stopped}/remove`, { json: {} });
  });

  it('closes 4400 for an unknown frame type, a malformed frame, a second HELLO, a text frame', async () => {
    for (const [frames, why] of [
      [[hello(), new Uint8Array([0x7f, 1, 2])], /unknown type 0x7f/],
      [[new Uint8Array([0x42])], /unknown type 0x42/],
      [[hello(), new Uint8Array([FRAME.RESIZE, 1])], /RESIZE/],
      [[hello(), hello()], /HELLO was sent already/],
      [[hello(), encode.output(0, new Uint8Array(1))], /does not send/],
      [[hello(), 'ls\r'], /text frames/],
      [['{"token":"x"}'], /text frames/],
    ] as Array<[Array<Uint8Array | string>, RegExp]>) {
      const c = await closeOf(ws, frames);
      assert.equal(c.code, CLOSE.BAD_FRAME, c.reason);
      assert.match(c.reason, why);
    }
  });

  it('leaves other upgrades to the HTTP API (curl --http2 asks for h2c)', async () => {
    const { stdout } = await execFileAsync('curl', [
      '-s',
      '-i',
      '-m',
      '20',
      '--http2',
      `${t.engine.url}${BASE}/workspaces/${ws}?access_token=${t.engine.accessToken}`,
    ]);
    assert.match(stdout, /^HTTP\/1\.1 200 OK/);
    assert.match(stdout, /"id":"[0-9a-f]{32}"/);
  });

  it('closes 4413 for a frame over the cap', async () => {
    const big = encode.input(new Uint8Array(MAX_FRAME_BYTES + 100));
    const c = await closeOf(ws, [hello(), big]);
    assert.equal(c.code, CLOSE.TOO_LARGE);
    assert.match(c.reason, /over the 65536 cap/);
    // and the terminal it was talking to still works
    const p = await shell(ws, '1');
    assert.match(await run(p, 'echo fine'), /fine/);
    p.close();
  });
});

describe('the idle timeout', () => {
  let e: ContainersEngine;
  before(async () => {
    e = await engineWithFixture({ containers: { sweepMs: 100 } });
  });
  after(() => e.close());

  /** Moves a workspace's last use back by `ms` in the engine's database file. */
  function age(id: string, ms: number): void {
    const db = new Database(join(e.dataDir, 'engine.db'));
    try {
      db.prepare(
        'UPDATE containers_workspaces SET last_usage = coalesce(last_usage, created_at) - ? WHERE id = ?',
      ).run(ms, id);
    } finally {
      db.close();
    }
  }
  const MIN = 60_000;

  it('counts terminal input as activity, not output; the shell goes when the workspace stops', async () => {
    const id = (
      await e.workspace({ project_id: await e.projectId('FIXTURE'), inactivity_timeout: 10 })
    ).id;
    const p = await shell(id, '1', {}, e);
    p.input('while :; do echo tick; sleep 0.2; done &\r');
    await p.output(/tick\r\n.*tick\r\n/s);
    await sleep(1100);
    // nine idle minutes, then a keystroke, then two more: still running
    age(id, 9 * MIN);
    p.input('echo typed\r');
    await p.output(/\rtyped\r\n/);
    age(id, 2 * MIN);
    await sleep(500);
    assert.equal((await e.get(`/workspaces/${id}`)).json.state.code, 2);
    // eleven minutes with output only: stopped, and the terminal with it
    age(id, 11 * MIN);
    const closed = await p.closed;
    assert.equal(closed.code, CLOSE.WORKSPACE_GONE);
    assert.equal((await e.get(`/workspaces/${id}`)).json.state.code, 3);
  });

  it('closes its terminals with 1001 when the engine closes, and kills their shells', async () => {
    const id = (await e.workspace({ project_id: await e.projectId('FIXTURE') })).id;
    const p = await shell(id, '1', {}, e);
    const uid = await uidOfShell(p);
    const daemon = daemonSleep();
    await run(p, `setsid sleep ${daemon} & disown`);
    if (process.getuid?.() === 0) assert.equal(processesOf(uid, daemon).length, 1);
    await e.close();
    const closed = await p.closed;
    assert.equal(closed.code, 1001);
    assert.match(closed.reason, /engine is stopping/);
    if (process.getuid?.() === 0) {
      for (let i = 0; i < 50 && processesOf(uid, daemon).length; i++) await sleep(100);
      assert.deepEqual(processesOf(uid, daemon), []);
    }
  });
});
