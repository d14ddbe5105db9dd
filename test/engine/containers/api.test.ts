// The Containers API v1.1 over real HTTP on a real engine: every method, its fields and its error
// codes (spec/containers-api-v1.1.txt), in the three body formats where a method takes a body.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { b64, useFixtureEngine, useWorkspace, tarGz, type ContainersEngine } from './helpers.js';

let t: ContainersEngine;
let project: string;
useFixtureEngine(
  (e, p) => {
    t = e;
    project = p;
  },
  { containers: { slots: 6 } },
);

const err = (
  r: { status: number; json: { error_code?: number } },
  status: number,
  code: number,
) => {
  assert.equal(r.status, status, JSON.stringify(r.json));
  assert.equal(r.json.error_code, code, JSON.stringify(r.json));
};

describe('GET /test and projects', () => {
  it('answers /test', async () => {
    const r = await t.get('/test');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { message: 'You can use Sphere Engine Containers API' });
  });

  it('lists projects with paging and gets one', async () => {
    const all = await t.get('/projects?limit=20');
    assert.equal(all.status, 200);
    const item = all.json.items.find((p: { name: string }) => p.name === 'FIXTURE');
    assert.match(item.id, /^[0-9a-f]{32}$/);
    assert.match(item.created_at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000$/);
    assert.equal(typeof item.config.project_config, 'string');
    assert.equal(JSON.parse(item.config.project_config).version, 2.1);
    for (const k of ['stack', 'template', 'description', 'slots']) assert.ok(k in item, k);
    const one = await t.get(`/projects/${item.id}`);
    assert.deepEqual(one.json, item);
    const first = await t.get('/projects?limit=1');
    assert.equal(first.json.items.length, 1);
    assert.equal(first.json.paging.previous_page_token, null);
    if (all.json.items.length > 1) {
      assert.equal(first.json.paging.next_page_token, 'MQ==');
      const second = await t.get(
        `/projects?limit=1&page_token=${first.json.paging.next_page_token}`,
      );
      assert.equal(second.json.items[0].id, all.json.items[1].id);
      assert.equal(second.json.paging.previous_page_token, 'MA==');
    }
  });

  it('refuses bad paging and unknown projects with the spec codes', async () => {
    err(await t.get('/projects?limit=0'), 400, 10);
    err(await t.get('/projects?limit=21'), 400, 10);
    err(await t.get('/projects?page_token=%21%21'), 400, 10);
    err(await t.get('/projects/0123456789abcdef0123456789abcdef'), 404, 200201);
    err(await t.get('/projects', 'wrong-token'), 401, 1);
  });
});

