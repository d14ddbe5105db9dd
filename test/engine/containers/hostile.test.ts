// The traps of WORKSPACE.md, each as a hostile program in a real workspace: planted files that
// would poison later stages, symlinks out of the workspace, hidden tests, forged reports,
// neighbours, daemons.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { ContainersSubmission } from '../../../src/shared/containers.js';
import { b64, useFixtureEngine, useWorkspace, type ContainersEngine } from './helpers.js';

let t: ContainersEngine;
let project: string;
useFixtureEngine((e, p) => {
  t = e;
  project = p;
});

/** Uploads `files` into workspace `id`, then runs `scenario` on it; the result and run output. */
async function runIn(
  id: string,
  scenario: string,
  files: Record<string, string> = {},
): Promise<{ s: ContainersSubmission; out: string }> {
  for (const [filepath, filedata] of Object.entries(files)) {
    const r = await t.post(`/workspaces/${id}/files`, { json: { filepath, filedata } });
    assert.equal(r.status, 200, `${filepath}: ${r.text}`);
  }
  const r = await t.post(`/workspaces/${id}/scenarios`, { json: { scenario } });
  assert.equal(r.status, 201, r.text);
  const s = await t.final(r.json.id as number);
  return { s, out: await t.stream(s.id, 'stage_run_output') };
}

const line = (out: string, key: string) =>
  out
    .split('\n')
    .find((l) => l.startsWith(`${key}=`))
    ?.slice(key.length + 1);

describe('a workspace stage', () => {
  let id: string;
  useWorkspace(
    () => ({ t, project }),
    (x) => (id = x),
  );

  it('runs with a fixed PATH, a fresh HOME and a clean environment, whatever was planted', async () => {
    // one stage plants what would poison the next: rc files, a PATH shim, a Python hook
    const plant = [
      'echo "echo POISON" > $HOME/.bashrc',
      'echo "export PATH=/home/user/workspace/bin:$PATH" > $HOME/.profile',
      'mkdir -p bin && printf "#!/bin/sh\\necho SHIM\\n" > bin/hello && chmod +x bin/hello',
      'printf "PLANTED = True\\n" > sitecustomize.py',
      'echo "export SE_EVIL=1" > .bashrc',
    ].join('\n');
    const planted = await runIn(id, 'probe', { 'probe.sh': plant });
    assert.equal(planted.s.result.status.code, 15, await t.stream(planted.s.id, 'stage_run_error'));
    const { s, out } = await runIn(id, 'probe', {
      'probe.sh': execFileSync('cat', [
        new URL('../../fixtures/containers/FIXTURE/workspace/probe.sh', import.meta.url).pathname,
      ]).toString(),
    });
    assert.equal(s.result.status.code, 15);
    assert.equal(line(out, 'home'), '/home/user');
    assert.equal(line(out, 'homefiles'), '', 'HOME is empty in every stage');
    assert.equal(line(out, 'path'), '/opt/se/env/bin:/usr/local/bin:/usr/bin:/bin');
    assert.equal(line(out, 'hello'), 'hello from the environment folder');
    assert.equal(line(out, 'custom'), 'False', 'a planted sitecustomize.py is not imported');
    assert.doesNotMatch(out, /POISON|SHIM/);
    const env = line(out, 'env')!.trim().split(' ');
    assert.ok(!env.includes('SE_EVIL'));
    for (const k of env)
      assert.ok(
        [
          'HOME',
          'PATH',
          'LANG',
          'TMPDIR',
          'PWD',
          'SHLVL',
          'SE_SCENARIO',
          'SE_STAGE',
          '_',
          'OLDPWD',
        ].includes(k),
        `unexpected variable ${k}`,
      );
  });

  it('cannot read hidden tests, forge the report, or change read-only files', async () => {
    const { out } = await runIn(id, 'probe');
    assert.match(line(out, 'tests')!, /No such file/);
    assert.match(line(out, 'report')!, /No such file|Read-only|Permission/);
    assert.match(line(out, 'locked')!, /Read-only file system/);
    assert.match(line(out, 'lockdir')!, /Read-only file system/);
    const locked = await t.get(`/workspaces/${id}/files/${b64('locked.txt')}`);
    assert.equal(locked.text, 'do not change\n');
    // a report planted where the learner can write is ignored: the test stage decides
    const forged = '[{"name":"answer","classname":"x","status":"ok","time":0}]';
    const { s } = await runIn(id, 'tests', { 'report.json': forged, 'answer.txt': '41' });
    assert.equal(s.result.status.code, 14);
  });

  it('leaves no daemon and no /tmp behind', async () => {
    const started = await runIn(id, 'probe', {
      'probe.sh': 'echo secret > /tmp/left; (setsid sleep 31337 >/dev/null 2>&1 &); echo started',
    });
    assert.equal(started.out, 'started\n');
    let left = '';
    try {
      left = execFileSync('pgrep', ['-f', 'sleep 31337']).toString();
    } catch {
      // pgrep exits 1 when nothing matches
    }
    assert.equal(left, '', 'the stage left a process running');
    const { out } = await runIn(id, 'probe', { 'probe.sh': 'ls /tmp; cat /tmp/left 2>&1' });
    assert.match(out, /No such file/);
  });
});

