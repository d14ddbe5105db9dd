// Crash and restart: the engine (the real CLI) killed with SIGKILL mid-load and started again on
// the same data folder leaves every submission final; interrupted jobs run again once, or end
// with status 20 and a reason; SIGTERM stops cleanly.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';
import type { Spawned } from '../helpers/process.js';
import { BASE, PYTHON, startTestEngine } from './helpers.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'se-engine-restart-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const token = 'restart-test-token';

async function startCli(dataDir: string): Promise<{ p: Spawned; api: string }> {
  const p = runCli(['engine', '--port', '0', '--data-dir', dataDir, '--workers', '2'], {
    SE_ENGINE_ACCESS_TOKEN: token,
  });
  const [, url] = await p.waitFor(/serving on (http:\/\/[^\s/]+)/, 60_000);
  return { p, api: url + BASE };
}

interface Item {
  id: number;
  executing: boolean;
  result: { status: { code: number } };
}

async function list(api: string, ids: number[]): Promise<Item[]> {
  const items: Item[] = [];
  for (let i = 0; i < ids.length; i += 20) {
    const res = await fetch(
      `${api}/submissions?ids=${ids.slice(i, i + 20).join(',')}&access_token=${token}`,
    );
    assert.equal(res.status, 200);
    items.push(...((await res.json()) as { items: Item[] }).items);
  }
  return items;
}

describe('restart', () => {
  it('leaves every submission final after SIGKILL mid-load and a restart', async () => {
    const dataDir = join(dir, 'kill');
    const first = await startCli(dataDir);
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${first.api}/submissions?access_token=${token}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          compilerId: PYTHON,
          source: `import time\ntime.sleep(0.1)\nprint(${i})`,
        }),
      });
      assert.equal(res.status, 201);
      ids.push(((await res.json()) as { id: number }).id);
    }
    // Kill once some are done, some running, most waiting.
    const deadline = Date.now() + 30_000;
    while ((await list(first.api, ids)).filter((s) => !s.executing).length < 3) {
      assert.ok(Date.now() < deadline, 'the first submissions finish');
      await new Promise((r) => setTimeout(r, 20));
    }
    first.p.child.kill('SIGKILL');
    await first.p.exited;

    const second = await startCli(dataDir);
    try {
      const until = Date.now() + 60_000;
      let items = await list(second.api, ids);
      while (items.some((s) => s.executing) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        items = await list(second.api, ids);
      }
      assert.equal(items.length, ids.length, 'none lost');
      for (const s of items) {
        assert.equal(s.executing, false, `submission ${s.id} final`);
        assert.equal(s.result.status.code, 15, `submission ${s.id} re-run after the crash`);
      }
      for (const i of [0, 20, 39]) {
        const out = await fetch(`${second.api}/submissions/${ids[i]}/output?access_token=${token}`);
        assert.equal(await out.text(), `${i}\n`);
      }
    } finally {
      second.p.child.kill('SIGTERM');
      const { code } = await second.p.exited;
      assert.equal(code, 0);
      assert.match(second.p.stdout(), /stopped/);
    }
  });

  it('re-runs a job interrupted once and ends one interrupted twice with status 20', async () => {
    const dataDir = join(dir, 'attempts');
    let t = await startTestEngine({ dataDir, workers: 1 });
    // One worker busy for about 2 s; the two behind it stay queued while the engine stops.
    const busy = await t.submit({ compilerId: PYTHON, source: 'while True: pass', timeLimit: 1 });
    const once = await t.submit({ compilerId: PYTHON, source: 'print("again")' });
    const twice = await t.submit({ compilerId: PYTHON, source: 'print("never")' });
    await t.close();
    // What a crash leaves: both caught "running", one on its first attempt, one on its second.
    const db = new Database(join(dataDir, 'engine.db'));
    const mark = db.prepare("UPDATE jobs SET state = 'running', attempts = ? WHERE ref = ?");
    assert.equal(mark.run(1, once).changes, 1);
    assert.equal(mark.run(2, twice).changes, 1);
    db.close();

    t = await startTestEngine({ dataDir, workers: 1 });
    try {
      assert.equal((await t.final(busy)).result.status.code, 13);
      const a = await t.final(once);
      assert.equal(a.result.status.code, 15);
      assert.equal(await t.stream(once, 'output'), 'again\n');
      const b = await t.final(twice);
      assert.equal(b.result.status.code, 20);
      assert.equal(b.executing, false);
      assert.match(await t.stream(twice, 'error'), /stopped 2 times while running/);
      assert.equal(await t.stream(twice, 'output'), '');
    } finally {
      await t.close();
    }
    const check = new Database(join(dataDir, 'engine.db'), { readonly: true });
    try {
      assert.equal((check.prepare('SELECT count(*) AS n FROM jobs').get() as { n: number }).n, 0);
    } finally {
      check.close();
    }
  });

  it('lets a running submission finish when the engine closes', async () => {
    const dataDir = join(dir, 'close');
    const t = await startTestEngine({ dataDir, workers: 1 });
    const running = new Promise<void>((resolve) => {
      t.engine.events.on('submission.status', (e) => e.status.code === 3 && resolve());
    });
    const id = await t.submit({
      compilerId: PYTHON,
      source: 'import time\ntime.sleep(0.5)\nprint("finished")',
    });
    await running;
    await t.close();
    // Final before the engine is gone: finished, not re-queued.
    const db = new Database(join(dataDir, 'engine.db'), { readonly: true });
    try {
      const row = db
        .prepare('SELECT status, output FROM compilers_submissions WHERE id = ?')
        .get(id) as { status: number; output: Buffer };
      assert.equal(row.status, 15);
      assert.equal(row.output.toString(), 'finished\n');
      assert.equal((db.prepare('SELECT count(*) AS n FROM jobs').get() as { n: number }).n, 0);
    } finally {
      db.close();
    }
  });
});