describe('workspaces', () => {
  it('creates (JSON, form, multipart with files), gets and lists', async () => {
    const a = await t.post('/workspaces', {
      json: { project_id: project, workspace_token_required: true },
    });
    assert.equal(a.status, 201, a.text);
    assert.equal(a.json.message, 'Workspace has been created');
    const w = a.json.workspace;
    assert.match(w.id, /^[0-9a-f]{32}$/);
    assert.deepEqual(w.project, { id: project, name: 'FIXTURE' });
    assert.equal(w.state.code, 1);
    assert.equal(w.inactivity_timeout, 15);
    assert.equal(w.auto_resume, true);
    assert.match(w.workspace_token, /^[0-9a-f-]{36}$/);
    assert.equal(w.workspace_token_required, true);
    assert.equal(await t.settled(w.id), 2);
    const got = await t.get(`/workspaces/${w.id}`);
    assert.equal(got.json.state.name, 'running');
    assert.equal(got.json.state.error_reason, null);
    // the token is shown once, at creation: it is stored hashed
    assert.equal(got.json.workspace_token, '');
    assert.deepEqual(got.json.permissions, { enter: true, remove: true, stop: true });

    const f = await t.post('/workspaces', {
      form: { project_id: project, inactivity_timeout: '20', auto_resume: 'false' },
    });
    assert.equal(f.status, 201, f.text);
    assert.equal(f.json.workspace.inactivity_timeout, 20);
    assert.equal(f.json.workspace.auto_resume, false);
    assert.equal(f.json.workspace.workspace_token, '');

    const m = await t.multipart('POST', '/workspaces', {
      project_id: project,
      retention_time_stopped: '30',
      files: { file: tarGz({ 'answer.txt': '42\n', src: { 'a.py': 'print(1)\n' } }) },
    });
    assert.equal(m.status, 201, m.text);
    const mid = m.json.workspace.id;
    assert.equal(m.json.workspace.retention_time_stopped, 30);
    assert.equal(await t.settled(mid), 2);
    const answer = await t.get(`/workspaces/${mid}/files/${b64('answer.txt')}`);
    assert.equal(answer.text, '42\n');
    const tpl = await t.get(`/workspaces/${mid}/files/${b64('README.md')}`);
    assert.equal(tpl.text, '# Fixture\n');

    const list = await t.get(`/workspaces?project_id=${project}&states[]=2&limit=30`);
    assert.equal(list.status, 200);
    const ids = list.json.items.map((x: { id: string }) => x.id);
    for (const id of [w.id, f.json.workspace.id, mid]) assert.ok(ids.includes(id), id);
    assert.ok(list.json.items.every((x: { state: { code: number } }) => x.state.code === 2));
    const none = await t.get(`/workspaces?states[]=4&project_id=${project}`);
    assert.ok(none.json.items.every((x: { state: { code: number } }) => x.state.code === 4));
    for (const id of [w.id, f.json.workspace.id, mid])
      await t.put(`/workspaces/${id}/remove`, { json: {} });
  });

  it('refuses bad creation parameters', async () => {
    err(await t.post('/workspaces', { json: {} }), 400, 10);
    err(
      await t.post('/workspaces', { json: { project_id: project, inactivity_timeout: 5 } }),
      400,
      10,
    );
    err(
      await t.post('/workspaces', { json: { project_id: project, inactivity_timeout: 61 } }),
      400,
      10,
    );
    err(
      await t.post('/workspaces', { json: { project_id: project, retention_time_total: 43201 } }),
      400,
      10,
    );
    err(
      await t.post('/workspaces', { json: { project_id: project, auto_resume: 'maybe' } }),
      400,
      10,
    );
    err(await t.post('/workspaces', { json: { project_id: 'nope' } }), 400, 1003);
    const services = JSON.stringify({
      version: 2.1,
      scenarios: { run: { services: ['mysql'], stages: { run: { command: 'true' } } } },
    });
    const r = await t.post('/workspaces', {
      json: { project_id: project, project_config: services },
    });
    err(r, 400, 10);
    assert.match(r.json.message, /services/);
    const bad = await t.multipart('POST', '/workspaces', {
      project_id: project,
      files: { file: tarGz({ a: 'x', l: { link: '/etc/passwd' } }) },
    });
    err(bad, 400, 10);
    assert.match(bad.json.message, /link/);
    err(await t.get('/workspaces/0123456789abcdef0123456789abcdef'), 404, 1001);
    err(await t.get('/workspaces?limit=31'), 400, 10);
    err(await t.get('/workspaces?states[]=9'), 400, 10);
  });

  it('stops, resumes on the same files, and removes', async () => {
    const w = await t.workspace({ project_id: project, retention_time_stopped: 60 });
    const up = await t.post(`/workspaces/${w.id}/files`, {
      json: { filepath: 'kept.txt', filedata: 'kept\n' },
    });
    assert.equal(up.status, 200, up.text);
    const s = await t.put(`/workspaces/${w.id}/stop`, { json: {} });
    assert.deepEqual(s.json, { message: 'Workspace has been stopped' });
    assert.equal((await t.get(`/workspaces/${w.id}`)).json.state.code, 3);
    err(await t.put(`/workspaces/${w.id}/stop`, { json: {} }), 400, 1013);
    err(await t.get(`/workspaces/${w.id}/files/${b64('kept.txt')}`), 404, 1108);
    err(await t.get(`/workspaces/${w.id}/list_files`), 404, 1008);
    err(
      await t.post(`/workspaces/${w.id}/files`, { json: { filepath: 'x', filedata: 'x' } }),
      404,
      1008,
    );
    const r = await t.put(`/workspaces/${w.id}/resume`, { json: {} });
    assert.deepEqual(r.json, { message: 'Workspace is resuming' });
    err(await t.put(`/workspaces/${w.id}/resume`, { json: {} }), 400, 1013);
    assert.equal((await t.get(`/workspaces/${w.id}/files/${b64('kept.txt')}`)).text, 'kept\n');
    const rm = await t.put(`/workspaces/${w.id}/remove`, { json: {} });
    assert.deepEqual(rm.json, { message: 'Workspace has been removed' });
    const gone = await t.get(`/workspaces/${w.id}`);
    assert.equal(gone.json.state.code, 4);
    assert.match(gone.json.terminated_at, /\+0000$/);
    err(await t.put(`/workspaces/${w.id}/remove`, { json: {} }), 400, 1013);
    err(await t.put(`/workspaces/${w.id}/resume`, { json: {} }), 400, 1013);
  });

  it('cannot resume a workspace created with retention_time_stopped 0', async () => {
    const w = await t.workspace({ project_id: project });
    await t.put(`/workspaces/${w.id}/stop`, { json: {} });
    err(await t.put(`/workspaces/${w.id}/resume`, { json: {} }), 400, 1010);
    await t.put(`/workspaces/${w.id}/remove`, { json: {} });
  });
});

