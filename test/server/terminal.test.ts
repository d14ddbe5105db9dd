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
import { startAll, type StartedAll } from '../../src/cli/serve.js';
import { startEngine, type RunningEngine } from '../../src/engine/index.js';
import { parseConfig } from '../../src/server/index.js';
import { signSession } from '../../src/server/sessions.js';
import { CLOSE, encode, FRAME, HIGH_WATER, MAX_FRAME_BYTES } from '../../src/shared/terminal.js';
import { Page } from '../helpers/terminal-page.js';
import { useWorkspaceBackend } from './helpers.js';

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

describe('the terminal through the backend', () => {
  const w = useWorkspaceBackend({
    config: CONFIG,
    secret: SECRET,
    origin: ORIGIN,
    engineToken: ENGINE_TOKEN,
  });
  const wsUrl = (path: string) => w.all.url.replace(/^http/, 'ws') + path;
  const call = (method: string, path: string, token: string, body?: unknown) =>
    w.call(method, path, token, body);
  const tokenFor = (sub: string, widget = 'term') => w.tokenFor(widget, sub);
  /** A ticket, and a connected terminal that has sent HELLO with it. */
  const connect = async (token: string, terminal = '1') => {
    const r = await call('POST', '/v1/workspace/terminal', token, { terminal });
    assert.equal(r.status, 201, r.text);
    const { ticket, path } = r.json();
    const t = new Page(wsUrl(path), ORIGIN);
    await t.opened;
    t.send(encode.hello({ ticket, cols: 80, rows: 24 }));
    return { t, ticket, path };
  };

  it('relays a shell: echo, input() answered, and no token or ticket in any URL', async () => {
    const token = await tokenFor('learner-1');
    const { t, ticket, path } = await connect(token);
    await t.waitFrame(FRAME.READY);
    t.send(encode.input('echo relayed-$((6*7))\n'));
    await t.until(() => t.text.includes('relayed-42'), 'the echo');
    t.send(encode.input(`python3 -c 'print("got", input("name? "))'\n`));
    await t.until(() => t.text.includes('name? '), 'the prompt');
    t.send(encode.input('Ada\n'));
    await t.until(() => t.text.includes('got Ada'), 'the answer');
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
    await t.until(() => /A\0+B\0+C\0+D/.test(t.text), 'the neutralized line');
    assert.ok(!t.text.includes('\x1b]52'), 'no clipboard write reaches the page');
    assert.ok(!t.text.includes('\x1b]0;'), 'no title change reaches the page');
    assert.ok(!t.text.includes('\x1b]8;'), 'no link reaches the page');
    t.ws.close();
  });

  it('refuses a wrong Origin before upgrading, and an unknown widget', async () => {
    const token = await tokenFor('learner-3');
    const { ticket } = (await call('POST', '/v1/workspace/terminal', token, {})).json();
    const evil = new Page(wsUrl('/v1/terminal?widget=term'), 'http://evil.test');
    await assert.rejects(evil.opened, /HTTP 403/);
    const none = new Page(wsUrl('/v1/terminal?widget=nope'), ORIGIN);
    await assert.rejects(none.opened, /HTTP 404/);
    // the ticket was not spent by the refused attempts
    const t = new Page(wsUrl('/v1/terminal?widget=term'), ORIGIN);
    await t.opened;
    t.send(encode.hello({ ticket }));
    await t.waitFrame(FRAME.READY);
    t.ws.close();
  });

  it('closes 4001 for a missing, unknown or replayed ticket, 4003 for another widget’s', async () => {
    const token = await tokenFor('learner-4');
    const { t, ticket } = await connect(token);
    await t.waitFrame(FRAME.READY);
    const replay = new Page(wsUrl('/v1/terminal?widget=term'), ORIGIN);
    await replay.opened;
    replay.send(encode.hello({ ticket }));
    assert.equal((await replay.closed).code, CLOSE.UNAUTHORIZED);
    const unknown = new Page(wsUrl('/v1/terminal?widget=term'), ORIGIN);
    await unknown.opened;
    unknown.send(encode.hello({ ticket: 'x'.repeat(32) }));
    assert.equal((await unknown.closed).code, CLOSE.UNAUTHORIZED);
    const silent = new Page(wsUrl('/v1/terminal?widget=term'), ORIGIN);
    await silent.opened;
    const c = await silent.closed;
    assert.equal(c.code, CLOSE.UNAUTHORIZED);
    assert.match(c.reason, /HELLO/);
    const fresh = (await call('POST', '/v1/workspace/terminal', token, {})).json();
    const foreign = new Page(wsUrl('/v1/terminal?widget=other'), ORIGIN);
    await foreign.opened;
    foreign.send(encode.hello({ ticket: fresh.ticket }));
    assert.equal((await foreign.closed).code, CLOSE.FORBIDDEN);
    // the first terminal is unaffected
    t.send(encode.input('echo still-here\n'));
    await t.until(() => t.text.includes('still-here'), 'the first terminal');
    t.ws.close();
  });

  it('closes 4400 for a text frame, an unknown type or a second HELLO; 4429 past the cap', async () => {
    const token = await tokenFor('learner-5');
    for (const bad of [
      (t: Page) => t.ws.send('text'),
      (t: Page) => t.send(Uint8Array.of(0x7f, 1, 2)),
      (t: Page) => t.send(encode.hello({ ticket: 'again' })),
    ]) {
      const { t } = await connect(token);
      await t.waitFrame(FRAME.READY);
      bad(t);
      assert.equal((await t.closed).code, CLOSE.BAD_FRAME);
    }
    const a = await connect(token, '1');
    const b = await connect(token, '2');
    await a.t.waitFrame(FRAME.READY);
    await b.t.waitFrame(FRAME.READY);
    const c = await connect(token, '3');
    assert.equal((await c.t.closed).code, CLOSE.RATE_LIMITED);
    a.t.ws.close();
    b.t.ws.close();
  });

  it('carries 64 MiB to a slow page with the process memory bounded (flow control end to end)', async () => {
    const token = await tokenFor('learner-7');
    const { t } = await connect(token);
    await t.waitFrame(FRAME.READY);
    let tail = '';
    t.sink = (b) => (tail = (tail + Buffer.from(b).toString('latin1')).slice(-200));
    t.autoAck = false;
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
    const acker = setInterval(() => t.ack(), 2);
    await t.until(() => tail.includes('END-OF-42'), 'the end of 64 MiB', 240_000);
    clearInterval(acker);
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
    await t.waitFrame(FRAME.READY);
    await other.t.waitFrame(FRAME.READY);
    // learner-8's workspace, from the backend's own store, stopped through the engine's API
    const db = new Database(join(w.backendDir, 'backend.db'), { readonly: true });
    const { workspace_id: id } = db
      .prepare('SELECT workspace_id FROM workspace_links WHERE subject = ?')
      .get('learner-8') as { workspace_id: string };
    db.close();
    const stop = await fetch(
      `${w.all.engineUrl}/containers/api/v1/workspaces/${id}/stop?access_token=${ENGINE_TOKEN}`,
      { method: 'PUT' },
    );
    assert.equal(stop.status, 200);
    assert.equal((await t.closed).code, CLOSE.WORKSPACE_GONE);
    other.t.send(encode.input('echo other-alive\n'));
    await other.t.until(() => other.t.text.includes('other-alive'), 'the other terminal');
    other.t.ws.close();
  });

  it('refuses a ticket used after its 30 s (4001)', async () => {
    const token = await tokenFor('learner-12');
    const r = await call('POST', '/v1/workspace/terminal', token, {});
    const { ticket, path, expiresIn } = r.json();
    assert.equal(expiresIn, 30);
    await new Promise((res) => setTimeout(res, 31_000));
    const late = new Page(wsUrl(path), ORIGIN);
    await late.opened;
    late.send(encode.hello({ ticket }));
    const c = await late.closed;
    assert.equal(c.code, CLOSE.UNAUTHORIZED);
    assert.match(c.reason, /expired/);
  });

  it('limits tickets to 30 a minute per subject (429 with Retry-After), not per other subject', async () => {
    const token = await tokenFor('learner-10');
    const codes: number[] = [];
    for (let i = 0; i < 31; i++)
      codes.push((await call('POST', '/v1/workspace/terminal', token, {})).status);
    assert.deepEqual(codes.slice(0, 30), Array(30).fill(201));
    const over = await call('POST', '/v1/workspace/terminal', token, {});
    assert.equal(over.status, 429);
    assert.ok(Number(over.headers.get('retry-after')) > 0);
    const other = await call('POST', '/v1/workspace/terminal', await tokenFor('learner-11'), {});
    assert.equal(other.status, 201);
  });

  it('refuses a ticket for a terminal that is not a name (400), not an internal error', async () => {
    const token = await tokenFor('learner-13');
    for (const terminal of [5, '9', ''])
      assert.equal(
        (await call('POST', '/v1/workspace/terminal', token, { terminal })).status,
        400,
        JSON.stringify(terminal),
      );
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
