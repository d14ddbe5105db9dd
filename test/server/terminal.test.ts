// The terminal through the signing backend: a page gets a one-time ticket over /v1, opens the
// backend's WebSocket from a widget origin, and the backend relays to the engine's terminal (real
// engine, sandbox, pty). Every refusal of issue 14's "Bad input" list, output hygiene on the way,
// and a hosted upstream that has no terminal.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Database from 'better-sqlite3';
import { WebSocket } from 'ws';
import { startAll, type StartedAll } from '../../src/cli/serve.js';
import { startEngine, type RunningEngine } from '../../src/engine/index.js';
import { parseConfig } from '../../src/server/index.js';
import { signSession } from '../../src/server/sessions.js';
import {
  CLOSE,
  decode,
  encode,
  FRAME,
  HIGH_WATER,
  MAX_FRAME_BYTES,
  type Frame,
} from '../../src/shared/terminal.js';
import { Recorder } from './helpers.js';

const SECRET = 'terminal-test-session-secret-0123456789abcdef';
const ENGINE_TOKEN = 'terminal-test-engine-token-4c1d';
const ORIGIN = 'http://lms.test';
const widget = (id: string, terminal: boolean) => ({
  id,
  mode: 'workspace',
  origins: [ORIGIN],
  workspace: { project: 'PYTHON-UNITTEST', terminal, terminals: 2 },
});
const CONFIG = {
  widgets: [widget('term', true), widget('other', true), widget('no-term', false)],
};

/** A page's end of a terminal: frames kept, output gathered, ACKed as it comes. */
class Term {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  output = '';
  private readonly closing: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;
  received = 0;
  /** false: output is counted and its tail kept, not all of it (a long stream) */
  keep = true;
  /** milliseconds to wait before acknowledging each frame (a slow page); -1: acknowledge nothing */
  ackDelayMs = 0;
  private wakers: Array<() => void> = [];

  constructor(url: string, origin = ORIGIN) {
    this.ws = new WebSocket(url, { origin });
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
      if (f.type !== FRAME.OUTPUT || this.keep) this.frames.push(f);
      if (f.type === FRAME.OUTPUT) {
        const text = Buffer.from(f.data).toString('latin1');
        this.output = this.keep ? this.output + text : (this.output + text).slice(-200);
        this.received = f.offset + f.data.length;
        const ack = encode.ack(this.received);
        if (this.ackDelayMs > 0) setTimeout(() => this.ws.send(ack), this.ackDelayMs);
        else if (this.ackDelayMs === 0) this.ws.send(ack);
      }
      this.wake();
    });
  }

  /** The close (code and reason); rejects when it does not come within 20 s. */
  get closed(): Promise<{ code: number; reason: string }> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the socket was not closed within 20 s')), 20_000);
    });
    return Promise.race([this.closing, late]).finally(() => clearTimeout(timer));
  }

  private wake() {
    for (const w of this.wakers.splice(0)) w();
  }

  /** Waits until `ok()` holds (fails after 20 s, or when the socket closed first). */
  async until(ok: () => boolean, what: string, withinMs = 20_000): Promise<void> {
    const end = Date.now() + withinMs;
    while (!ok()) {
      if (Date.now() > end || this.ws.readyState === WebSocket.CLOSED)
        throw new Error(
          `${what}: not seen; output so far: ${JSON.stringify(this.output.slice(-500))}`,
        );
      await new Promise<void>((r) => {
        this.wakers.push(r);
        setTimeout(r, 200);
      });
    }
  }

  send(b: Uint8Array) {
    this.ws.send(b);
  }
}