describe('workspace files', () => {
  let id: string;
  useWorkspace(
    () => ({ t, project }),
    (x) => (id = x),
  );

  it('uploads in the three formats and reads back by base64 path', async () => {
    const bin = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80, 10]);
    const m = await t.multipart('POST', `/workspaces/${id}/files`, {
      filepath: 'bin.dat',
      filedata: { file: bin },
    });
    assert.equal(m.status, 200, m.text);
    assert.deepEqual(m.json, { path: '/home/user/workspace/bin.dat' });
    const got = await fetch(
      `${t.api}/workspaces/${id}/files/${b64('bin.dat')}?access_token=${t.engine.accessToken}`,
    );
    assert.deepEqual(Buffer.from(await got.arrayBuffer()), bin);
    const j = await t.post(`/workspaces/${id}/files`, {
      json: { filepath: 'lockdir/../j.txt', filedata: 'json\n' },
    });
    assert.equal(j.status, 400, j.text);
    const f = await t.post(`/workspaces/${id}/files`, {
      form: { filepath: 'f.txt', filedata: 'form\n' },
    });
    assert.equal(f.status, 200, f.text);
    assert.equal((await t.get(`/workspaces/${id}/files/${b64('f.txt')}`)).text, 'form\n');
    // a file is replaced
    await t.post(`/workspaces/${id}/files`, { json: { filepath: 'f.txt', filedata: 'again\n' } });
    assert.equal((await t.get(`/workspaces/${id}/files/${b64('f.txt')}`)).text, 'again\n');
    // a name whose base64 holds '/', sent raw in the path
    const odd = '???.txt';
    assert.ok(b64(odd).includes('/'));
    await t.post(`/workspaces/${id}/files`, { json: { filepath: odd, filedata: 'odd' } });
    assert.equal((await t.get(`/workspaces/${id}/files/${b64(odd)}`)).text, 'odd');
  });

  it('lists folders with listed_dir, files and dirs', async () => {
    const root = await t.get(`/workspaces/${id}/list_files`);
    assert.equal(root.status, 200, root.text);
    assert.equal(root.json.listed_dir, '/home/user/workspace');
    const names = root.json.files.map((x: { name: string }) => x.name);
    assert.ok(names.includes('README.md'), names.join());
    const lockdir = root.json.dirs.find((x: { name: string }) => x.name === 'lockdir');
    assert.ok(lockdir);
    assert.equal(typeof lockdir.perm, 'number');
    assert.equal(typeof lockdir.time, 'number');
    const sub = await t.get(`/workspaces/${id}/list_files/${b64('lockdir/')}`);
    assert.equal(sub.json.listed_dir, '/home/user/workspace/lockdir');
    assert.deepEqual(
      sub.json.files.map((x: { name: string; size: number; perm: number }) => [
        x.name,
        x.size,
        x.perm,
      ]),
      [['a.txt', 19, 644]],
    );
  });

  it('answers each bad file request with its code', async () => {
    err(await t.get(`/workspaces/${id}/files/%21%21%21`), 400, 1105);
    err(
      await t.get(`/workspaces/${id}/files/${Buffer.from([0xff, 0xfe]).toString('base64')}`),
      400,
      1105,
    );
    err(await t.get(`/workspaces/${id}/files/${b64('missing.txt')}`), 400, 1101);
    err(await t.get(`/workspaces/${id}/files/${b64('lockdir')}`), 400, 1101);
    err(await t.get(`/workspaces/${id}/files/${b64('../../../etc/passwd')}`), 400, 1101);
    err(await t.get(`/workspaces/${id}/list_files/${b64('README.md')}`), 400, 1101);
    err(await t.get(`/workspaces/${id}/list_files/${b64('nope/')}`), 400, 1101);
    err(await t.post(`/workspaces/${id}/files`, { json: { filepath: 'x.txt' } }), 400, 202504);
    err(await t.post(`/workspaces/${id}/files`, { json: { filedata: 'x' } }), 400, 202604);
    err(
      await t.post(`/workspaces/${id}/files`, {
        json: { filepath: 'no/such/dir/x', filedata: 'x' },
      }),
      400,
      202601,
    );
    err(
      await t.post(`/workspaces/${id}/files`, { json: { filepath: '/etc/x', filedata: 'x' } }),
      400,
      202601,
    );
    err(
      await t.post(`/workspaces/${id}/files`, { json: { filepath: 'lockdir', filedata: 'x' } }),
      400,
      202602,
    );
    err(
      await t.post(`/workspaces/${id}/files`, { json: { filepath: 'locked.txt', filedata: 'x' } }),
      400,
      202602,
    );
    err(
      await t.post(`/workspaces/${id}/files`, {
        json: { filepath: 'lockdir/new.txt', filedata: 'x' },
      }),
      400,
      202602,
    );
    await t
      .post(`/workspaces/${id}/files`, { json: { filepath: 'afolder/.keep', filedata: '' } })
      .then((r) => err(r, 400, 202601));
    const big = await t.multipart('POST', `/workspaces/${id}/files`, {
      filepath: 'big.bin',
      filedata: { file: Buffer.alloc(16 * 1024 * 1024 + 1) },
    });
    err(big, 413, 202511);
    err(await t.get(`/workspaces/0123456789abcdef0123456789abcdef/list_files`), 404, 1001);
    // nothing half-written: the refused upload left no file
    err(await t.get(`/workspaces/${id}/files/${b64('big.bin')}`), 400, 1101);
  });
});

describe('slots', () => {
  it('answers 409/200611 when every slot is taken, and frees a slot on stop', async () => {
    const running = (await t.get('/workspaces?states[]=1&states[]=2&limit=30')).json.items.length;
    const made: string[] = [];
    for (let i = running; i < 6; i++)
      made.push((await t.workspace({ project_id: project, retention_time_stopped: 10 })).id);
    err(await t.post('/workspaces', { json: { project_id: project } }), 409, 200611);
    await t.put(`/workspaces/${made[0]}/stop`, { json: {} });
    const next = await t.post('/workspaces', { json: { project_id: project } });
    assert.equal(next.status, 201, next.text);
    err(await t.put(`/workspaces/${made[0]}/resume`, { json: {} }), 409, 200611);
    await t.settled(next.json.workspace.id);
    for (const id of [...made, next.json.workspace.id])
      await t.put(`/workspaces/${id}/remove`, { json: {} });
  });
});