describe('file operations on a tree the learner controls', () => {
  it('never follow a symlink out of the workspace', async () => {
    const a = (await t.workspace({ project_id: project })).id;
    const b = (await t.workspace({ project_id: project })).id;
    await t.post(`/workspaces/${b}/files`, {
      json: { filepath: 'secret.txt', filedata: 'b only\n' },
    });
    const links = [
      'ln -s /etc/shadow shadow',
      'ln -s /etc/passwd passwd',
      `ln -s ${t.dataDir} data`,
      `ln -s ${t.dataDir}/containers/workspaces/${b} other`,
      'ln -s ../../../../../../../ up',
      'ln -s /proc/1/root root1',
      'echo planted',
    ].join('\n');
    const { out } = await runIn(a, 'probe', { 'probe.sh': links });
    assert.equal(out, 'planted\n');
    for (const p of [
      'shadow',
      'passwd',
      'data/engine.db',
      'other/workspace/secret.txt',
      'up/etc/passwd',
      'root1/etc/passwd',
    ]) {
      const r = await t.get(`/workspaces/${a}/files/${b64(p)}`);
      assert.equal(r.status, 400, `${p}: ${r.text}`);
      assert.equal(r.json.error_code, 1101, p);
    }
    for (const p of ['data', 'other', 'up', 'root1']) {
      const r = await t.get(`/workspaces/${a}/list_files/${b64(p)}`);
      assert.equal(r.json.error_code, 1101, `${p}: ${r.text}`);
    }
    for (const p of ['data/x', 'other/workspace/secret.txt', 'up/tmp/x']) {
      const r = await t.post(`/workspaces/${a}/files`, { json: { filepath: p, filedata: 'x' } });
      assert.equal(r.json.error_code, 202601, `${p}: ${r.text}`);
    }
    for (const p of ['shadow', 'passwd']) {
      const r = await t.post(`/workspaces/${a}/files`, { json: { filepath: p, filedata: 'x' } });
      assert.equal(r.json.error_code, 202612, `${p}: ${r.text}`);
    }
    // the other workspace's file is untouched, and the host's too
    assert.equal((await t.get(`/workspaces/${b}/files/${b64('secret.txt')}`)).text, 'b only\n');
    // a neighbour's files, processes and /tmp are not visible from a stage
    const look = await runIn(a, 'probe', {
      'probe.sh': `ls ${t.dataDir} 2>&1 | head -1; ls /home 2>&1; ps -e -o comm= | sort -u | tr '\\n' ' '`,
    });
    assert.match(look.out, /No such file/);
    assert.match(look.out, /^user$/m);
    // only this stage's own processes (its PID-1 helper, the shell and its commands)
    assert.deepEqual(look.out.trim().split('\n').at(-1)!.trim().split(' ').sort(), [
      '.se-init',
      'bash',
      'ps',
      'sort',
      'tr',
    ]);
    for (const id of [a, b]) await t.put(`/workspaces/${id}/remove`, { json: {} });
  });
});
