// The relay end to end on the embedded engine: `startAll` starts the backend and the engine (real
// sandbox, real SQLite, real HTTP), and the tests talk to the backend like a widget does.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAll, type StartedAll } from '../../src/cli/serve.js';
import { readEvents, Recorder } from './helpers.js';

const ENGINE_TOKEN = 'embedded-engine-token-4b1d8e2a9c7f';
const SECRET = 'embedded-test-session-secret-0123456789';
const PYTHON = 116;

describe('relay on the embedded engine', () => {
  let all: StartedAll;
  let dataDir: string;
  const log: string[] = [];
  const rec = new Recorder();

  const call = (path: string, token?: string, body?: unknown) =>
    rec.fetch(all.url + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const session = async (widget: string) => {
    const r = await call('/v1/sessions', undefined, { widget });
    assert.equal(r.status, 201, r.text);
    return r.json() as { token: string; widget: { problemId: number | null } };
  };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'se-relay-'));
    all = await startAll({
      sessionSecret: SECRET,
      engine: { dataDir, accessToken: ENGINE_TOKEN, workers: 2 },
      log: (l) => log.push(l),
    });
  });
  after(async () => {
    await all.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reports the embedded modules and the sandbox self-test in /healthz', async () => {
    const r = await call('/healthz');
    const h = r.json();
    assert.equal(h.upstream.compilers.embedded, true);
    assert.equal(h.upstream.compilers.reachable, true);
    assert.equal(h.upstream.problems.reachable, true);
    assert.equal(h.sandbox.ok, true, JSON.stringify(h.sandbox));
    assert.equal(r.status, 200);
  });

  it('relays a run with its events: status changes, then the result', async () => {
    const { token } = await session('run-demo');
    const langs = await call('/v1/languages', token);
    assert.ok(langs.json().items.some((l: { id: number }) => l.id === PYTHON));
    const created = await call('/v1/runs', token, {
      compilerId: PYTHON,
      source: 'import sys\nprint(sys.stdin.read().upper(), end="")\nprint("oops", file=sys.stderr)',
      input: 'hello relay',
    });
    assert.equal(created.status, 201, created.text);
    const { id } = created.json();
    const { status, events } = await readEvents(`${all.url}/v1/runs/${id}/events`, token, rec);
    assert.equal(status, 200);
    const names = events.map((e) => e.event);
    assert.equal(names.at(-1), 'result');
    assert.ok(names.filter((n) => n === 'status').length >= 1);
    const result = events.at(-1)!.data;
    assert.equal(result.id, id);
    assert.equal(result.executing, false);
    assert.deepEqual(result.result.status, { code: 15, name: 'accepted' });
    assert.deepEqual(result.result.output, { text: 'HELLO RELAY', truncated: false, size: 11 });
    assert.equal(result.result.error.text, 'oops\n');
    const again = await call(`/v1/runs/${id}`, token);
    assert.deepEqual(again.json(), result);
  });

  it('frees a subject’s run slot when the run ends (at most 2 at once)', async () => {
    const { token } = await session('run-demo');
    for (let i = 0; i < 4; i++) {
      const r = await call('/v1/runs', token, { compilerId: PYTHON, source: `print(${i})` });
      assert.equal(r.status, 201, `run ${i}: ${r.text}`);
      const { events } = await readEvents(`${all.url}/v1/runs/${r.json().id}/events`, token, rec);
      assert.equal(events.at(-1)!.data.result.output.text, `${i}\n`);
    }
  });

  it('cuts long output at the widget’s stream cap and says so', async () => {
    const { token } = await session('run-demo');
    const { id } = (
      await call('/v1/runs', token, { compilerId: PYTHON, source: 'print("x" * 100000)' })
    ).json();
    const { events } = await readEvents(`${all.url}/v1/runs/${id}/events`, token, rec);
    const out = events.at(-1)!.data.result.output;
    assert.equal(out.truncated, true);
    assert.equal(out.text.length, 64 * 1024);
    assert.equal(out.size, 100001);
  });

  it('relays a submission to the demo problem: accepted', async () => {
    const { token, widget } = await session('problem-demo');
    assert.equal(typeof widget.problemId, 'number');
    const p = await call(`/v1/problems/${widget.problemId}`, token);
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json().name, 'Sum of two integers');
    assert.match(p.json().statement, /two integers/);
    const created = await call('/v1/submissions', token, {
      problemId: widget.problemId,
      compilerId: PYTHON,
      source: 'a, b = map(int, input().split())\nprint(a + b)',
    });
    assert.equal(created.status, 201, created.text);
    const { id } = created.json();
    const { events } = await readEvents(`${all.url}/v1/submissions/${id}/events`, token, rec);
    const result = events.at(-1)!.data;
    assert.equal(events.at(-1)!.event, 'result');
    assert.equal(result.kind, 'submission');
    assert.equal(result.result.status.code, 15, JSON.stringify(result));
    assert.ok(result.result.testcases.length >= 2);
    assert.ok(
      result.result.testcases.every((t: { status: { code: number } }) => t.status.code === 15),
    );
    assert.ok(result.result.testcases.every((t: object) => !('expected' in t)));
  });

  it('shows expected versus got on the first failed test case', async () => {
    const { token, widget } = await session('problem-demo');
    const { id } = (
      await call('/v1/submissions', token, {
        problemId: widget.problemId,
        compilerId: PYTHON,
        source: 'a, b = map(int, input().split())\nprint(a - b)',
      })
    ).json();
    const { events } = await readEvents(`${all.url}/v1/submissions/${id}/events`, token, rec);
    const result = events.at(-1)!.data;
    assert.equal(result.result.status.code, 14, JSON.stringify(result.result.status));
    const failed = result.result.testcases.find(
      (t: { status: { code: number } }) => t.status.code !== 15,
    );
    assert.ok(failed.expected, 'expected output of the failed test');
    assert.equal(failed.expected.text.trim(), '3');
    assert.equal(failed.got.text.trim(), '-1');
    const withCompare = result.result.testcases.filter((t: object) => 'expected' in t);
    assert.equal(withCompare.length, 1, 'only the first failed test case');
  });

  it('never lets the engine token reach a page or the log', async () => {
    const { token } = await session('run-demo');
    await call('/v1/languages', 'bad-token');
    await call('/v1/runs', token, { compilerId: 9999, source: 'x' });
    await call('/v1/problems/1', token);
    await call('/healthz');
    assert.ok(rec.seen.length > 10);
    assert.equal(rec.leak([ENGINE_TOKEN, 'access_token', SECRET]), null);
    const text = log.join('\n');
    assert.ok(
      !text.includes(ENGINE_TOKEN) && !text.includes('access_token=') && !text.includes(SECRET),
    );
  });
});