describe('the terminal through the backend', () => {
  let all: StartedAll;
  let engineDir: string;
  let backendDir: string;
  const rec = new Recorder();
  const wsUrl = (path: string) => all.url.replace(/^http/, 'ws') + path;
  const call = (method: string, path: string, token: string, body?: unknown) =>
    rec.fetch(all.url + path, {
      method,
      headers: {
        origin: ORIGIN,
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const tokenFor = async (sub: string, w = 'term') =>
    (await signSession({ secret: SECRET, widget: w, sub, actions: ['workspace'] })).token;
  /** A ticket, and a connected terminal that has sent HELLO with it. */
  const connect = async (token: string, terminal = '1') => {
    const r = await call('POST', '/v1/workspace/terminal', token, { terminal });
    assert.equal(r.status, 201, r.text);
    const { ticket, path } = r.json();
    const t = new Term(wsUrl(path));
    await t.opened;
    t.send(encode.hello({ ticket, cols: 80, rows: 24 }));
    return { t, ticket, path };
  };

  before(async () => {
    engineDir = await mkdtemp(join(tmpdir(), 'se-term-engine-'));
    backendDir = await mkdtemp(join(tmpdir(), 'se-term-backend-'));
    all = await startAll({
      config: parseConfig(CONFIG),
      sessionSecret: SECRET,
      dataDir: backendDir,
      engine: { dataDir: engineDir, workers: 2, accessToken: ENGINE_TOKEN },
      log: () => {},
    });
  });
  after(async () => {
    await all.close();
    await rm(engineDir, { recursive: true, force: true });
    await rm(backendDir, { recursive: true, force: true });
  });

  it('relays a shell: echo, input() answered, and no token or ticket in any URL', async () => {
    const token = await tokenFor('learner-1');
    const { t, ticket, path } = await connect(token);
    await t.until(() => t.frames.some((f) => f.type === FRAME.READY), 'READY');
    t.send(encode.input('echo relayed-$((6*7))\n'));
    await t.until(() => t.output.includes('relayed-42'), 'the echo');
    t.send(encode.input(`python3 -c 'print("got", input("name? "))'\n`));
    await t.until(() => t.output.includes('name? '), 'the prompt');
    t.send(encode.input('Ada\n'));
    await t.until(() => t.output.includes('got Ada'), 'the answer');
    assert.ok(!path.includes(ticket) && !/token/i.test(path), path);
    t.ws.close();
  });

  it('neutralizes clipboard writes, titles and links on the way to the page', async () => {
    const token = await tokenFor('learner-2');
    const { t } = await connect(token);
    t.send(
      encode.input(
        `printf 'A\\033]52;c;aGk=\\007B\\033]0;title\\007C\\033]8;;http://x.test\\033\\\\D\\n'\n`,
      ),
    );
    await t.until(() => /A\0+B\0+C\0+D/.test(t.output), 'the neutralized line');
    assert.ok(!t.output.includes('\x1b]52'), 'no clipboard write reaches the page');
    assert.ok(!t.output.includes('\x1b]0;'), 'no title change reaches the page');
    assert.ok(!t.output.includes('\x1b]8;'), 'no link reaches the page');
    t.ws.close();
  });

  it('refuses a wrong Origin before upgrading, and an unknown widget', async () => {
    const token = await tokenFor('learner-3');
    const { ticket } = (await call('POST', '/v1/workspace/terminal', token, {})).json();
    const evil = new Term(wsUrl('/v1/terminal?widget=term'), 'http://evil.test');
    await assert.rejects(evil.opened, /HTTP 403/);
    const none = new Term(wsUrl('/v1/terminal?widget=nope'));
    await assert.rejects(none.opened, /HTTP 404/);
    // the ticket was not spent by the refused attempts
    const t = new Term(wsUrl('/v1/terminal?widget=term'));
    await t.opened;
    t.send(encode.hello({ ticket }));
    await t.until(() => t.frames.some((f) => f.type === FRAME.READY), 'READY');
    t.ws.close();
  });

  it('closes 4001 for a missing, unknown or replayed ticket, 4003 for another widget’s', async () => {
    const token = await tokenFor('learner-4');
    const { t, ticket } = await connect(token);
    await t.until(() => t.frames.some((f) => f.type === FRAME.READY), 'READY');
    const replay = new Term(wsUrl('/v1/terminal?widget=term'));
    await replay.opened;
    replay.send(encode.hello({ ticket }));
    assert.equal((await replay.closed).code, CLOSE.UNAUTHORIZED);
    const unknown = new Term(wsUrl('/v1/terminal?widget=term'));
    await unknown.opened;
    unknown.send(encode.hello({ ticket: 'x'.repeat(32) }));
    assert.equal((await unknown.closed).code, CLOSE.UNAUTHORIZED);
    const silent = new Term(wsUrl('/v1/terminal?widget=term'));
    await silent.opened;
    const c = await silent.closed;
    assert.equal(c.code, CLOSE.UNAUTHORIZED);
    assert.match(c.reason, /HELLO/);
    const fresh = (await call('POST', '/v1/workspace/terminal', token, {})).json();
    const foreign = new Term(wsUrl('/v1/terminal?widget=other'));
    await foreign.opened;
    foreign.send(encode.hello({ ticket: fresh.ticket }));
    assert.equal((await foreign.closed).code, CLOSE.FORBIDDEN);
    // the first terminal is unaffected
    t.send(encode.input('echo still-here\n'));
    await t.until(() => t.output.includes('still-here'), 'the first terminal');
    t.ws.close();
  });

  it('closes 4400 for a text frame, an unknown type or a second HELLO; 4429 past the cap', async () => {
    const token = await tokenFor('learner-5');
    for (const bad of [
      (t: Term) => t.ws.send('text'),
      (t: Term) => t.send(Uint8Array.of(0x7f, 1, 2)),
      (t: Term) => t.send(encode.hello({ ticket: 'again' })),
    ]) {
      const { t } = await connect(token);
      await t.until(() => t.frames.some((f) => f.type === FRAME.READY), 'READY');
      bad(t);
      assert.equal((await t.closed).code, CLOSE.BAD_FRAME);
    }
    const a = await connect(token, '1');
    const b = await connect(token, '2');
    await a.t.until(() => a.t.frames.some((f) => f.type === FRAME.READY), 'READY');
    await b.t.until(() => b.t.frames.some((f) => f.type === FRAME.READY), 'READY');
    const c = await connect(token, '3');
    assert.equal((await c.t.closed).code, CLOSE.RATE_LIMITED);
    a.t.ws.close();
    b.t.ws.close();
  });

  it('carries 64 MiB to a slow page with the process memory bounded (flow control end to end)', async () => {
    const token = await tokenFor('learner-7');
    const { t } = await connect(token);
    await t.until(() => t.frames.some((f) => f.type === FRAME.READY), 'READY');
    t.keep = false;
    t.ackDelayMs = -1;
    // what the process holds (heap and buffers after a collection): garbage does not count
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const held = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.external + m.arrayBuffers;
    };
    const held0 = held();
    let peak = held0;
    const sample = setInterval(() => (peak = Math.max(peak, held())), 250);
    const start = t.received;
    t.send(encode.input('yes | head -c 67108864; echo END-OF-$((40+2))\n'));
    // a page that acknowledges nothing: the engine stops sending at HIGH_WATER, through the relay
    await new Promise((r) => setTimeout(r, 1500));
    const stalled = t.received;
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(t.received, stalled, 'nothing more arrives while nothing is acknowledged');
    assert.ok(
      stalled - start <= HIGH_WATER + 2 * MAX_FRAME_BYTES + 4096,
      `${stalled - start} unacknowledged`,
    );
    // then a slow page: each frame acknowledged 2 ms after it came
    t.ackDelayMs = 2;
    t.ws.send(encode.ack(t.received));
    await t.until(() => t.output.includes('END-OF-42'), 'the end of 64 MiB', 240_000);
    clearInterval(sample);
    assert.ok(t.received - start > 64 * 1024 * 1024, `${t.received - start} bytes arrived`);
    // the backend and the engine both run in this process: together they never held much of it
    const grew = (peak - held0) / 1024 / 1024;
    console.log(`# the process held at most ${grew.toFixed(1)} MiB more while 64 MiB went through`);
    assert.ok(
      grew < 32,
      `the process held ${grew.toFixed(1)} MiB more (bound 32 MiB, half the stream)`,
    );
    t.ws.close();
  });

  it('tells the page when the workspace stops (4009), and the other terminals are unaffected', async () => {
    const token = await tokenFor('learner-8');
    const other = await connect(await tokenFor('learner-9'));
    const { t } = await connect(token);
    await t.until(() => t.frames.some((f) => f.type === FRAME.READY), 'READY');
    await other.t.until(() => other.t.frames.some((f) => f.type === FRAME.READY), 'READY');
    // learner-8's workspace, from the backend's own store, stopped through the engine's API
    const db = new Database(join(backendDir, 'backend.db'), { readonly: true });
    const { workspace_id: id } = db
      .prepare('SELECT workspace_id FROM workspace_links WHERE subject = ?')
      .get('learner-8') as { workspace_id: string };
    db.close();
    const stop = await fetch(
      `${all.engineUrl}/containers/api/v1/workspaces/${id}/stop?access_token=${ENGINE_TOKEN}`,
      { method: 'PUT' },
    );
    assert.equal(stop.status, 200);
    assert.equal((await t.closed).code, CLOSE.WORKSPACE_GONE);
    other.t.send(encode.input('echo other-alive\n'));
    await other.t.until(() => other.t.output.includes('other-alive'), 'the other terminal');
    other.t.ws.close();
  });

  it('gives no ticket to a widget without a terminal', async () => {
    const token = await tokenFor('learner-6', 'no-term');
    const w = await call('POST', '/v1/workspace', token);
    assert.equal(w.json().terminal, false);
    const r = await call('POST', '/v1/workspace/terminal', token, {});
    assert.equal(r.status, 503);
    assert.equal(r.json().error.code, 'unavailable');
  });
});

describe('a hosted Containers upstream', () => {
  let engine: RunningEngine;
  let all: StartedAll;
  let engineDir: string;
  before(async () => {
    engineDir = await mkdtemp(join(tmpdir(), 'se-term-hosted-'));
    // a real engine, given to the backend as a hosted endpoint: not the embedded one
    engine = await startEngine({ port: 0, dataDir: engineDir, workers: 1, log: () => {} });
    all = await startAll({
      config: parseConfig(CONFIG),
      sessionSecret: SECRET,
      upstream: {
        containers: { url: `${engine.url}/containers/api/v1`, token: engine.accessToken },
      },
      engine: { workers: 1 },
      log: () => {},
    });
  });
  after(async () => {
    await all.close();
    await engine.close();
    await rm(engineDir, { recursive: true, force: true });
  });

  it('says the terminal is unavailable, and why', async () => {
    const token = (
      await signSession({ secret: SECRET, widget: 'term', sub: 'h1', actions: ['workspace'] })
    ).token;
    const headers = { origin: ORIGIN, authorization: `Bearer ${token}` };
    const w = await fetch(`${all.url}/v1/workspace`, { method: 'POST', headers });
    const body = (await w.json()) as { terminal: boolean; terminalUnavailable: string };
    assert.equal(w.status, 200);
    assert.equal(body.terminal, false);
    assert.match(body.terminalUnavailable, /embedded engine/);
    const r = await fetch(`${all.url}/v1/workspace/terminal`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(r.status, 503);
  });
});
