// Workspaces over time: the idle sweeper, retention, the lifetime cap, and a restart of the
// engine (running workspaces come back, queued submissions run, nothing stays executing).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { b64, engineWithFixture, type ContainersEngine } from './helpers.js';

const MIN = 60_000;

/** Moves a workspace's clock fields back by `ms` in the engine's own database file. */
function age(dataDir: string, id: string, column: string, ms: number): void {
  const db = new Database(join(dataDir, 'engine.db'));
  try {
    db.prepare(
      `UPDATE containers_workspaces SET ${column} = coalesce(${column}, created_at) - ? WHERE id = ?`,
    ).run(ms, id);
  } finally {
    db.close();
  }
}

async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the idle sweeper and retention', () => {
  let t: ContainersEngine;
  after(() => t?.close());

  it('stops an idle workspace, removes it after its retention, and honours the total', async () => {
    t = await engineWithFixture({ containers: { sweepMs: 100 } });
    const project = await t.projectId('FIXTURE');
    const state = async (id: string) =>
      (await t.get(`/workspaces/${id}`)).json.state.code as number;
    // still in `code` after a few sweeps
    const holds = async (id: string, code: number) => {
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(await state(id), code);
    };
    const idle = (
      await t.workspace({ project_id: project, inactivity_timeout: 10, retention_time_stopped: 20 })
    ).id;
    const busy = (await t.workspace({ project_id: project, inactivity_timeout: 10 })).id;
    const total = (
      await t.workspace({ project_id: project, retention_time_total: 30, inactivity_timeout: 60 })
    ).id;
    // nine minutes idle is not enough; eleven are
    age(t.dataDir, idle, 'last_usage', 9 * MIN);
    await holds(idle, 2);
    age(t.dataDir, idle, 'last_usage', 2 * MIN);
    await until('the idle workspace to stop', async () => (await state(idle)) === 3);
    // real activity keeps a workspace: nine idle minutes, a use, two more minutes: still running
    age(t.dataDir, busy, 'last_usage', 9 * MIN);
    await t.post(`/workspaces/${busy}/files`, { json: { filepath: 'x.txt', filedata: 'x' } });
    age(t.dataDir, busy, 'last_usage', 2 * MIN);
    await holds(busy, 2);
    // stopped for less than its retention: kept, files and all; past it: removed
    age(t.dataDir, idle, 'stopped_at', 19 * MIN);
    await holds(idle, 3);
    age(t.dataDir, idle, 'stopped_at', 2 * MIN);
    await until('the stopped workspace to be removed', async () => (await state(idle)) === 4);
    // retention_time_total removes whatever the state
    age(t.dataDir, total, 'created_at', 31 * MIN);
    await until(
      'the workspace past its total to be removed',
      async () => (await state(total)) === 4,
    );
    assert.equal(await state(busy), 2);
  });
});

describe('a restart of the engine', () => {
  it('brings running workspaces back (resumed with auto_resume, else stopped) and runs queued submissions', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'se-containers-restart-'));
    try {
      let t = await engineWithFixture({ dataDir, workers: 1 });
      const project = await t.projectId('FIXTURE');
      const resumed = (await t.workspace({ project_id: project })).id;
      const stopped = (
        await t.workspace({ project_id: project, auto_resume: false, retention_time_stopped: 10 })
      ).id;
      await t.post(`/workspaces/${resumed}/files`, {
        json: { filepath: 'kept.txt', filedata: 'kept' },
      });
      const answer = await t.post(`/workspaces/${resumed}/files`, {
        json: { filepath: 'answer.txt', filedata: '42' },
      });
      assert.equal(answer.status, 200, answer.text);
      // one submission running (a 1 s loop) and one waiting behind it on the single worker
      const ids: number[] = [];
      for (const scenario of ['loop', 'run']) {
        const r = await t.post(`/workspaces/${resumed}/scenarios`, { json: { scenario } });
        assert.equal(r.status, 201, r.text);
        ids.push(r.json.id);
      }
      await t.close();

      t = await engineWithFixture({ dataDir, workers: 1 });
      try {
        const a = await t.get(`/workspaces/${resumed}`);
        assert.equal(a.json.state.code, 2);
        assert.equal((await t.get(`/workspaces/${resumed}/files/${b64('kept.txt')}`)).text, 'kept');
        assert.equal((await t.get(`/workspaces/${stopped}`)).json.state.code, 3);
        const [loop, run] = [await t.final(ids[0]!), await t.final(ids[1]!)];
        assert.equal(loop.result.status.code, 13);
        assert.equal(run.result.status.code, 15, await t.stream(run.id, 'debug_log'));
        const executing = await t.get('/submissions?limit=20');
        assert.ok(executing.json.items.every((s: { executing: boolean }) => !s.executing));
        assert.equal((await t.put(`/workspaces/${stopped}/resume`, { json: {} })).status, 200);
      } finally {
        await t.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
