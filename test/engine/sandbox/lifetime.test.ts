// Nothing of a run outlives the engine, however it ends: SIGKILL of its whole process group,
// a close with runs in progress, or a build that leaves a folder chain deeper than PATH_MAX. And
// the next start sweeps what a dead engine left without being stopped by it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { findCgroup2, findCgroupMounts } from '../../../src/engine/sandbox/cgroups.js';
import { pidNamespace } from '../../../src/engine/sandbox/index.js';
import { BASH, LIMITS, pidsWithMarker, startExecutor } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/engine-child.ts', import.meta.url));

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'se-lifetime-test-'));
  await chmod(dir, 0o755);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Folders where engines make their cgroup subtrees, as this process sees them. */
function cgroupParents(): string[] {
  const out: string[] = [];
  const v1 = findCgroupMounts();
  if (!('error' in v1)) out.push(v1.memory, v1.pids);
  const v2 = findCgroup2();
  if (!('error' in v2)) out.push(v2.mount, v2.own);
  return out.filter((d) => existsSync(d));
}

function subtreesOf(pid: number): string[] {
  return cgroupParents().flatMap((p) =>
    readdirSync(p)
      .filter((e) => e.startsWith(`se-engine-${pid}-`))
      .map((e) => join(p, e)),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(50);
  }
  return true;
}

/** A pid that is certainly dead (a process that ran and was reaped). */
function deadPid(): number {
  const r = spawnSync('/bin/true');
  return r.pid ?? 999999;
}

/** Makes a chain of folders deeper than PATH_MAX (4096) under `root`, with relative mkdirs. */
function deepChain(root: string): void {
  const r = spawnSync(
    '/bin/bash',
    [
      '-c',
      'd=$(printf "a%.0s" {1..200}); for i in $(seq 30); do mkdir "$d" && cd "$d" || exit 1; done; touch f',
    ],
    { cwd: root },
  );
  assert.equal(r.status, 0, String(r.stderr));
}

