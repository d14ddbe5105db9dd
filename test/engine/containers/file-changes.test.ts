// The file-management extensions of the Containers API (create, remove, rename, reset), run in the
// sandbox as the workspace's uid: a planted symlink is moved or removed as a link and never
// followed, the project's read-only files stay, and each refusal has its code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { b64, useFixtureEngine, type ContainersEngine } from './helpers.js';

let t: ContainersEngine;
let project: string;
useFixtureEngine((e, p) => {
  t = e;
  project = p;
});

const names = async (id: string, dir = '') => {
  const r = await t.get(`/workspaces/${id}/list_files${dir ? `/${b64(dir)}` : ''}`);
  assert.equal(r.status, 200, r.text);
  return [
    ...r.json.files.map((f: { name: string }) => f.name),
    ...r.json.dirs.map((d: { name: string }) => `${d.name}/`),
  ].sort();
};

describe('file changes (an extension)', () => {
  it('creates, renames, removes and resets; a planted link is handled as a link', async () => {
    const w = await t.workspace({ project_id: project });
    const post = (path: string, json: Record<string, string>) =>
      t.post(`/workspaces/${w.id}/${path}`, { json });
    assert.equal((await post('files/create', { filepath: 'src', type: 'dir' })).status, 200);
    assert.equal((await post('files/create', { filepath: 'src/a.py' })).status, 200);
    const again = await post('files/create', { filepath: 'src/a.py' });
    assert.equal(again.status, 400);
    assert.equal(again.json.error_code, 202602);
    assert.equal((await post('files/create', { filepath: 'nope/a.py' })).json.error_code, 202601);
    assert.equal((await post('files/rename', { filepath: 'src', target: 'lib' })).status, 200);
    assert.deepEqual(await names(w.id, 'lib'), ['a.py']);
    assert.equal(
      (await post('files/rename', { filepath: 'lib', target: 'lib/inner' })).status,
      400,
    );
    // a link to the host's /etc: moved and removed as a link, /etc untouched
    await t.post(`/workspaces/${w.id}/files`, {
      json: {
        filepath: 'probe.sh',
        filedata: 'ln -s /etc etc-link; ln -s /etc/hostname host-link',
      },
    });
    await t.final((await post('scenarios', { scenario: 'probe' })).json.id as number);
    assert.equal(
      (await post('files/rename', { filepath: 'etc-link', target: 'moved' })).status,
      200,
    );
    assert.equal((await post('files/remove', { filepath: 'moved' })).status, 200);
    assert.equal((await post('files/remove', { filepath: 'host-link' })).status, 200);
    assert.ok(!(await names(w.id)).some((n) => n.includes('link') || n === 'moved'));
    // the project's read-only files and folders stay
    for (const filepath of ['locked.txt', 'lockdir', 'lockdir/x'])
      assert.equal((await post('files/remove', { filepath })).json.error_code, 202602, filepath);
    assert.equal((await post('files/remove', { filepath: 'gone.txt' })).json.error_code, 1101);
    assert.equal((await post('files/remove', { filepath: '' })).json.error_code, 202604);
    assert.equal((await post('files/remove', { filepath: '../x' })).json.error_code, 202601);
    // reset: one file, then everything
    await t.post(`/workspaces/${w.id}/files`, { json: { filepath: 'README.md', filedata: 'x' } });
    assert.equal((await post('reset', { filepath: 'README.md' })).status, 200);
    assert.equal(
      (await t.get(`/workspaces/${w.id}/files/${b64('README.md')}`)).text,
      '# Fixture\n',
    );
    assert.equal((await post('reset', { filepath: 'lib' })).json.error_code, 1101);
    assert.equal((await post('reset', {})).status, 200);
    assert.ok(!(await names(w.id)).includes('lib/'));
    assert.ok((await names(w.id)).includes('README.md'));
    await t.put(`/workspaces/${w.id}/remove`, { json: {} });
  });
});
