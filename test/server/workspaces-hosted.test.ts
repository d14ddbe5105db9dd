// `/v1/workspace` on a Containers service that offers only the spec's methods, as the hosted one
// does: a real engine started with its extensions off, given to the backend as a hosted
// endpoint. A scenario run still works (the backend packs the workspace's files into a
// submission); what the spec has no call for says so (503) and changes nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useWorkspaceBackend, type Loose } from './helpers.js';

const SECRET = 'workspace-hosted-session-secret-0123456789abcdef';
const ORIGIN = 'http://lms.test';
const CONFIG = {
  widgets: [
    {
      id: 'py-project',
      mode: 'workspace',
      origins: [ORIGIN],
      public: true,
      workspace: { project: 'PYTHON-UNITTEST', scenarios: ['test', 'run'], terminal: true },
    },
  ],
};

const SOLUTION =
  'import re\n\n\ndef word_counts(text):\n    counts = {}\n    for w in re.findall(r"[^\\W_]+", text.lower()):\n        counts[w] = counts.get(w, 0) + 1\n    return counts\n\n\nif __name__ == "__main__":\n    print(word_counts("a b a"))\n';

describe('/v1/workspace on a hosted Containers service (the spec methods only)', () => {
  const w = useWorkspaceBackend({ config: CONFIG, secret: SECRET, origin: ORIGIN, hosted: true });
  const call = w.call;
  const final = (id: string, token: string) => w.final(id, token);

  it('runs scenarios on the files as saved: a failing test named, then all passing', async () => {
    const token = await w.tokenFor('py-project', 'hosted-1');
    const open = await call('POST', '/v1/workspace', token);
    assert.equal(open.status, 200, open.text);
    assert.equal(open.json().terminal, false);
    assert.match(open.json().terminalUnavailable, /embedded engine/);

    const failing = await call('POST', '/v1/workspace/runs', token, { scenario: 'test' });
    assert.equal(failing.status, 201, failing.text);
    const f = await final(failing.json().id, token);
    assert.equal(f.status.code, 14, JSON.stringify(f.status));
    assert.ok(
      f.tests.some((t: Loose) => t.status !== 'ok' && /test_/.test(t.name)),
      JSON.stringify(f.tests),
    );

    const before = (await call('GET', '/v1/workspace/file?path=main.py', token)).json();
    const put = await call('PUT', '/v1/workspace/file', token, {
      path: 'main.py',
      content: SOLUTION,
      baseVersion: before.version,
    });
    assert.equal(put.status, 200, put.text);
    const passing = await call('POST', '/v1/workspace/runs', token, { scenario: 'test' });
    const p = await final(passing.json().id, token);
    assert.equal(p.status.code, 15, JSON.stringify(p));
    assert.ok(p.tests.length > 0 && p.tests.every((t: Loose) => t.status === 'ok'));

    const run = await call('POST', '/v1/workspace/runs', token, { scenario: 'run' });
    const r = await final(run.json().id, token);
    assert.equal(r.stages.find((s: Loose) => s.name === 'run').output, "{'a': 2, 'b': 1}\n");
  });

  it('says what the spec has no call for (rename, delete, reset, terminal) and keeps the files', async () => {
    const token = await w.tokenFor('py-project', 'hosted-2');
    await call('POST', '/v1/workspace', token);
    const rename = await call('POST', '/v1/workspace/rename', token, {
      from: 'main.py',
      to: 'other.py',
    });
    assert.equal(rename.status, 503, rename.text);
    assert.match(rename.json().error.message, /embedded engine/);
    const gone = await call('DELETE', '/v1/workspace/file?path=main.py', token);
    assert.equal(gone.status, 503, gone.text);
    const reset = await call('POST', '/v1/workspace/reset', token, {});
    assert.equal(reset.status, 503, reset.text);
    const terminal = await call('POST', '/v1/workspace/terminal', token, {});
    assert.equal(terminal.status, 503, terminal.text);
    const file = await call('GET', '/v1/workspace/file?path=main.py', token);
    assert.equal(file.status, 200, file.text);
    assert.match(file.json().content, /def word_counts/);
  });
});