describe('lifetime', () => {
  it("leaves no process, cgroup or folder behind when the engine's process group is SIGKILLed", async () => {
    const work = join(dir, 'kill');
    mkdirSync(work, { mode: 0o755 });
    const marker = `se-kill-${process.pid}`;
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, work, marker, '2'], {
      detached: true, // its own process group, which is killed whole
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    assert.ok(await until(() => out.includes('running'), 60_000), out);
    assert.ok(await until(() => pidsWithMarker(marker).length >= 4, 10_000), 'the runs started');
    const pid = child.pid!;
    const scratch = readdirSync(work).filter((e) => e.startsWith(`se-exec-${pid}-`));
    assert.equal(scratch.length, 1);
    const trees = subtreesOf(pid);
    process.kill(-pid, 'SIGKILL');
    assert.ok(
      await until(() => pidsWithMarker(marker).length === 0, 5000),
      `left running: ${pidsWithMarker(marker).join(' ')}`,
    );
    assert.ok(
      await until(() => subtreesOf(pid).length === 0, 5000),
      `cgroups left: ${subtreesOf(pid).join(' ')} (had ${trees.join(' ')})`,
    );
    assert.ok(
      await until(() => !existsSync(join(work, scratch[0])), 5000),
      'the scratch folder is removed',
    );
  });

  it('removes its cgroups when it closes with runs in progress', async () => {
    const t = await startExecutor();
    const where = t.ex.selfTest.limits?.where ?? '';
    const marker = `se-close-${process.pid}`;
    const lang = t.ex.languages().get(BASH);
    assert.ok(lang);
    const c = await t.ex.compile(
      {
        languageId: BASH,
        versionId: lang.defaultVersionId,
        files: { run: `exec -a ${marker} sleep 600\n` },
      },
      0,
    );
    assert.ok(c.ok);
    const running = t.ex.run(c.program, {
      stdin: '',
      limits: { timeSec: 30, memoryKb: 65536 },
      slot: 0,
    });
    assert.ok(await until(() => pidsWithMarker(marker).length === 1, 10_000));
    await t.close();
    const r = await running;
    assert.notEqual(r.status, 0);
    assert.deepEqual(pidsWithMarker(marker), []);
    const dirs = where ? where.split(', ') : [];
    for (const d of dirs) assert.equal(existsSync(d), false, `${d} is removed at close`);
  });

  it('starts, and sweeps them, over the leftovers of a dead engine: a deep folder chain and a live cgroup', async (ctx) => {
    const work = join(dir, 'sweep');
    mkdirSync(work, { mode: 0o755 });
    const ns = pidNamespace();
    const dead = deadPid();
    const stale = join(work, `se-exec-${dead}-${ns}-xyz`);
    mkdirSync(stale);
    deepChain(stale);
    // a stale cgroup subtree with a process still in it
    const parents = cgroupParents();
    const v1 = findCgroupMounts();
    const staleTrees: string[] = [];
    let sleeper: ReturnType<typeof spawn> | null = null;
    const mode = process.env.SE_ENGINE_CGROUPS ?? 'auto';
    if (!('error' in v1) && process.getuid?.() === 0 && (mode === 'auto' || mode === 'v1')) {
      sleeper = spawn('/bin/sleep', ['600'], { stdio: 'ignore' });
      for (const p of [v1.memory, v1.pids]) {
        const d = join(p, `se-engine-${dead}-${ns}-0bad`, 'run-1');
        mkdirSync(d, { recursive: true });
        writeFileSync(join(d, 'cgroup.procs'), String(sleeper.pid));
        staleTrees.push(join(p, `se-engine-${dead}-${ns}-0bad`));
      }
    } else
      ctx.diagnostic(
        `no v1 cgroups as root in use here (${mode}; ${parents.join(', ')}): the cgroup part is not tried`,
      );
    const { createExecutor } = await import('../../../src/engine/exec/index.js');
    const ex = await createExecutor({ workDir: work, workers: 1, log: () => undefined });
    try {
      assert.ok(ex.selfTest.ok, ex.selfTest.problems.join('; '));
      assert.ok(ex.languages().size > 0);
      assert.ok(await until(() => !existsSync(stale), 10_000), 'the deep leftover is swept');
      for (const d of staleTrees) assert.equal(existsSync(d), false, `${d} is swept`);
      if (sleeper)
        assert.ok(
          await until(() => sleeper.exitCode !== null || sleeper.signalCode !== null, 5000),
        );
    } finally {
      sleeper?.kill('SIGKILL');
      await ex.close();
      for (const d of staleTrees)
        for (const x of [join(d, 'run-1'), d])
          try {
            rmdirSync(x);
          } catch {
            // swept already
          }
    }
  });

  it('removes a program folder holding a chain deeper than PATH_MAX, and shows no host path', async () => {
    const t = await startExecutor();
    try {
      const lang = t.ex.languages().get(BASH);
      assert.ok(lang);
      const build =
        'd=$(printf "a%.0s" {1..200}); for i in $(seq 30); do mkdir "$d" && cd "$d" || exit 1; done; echo built';
      const c = await t.ex.compile(
        {
          languageId: BASH,
          versionId: lang.defaultVersionId,
          files: { build, 'prog.sh': 'echo ran' },
        },
        0,
      );
      if (process.getuid?.() !== 0) {
        // not root: the build ran in the stage's own capped /box, which cannot be copied out
        // (nothing of it reaches the host); the build fails saying so, naming no host path
        assert.equal(c.ok, false);
        if (!c.ok) {
          assert.equal(c.status, 11);
          assert.match(c.cmpinfo, /the build's files could not be kept/);
          assert.doesNotMatch(c.cmpinfo, /se-exec-|se-sandbox-test-|\/tmp\//);
        }
        return;
      }
      assert.ok(c.ok, `${c.cmpinfo} ${c.ok ? '' : (c.outcome.internalError ?? '')}`);
      const r = await t.ex.run(c.program, { stdin: '', limits: LIMITS, slot: 1 });
      assert.equal(r.stdout.toString(), 'ran\n');
      for (const s of [c.cmpinfo, r.stdout.toString(), r.stderr.toString()])
        assert.doesNotMatch(s, /se-exec-|se-sandbox-test-|\/tmp\//);
      await c.program.dispose();
      assert.equal(existsSync(c.program.dir), false, 'the program folder is removed');
    } finally {
      await t.close();
    }
  });
});
