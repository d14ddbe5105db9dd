// `/v1/workspace` end to end on the embedded engine (real sandbox, real SQLite, real HTTP): a
// workspace widget's session gets its own workspace, kept across a backend restart; the widget's
// policy (hidden, read-only, offered scenarios) holds; a scenario's result comes back with its
// stages and tests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useWorkspaceBackend, type Loose } from './helpers.js';

const SECRET = 'workspace-test-session-secret-0123456789abcdef';
const ORIGIN = 'http://lms.test';
const CONFIG = {
  widgets: [
    {
      id: 'py-project',
      mode: 'workspace',
      origins: [ORIGIN],
      public: true,
      workspace: {
        project: 'PYTHON-UNITTEST',
        scenarios: ['test', 'run'],
        hidden: ['secret'],
        readOnly: ['README.md'],
        terminal: true,
        fileBytes: 4096,
      },
    },
    { id: 'run-demo', mode: 'run', origins: [ORIGIN], public: true },
  ],
};

describe('/v1/workspace on the embedded engine', () => {
  const w = useWorkspaceBackend({ config: CONFIG, secret: SECRET, origin: ORIGIN });
  const call = w.call;
  const tokenFor = (sub: string) => w.tokenFor('py-project', sub);
  const final = (id: string, token: string) => w.final(id, token);

  it("opens the subject's own workspace: its files, the offered scenarios, the terminal", async () => {
    const token = await tokenFor('learner-1');
    const r = await call('POST', '/v1/workspace', token);
    assert.equal(r.status, 200, r.text);
    const w = r.json();
    assert.equal(w.state, 'running');
    assert.ok(
      w.files.some((f: Loose) => f.path === 'main.py' && f.type === 'file'),
      r.text,
    );
    assert.deepEqual(
      w.scenarios.map((s: Loose) => s.name),
      ['run', 'test'],
      'the default scenario first, then the widget order',
    );
    assert.equal(w.scenarios[0].default, true);
    assert.equal(w.terminal, true);
    const file = await call('GET', '/v1/workspace/file?path=main.py', token);
    assert.equal(file.status, 200, file.text);
    assert.match(file.json().content, /def word_counts/);
  });

  it('writes a file with a conflict check, runs a scenario on it and reports stages and tests', async () => {
    const token = await tokenFor('learner-2');
    await call('POST', '/v1/workspace', token);
    const before = (await call('GET', '/v1/workspace/file?path=main.py', token)).json();
    const solution =
      'def word_counts(text):\n    counts = {}\n    for w in text.lower().split():\n        w = w.strip(".,;:!?\\"\'()")\n        if w:\n            counts[w] = counts.get(w, 0) + 1\n    return counts\n\nif __name__ == "__main__":\n    print(word_counts("a b a"))\n';
    const put = await call('PUT', '/v1/workspace/file', token, {
      path: 'main.py',
      content: solution,
      baseVersion: before.version,
    });
    assert.equal(put.status, 200, put.text);
    // a second write from the same starting version is a conflict: the first one is kept
    const stale = await call('PUT', '/v1/workspace/file', token, {
      path: 'main.py',
      content: 'print("lost")\n',
      baseVersion: before.version,
    });
    assert.equal(stale.status, 409, stale.text);
    assert.equal(stale.json().error.code, 'conflict');
    // The same text again from that version is no conflict: the file already holds it (a
    // pagehide save, then the reloaded page resending the copy it kept).
    const again = await call('PUT', '/v1/workspace/file', token, {
      path: 'main.py',
      content: solution,
      baseVersion: before.version,
    });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json().version, put.json().version);
    assert.equal(
      (await call('GET', '/v1/workspace/file?path=main.py', token)).json().content,
      solution,
    );

    const run = await call('POST', '/v1/workspace/runs', token, { scenario: 'run' });
    assert.equal(run.status, 201, run.text);
    const out = await final(run.json().id, token);
    assert.equal(out.status.code, 15, JSON.stringify(out));
    assert.equal(out.stages.find((s: Loose) => s.name === 'run').output, "{'a': 2, 'b': 1}\n");
    assert.equal(out.tests, null);

    const test = await call('POST', '/v1/workspace/runs', token, { scenario: 'test' });
    const t = await final(test.json().id, token);
    assert.ok(t.tests && t.tests.length > 0, JSON.stringify(t));
    assert.equal(t.status.code, t.tests.every((x: Loose) => x.status === 'ok') ? 15 : 14);
  });

  it("pushes a scenario run's progress over its event stream: status, each stage, the result", async () => {
    const token = await tokenFor('learner-events');
    await call('POST', '/v1/workspace', token);
    const run = await call('POST', '/v1/workspace/runs', token, { scenario: 'run' });
    assert.equal(run.status, 201, run.text);
    const id = run.json().id;
    const parse = (text: string) =>
      text
        .split('\n\n')
        .filter((b) => b.startsWith('event: '))
        .map((b) => {
          const [head, data] = b.split('\n');
          return { event: head!.slice('event: '.length), data: JSON.parse(data!.slice(6)) };
        });
    const r = await call('GET', `/v1/workspace/runs/${id}/events`, token);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = parse(r.text);
    const names = events.map((e) => e.event);
    assert.equal(names[0], 'status', r.text);
    assert.equal(names.at(-1), 'result', r.text);
    assert.deepEqual(
      events.filter((e) => e.event === 'stage').map((e) => e.data.stage.name),
      ['init', 'build', 'run', 'test', 'post'],
    );
    const result = events.at(-1)!.data;
    assert.equal(result.status.code, 15, r.text);
    assert.equal(result.executing, false);
    const runStage = events.find((e) => e.event === 'stage' && e.data.stage.name === 'run');
    assert.equal(runStage!.data.stage.output, result.stages[2].output);
    assert.equal(runStage!.data.id, id);
    // the last status event is the final one
    const statuses = events.filter((e) => e.event === 'status');
    assert.deepEqual(statuses.at(-1)!.data, { id, executing: false, status: result.status });
    // a finished run's stream answers at once, the same way
    const again = parse((await call('GET', `/v1/workspace/runs/${id}/events`, token)).text);
    assert.deepEqual(again.at(-1)!.data, result);
    // another learner's session may not follow it
    const other = await tokenFor('learner-events-2');
    const refused = await call('GET', `/v1/workspace/runs/${id}/events`, other);
    assert.equal(refused.status, 403, refused.text);
    assert.equal((await call('GET', `/v1/workspace/runs/nope/events`, token)).status, 404);
  });

  it('keeps to the policy: hidden paths do not exist, read-only ones and big files are refused', async () => {
    const token = await tokenFor('learner-3');
    await call('POST', '/v1/workspace', token);
    const readOnly = await call('PUT', '/v1/workspace/file', token, {
      path: 'README.md',
      content: 'x',
    });
    assert.equal(readOnly.status, 403, readOnly.text);
    const hidden = await call('PUT', '/v1/workspace/file', token, {
      path: 'secret/a',
      content: 'x',
    });
    assert.equal(hidden.status, 404, hidden.text);
    assert.equal((await call('GET', '/v1/workspace/file?path=secret/a', token)).status, 404);
    const big = await call('PUT', '/v1/workspace/file', token, {
      path: 'big.txt',
      content: 'x'.repeat(5000),
    });
    assert.equal(big.status, 413, big.text);
    assert.equal(big.json().error.details.what, 'file');
    for (const bad of ['../etc/passwd', '/etc/passwd', 'a/../../b', '', 'a//b'])
      assert.equal(
        (await call('GET', `/v1/workspace/file?path=${encodeURIComponent(bad)}`, token)).status,
        400,
        bad,
      );
    const other = await call('POST', '/v1/workspace/runs', token, { scenario: 'nope' });
    assert.equal(other.status, 403, other.text);
    // another kind of widget's session has no workspace
    const runSession = (
      await call('POST', '/v1/sessions', undefined, { widget: 'run-demo' })
    ).json();
    assert.equal((await call('POST', '/v1/workspace', runSession.token)).status, 403);
  });

  it('creates, renames and deletes files and folders, and resets to the template', async () => {
    const token = await tokenFor('learner-6');
    await call('POST', '/v1/workspace', token);
    const paths = async () =>
      (await call('POST', '/v1/workspace', token)).json().files.map((f: Loose) => f.path);
    assert.equal(
      (await call('POST', '/v1/workspace/files', token, { path: 'lib', type: 'dir' })).status,
      201,
    );
    const made = await call('POST', '/v1/workspace/files', token, { path: 'lib/util.py' });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual(made.json(), { path: 'lib/util.py', type: 'file', size: 0, readOnly: false });
    assert.equal(
      (await call('POST', '/v1/workspace/files', token, { path: 'lib/util.py' })).status,
      409,
    );
    assert.equal(
      (await call('POST', '/v1/workspace/files', token, { path: 'no/such/dir.py' })).status,
      404,
    );
    await call('PUT', '/v1/workspace/file', token, { path: 'lib/util.py', content: 'X = 1\n' });
    const moved = await call('POST', '/v1/workspace/rename', token, { from: 'lib', to: 'pkg' });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.json().type, 'dir');
    assert.equal(
      (await call('GET', '/v1/workspace/file?path=pkg/util.py', token)).json().content,
      'X = 1\n',
    );
    assert.ok(!(await paths()).includes('lib'));
    // the policy: nothing into a hidden path, nothing read-only changed
    assert.equal(
      (await call('POST', '/v1/workspace/rename', token, { from: 'pkg', to: 'secret' })).status,
      404,
    );
    assert.equal((await call('DELETE', '/v1/workspace/file?path=README.md', token)).status, 403);
    assert.equal(
      (await call('POST', '/v1/workspace/files', token, { path: 'secret' })).status,
      404,
    );
    const del = await call('DELETE', '/v1/workspace/file?path=pkg', token);
    assert.equal(del.status, 204, del.text);
    assert.ok(!(await paths()).some((p: string) => p.startsWith('pkg')));
    assert.equal((await call('DELETE', '/v1/workspace/file?path=pkg', token)).status, 404);
    // reset: one file back to the template, then the whole workspace
    const template = (await call('GET', '/v1/workspace/file?path=main.py', token)).json().content;
    await call('PUT', '/v1/workspace/file', token, { path: 'main.py', content: 'changed\n' });
    await call('PUT', '/v1/workspace/file', token, { path: 'extra.txt', content: 'mine\n' });
    const one = await call('POST', '/v1/workspace/reset', token, { path: 'main.py' });
    assert.equal(one.status, 200, one.text);
    assert.equal(
      (await call('GET', '/v1/workspace/file?path=main.py', token)).json().content,
      template,
    );
    assert.ok((await paths()).includes('extra.txt'), 'resetting one file keeps the others');
    assert.equal(
      (await call('POST', '/v1/workspace/reset', token, { path: 'extra.txt' })).status,
      404,
    );
    const all = await call('POST', '/v1/workspace/reset', token, {});
    assert.deepEqual(
      all.json().files.map((f: Loose) => f.path),
      ['main.py'],
    );
  });

  it("keeps each subject's workspace to itself, across a restart of the backend", async () => {
    const a = await tokenFor('learner-4');
    const b = await tokenFor('learner-5');
    await call('POST', '/v1/workspace', a);
    await call('PUT', '/v1/workspace/file', a, { path: 'note.txt', content: 'mine' });
    await call('POST', '/v1/workspace', b);
    assert.equal((await call('GET', '/v1/workspace/file?path=note.txt', b)).status, 404);
    // a scenario run's id is the subject's alone
    const run = (await call('POST', '/v1/workspace/runs', a, { scenario: 'run' })).json();
    assert.equal((await call('GET', `/v1/workspace/runs/${run.id}`, b)).status, 403);
    await w.restart();
    assert.equal((await call('POST', '/v1/workspace', a)).status, 200);
    assert.equal((await call('GET', '/v1/workspace/file?path=note.txt', a)).json().content, 'mine');
  });
});

describe('/v1/workspace when every engine slot is taken', () => {
  const w = useWorkspaceBackend({ config: CONFIG, secret: SECRET, origin: ORIGIN, slots: 1 });
  it('answers 503 unavailable with Retry-After, and the first learner keeps working', async () => {
    const a = await w.tokenFor('py-project', 'first');
    const b = await w.tokenFor('py-project', 'second');
    assert.equal((await w.call('POST', '/v1/workspace', a)).status, 200);
    const full = await w.call('POST', '/v1/workspace', b);
    assert.equal(full.status, 503, full.text);
    assert.equal(full.json().error.code, 'unavailable');
    assert.equal(full.headers.get('retry-after'), '30');
    assert.equal((await w.call('GET', '/v1/workspace/file?path=main.py', a)).status, 200);
  });
});
