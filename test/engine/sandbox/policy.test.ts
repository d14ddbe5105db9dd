// The sandbox's start-up and policy: self-test, the missing-sandbox policy and its development
// flag, cgroup subtrees per engine instance, and the custom-judge interfaces (extra fds, start()).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
} from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createExecutor, type Program } from '../../../src/engine/exec/index.js';
import { findCgroupMounts } from '../../../src/engine/sandbox/cgroups.js';
import { BASH, C, compileRun, LIMITS, PY, startExecutor, type TestExecutor } from './helpers.js';

let t: TestExecutor;
let scratch: string;
before(async () => {
  t = await startExecutor();
  scratch = await mkdtemp(join(tmpdir(), 'se-policy-test-'));
});
after(async () => {
  await t?.close();
  await rm(scratch, { recursive: true, force: true });
});

/** Runs `fn` with environment variables set, restoring them afterwards. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>) {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}

async function program(languageId: number, source: string): Promise<Program> {
  const lang = t.ex.languages().get(languageId);
  assert.ok(lang);
  const c = await t.ex.compile({ languageId, versionId: lang.defaultVersionId, source }, 0);
  assert.ok(c.ok, c.cmpinfo);
  return c.program;
}

describe('missing-sandbox policy', () => {
  it('refuses the development flag when CI=true or NODE_ENV=production', async () => {
    for (const env of [
      { CI: 'true', NODE_ENV: undefined },
      { CI: undefined, NODE_ENV: 'production' },
    ]) {
      await withEnv(env, async () => {
        await assert.rejects(
          createExecutor({ workDir: scratch, workers: 1, unsafeNoSandbox: true, log: () => {} }),
          /refusing to run without a sandbox/,
        );
        await withEnv({ SE_ENGINE_UNSAFE_NO_SANDBOX: '1' }, () =>
          assert.rejects(
            createExecutor({ workDir: scratch, workers: 1, log: () => {} }),
            /refusing to run without a sandbox/,
          ),
        );
      });
    }
  });

  it('names the missing piece and runs nothing when the sandbox is broken', async () => {
    const logs: string[] = [];
    const ex = await createExecutor({
      workDir: scratch,
      workers: 1,
      sandboxTools: {
        bwrap: '/nonexistent/bwrap',
        init: '/nonexistent/se-init',
        seccomp: '/nonexistent/seccomp.bpf',
      },
      log: (l) => logs.push(l),
    });
    try {
      assert.equal(ex.selfTest.ok, false);
      assert.equal(ex.unsandboxed, false);
      assert.ok(ex.selfTest.problems.some((p) => /apt-get install bubblewrap/.test(p)));
      assert.ok(
        ex.selfTest.problems.some((p) =>
          /sandbox helper \/nonexistent\/se-init is missing.*gcc libc6-dev.*build-native/.test(p),
        ),
      );
      assert.ok(
        ex.selfTest.problems.some((p) =>
          /seccomp filter \/nonexistent\/seccomp.bpf is missing/.test(p),
        ),
      );
      assert.ok(logs.some((l) => /no code will run/.test(l)));
      const marker = join(scratch, 'should-not-exist');
      const c = await ex.compile(
        { languageId: PY, versionId: 1, source: `open(${JSON.stringify(marker)}, "w")` },
        0,
      );
      assert.equal(c.ok, false);
      assert.equal(c.ok ? 0 : c.status, 20);
      assert.match(c.outcome?.internalError ?? '', /bubblewrap/);
      assert.equal(existsSync(marker), false);
    } finally {
      await ex.close();
    }
  });

  it('runs unconfined under the development flag, warning and marking every result', async () => {
    const logs: string[] = [];
    const ex = await withEnv({ CI: undefined, NODE_ENV: undefined }, () =>
      createExecutor({
        workDir: scratch,
        workers: 1,
        unsafeNoSandbox: true,
        sandboxTools: { bwrap: '/nonexistent/bwrap' },
        log: (l) => logs.push(l),
      }),
    );
    try {
      assert.equal(ex.selfTest.ok, false);
      assert.equal(ex.unsandboxed, true);
      assert.ok(logs.some((l) => /WARNING: running submissions WITHOUT a sandbox/.test(l)));
      const c = await ex.compile(
        { languageId: PY, versionId: 1, source: 'import os\nprint(input(), os.getuid() != 0)' },
        0,
      );
      assert.ok(c.ok);
      const r = await ex.run(c.program, { stdin: 'dev\n', limits: LIMITS, slot: 0 });
      await c.program.dispose();
      assert.equal(r.status, 0);
      assert.equal(r.stdout.toString(), 'dev True\n'); // not root, even unconfined
      assert.equal(r.unsandboxed, true);
    } finally {
      await ex.close();
    }
  });

  it('uses the sandbox when it works even with the flag given', async () => {
    const ex = await withEnv({ CI: undefined, NODE_ENV: undefined }, () =>
      createExecutor({ workDir: scratch, workers: 1, unsafeNoSandbox: true, log: () => {} }),
    );
    try {
      assert.deepEqual(ex.selfTest.problems, []);
      assert.equal(ex.selfTest.ok, true);
      assert.equal(ex.unsandboxed, false);
      const r = await compileRun(ex, PY, 'import os\nprint(os.getuid() != 0)', { slot: 0 });
      assert.equal(r.out, 'True\n');
      assert.equal(r.unsandboxed, undefined);
    } finally {
      await ex.close();
    }
  });
});

describe('cgroups', () => {
  const mounts = findCgroupMounts();
  const subtrees = (dir: string) => readdirSync(dir).filter((e) => e.startsWith('se-engine-'));

  it('removes stale subtrees of dead engines at start, and its own at close', async (ctx) => {
    if (t.ex.selfTest.limits?.cgroups !== 'v1') {
      // cgroup v1 subtrees only: the other modes have no v1 hierarchy to look at
      ctx.diagnostic(`not applicable: this engine uses ${t.ex.selfTest.limits?.cgroups}`);
      return;
    }
    assert.ok(!('error' in mounts), 'cgroup v1 memory and pids are mounted');
    // a pid that surely is dead: a finished child's
    const dead = spawnSync('/bin/true').pid;
    assert.ok(dead);
    const nsId = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1];
    const stale = `se-engine-${dead}-${nsId}-deadbeef`;
    const foreign = `se-engine-${dead}-1-deadbeef`; // another pid namespace: not ours to judge
    for (const parent of [mounts.memory, mounts.pids]) {
      mkdirSync(join(parent, stale, 'run-1'), { recursive: true });
      mkdirSync(join(parent, foreign), { recursive: true });
    }
    const before = new Set(subtrees(mounts.memory));
    const ex = await createExecutor({ workDir: scratch, workers: 1, log: () => {} });
    // Only this process's new subtree: other engines on the machine may start meanwhile.
    const mine = subtrees(mounts.memory).filter(
      (e) => !before.has(e) && e.startsWith(`se-engine-${process.pid}-`),
    );
    try {
      for (const parent of [mounts.memory, mounts.pids]) {
        assert.equal(existsSync(join(parent, stale)), false, `${stale} removed`);
        assert.equal(existsSync(join(parent, foreign)), true, `${foreign} kept`);
      }
      assert.equal(mine.length, 1);
      assert.match(mine[0], new RegExp(`^se-engine-${process.pid}-${nsId}-[0-9a-f]+$`));
      assert.ok(existsSync(join(mounts.pids, mine[0])));
    } finally {
      await ex.close();
      for (const parent of [mounts.memory, mounts.pids])
        spawnSync('rmdir', [join(parent, foreign)]);
    }
    assert.equal(existsSync(join(mounts.memory, mine[0])), false);
    assert.equal(existsSync(join(mounts.pids, mine[0])), false);
  });

  it('runs on both slots at once', async () => {
    const runs = await Promise.all(
      [0, 1, 0, 1].map((slot, i) =>
        compileRun(t.ex, PY, `import os\nprint(${i}, os.getuid())`, { slot }, slot),
      ),
    );
    const uids = runs.map((r) => {
      assert.equal(r.status, 0, r.err);
      return r.out.trim().split(' ');
    });
    assert.deepEqual(
      uids.map((u) => u[0]),
      ['0', '1', '2', '3'],
    );
    assert.equal(uids[0][1], uids[2][1]);
    if (process.getuid?.() === 0) assert.notEqual(uids[0][1], uids[1][1]);
    // not root: no per-slot uids (the README and /healthz say so); every run has the engine's uid
    else assert.deepEqual(new Set(uids.map((u) => u[1])), new Set([String(process.getuid?.())]));
  });
});

describe('custom-judge interfaces', () => {
  it('hands host files to fds 3..8 for reading and writing, with a cap on writes', async () => {
    const input = join(scratch, 'expected.txt');
    const debug = join(scratch, 'debug.txt');
    const info = join(scratch, 'info.txt');
    await writeFile(input, 'expected output\n');
    const p = await program(
      BASH,
      'read -r line <&4; echo "got: $line"; printf "%0200d" 0 >&6; echo hi >&7',
    );
    try {
      const r = await t.ex.run(p, {
        stdin: '',
        limits: LIMITS,
        slot: 1,
        fds: [
          { fd: 4, readFile: input },
          { fd: 6, writeFile: debug, capBytes: 50 },
          { fd: 7, writeFile: info },
        ],
      });
      assert.equal(r.status, 0, r.stderr.toString());
      assert.equal(r.stdout.toString(), 'got: expected output\n');
      assert.equal(readFileSync(debug, 'utf8'), '0'.repeat(50));
      assert.equal(readFileSync(info, 'utf8'), 'hi\n');
      assert.deepEqual(r.truncatedFds, [6]);
    } finally {
      await p.dispose();
    }
  });

  it('refuses a symlink or a folder as a file for an fd', async () => {
    const link = join(scratch, 'link.txt');
    symlinkSync('/etc/hostname', link);
    const p = await program(BASH, 'cat <&3');
    try {
      for (const readFile of [link, scratch]) {
        const r = await t.ex.run(p, {
          stdin: '',
          limits: LIMITS,
          slot: 0,
          fds: [{ fd: 3, readFile }],
        });
        assert.equal(r.status, 20);
        assert.match(r.internalError ?? '', /sandbox setup/);
      }
    } finally {
      await p.dispose();
    }
  });

  it('starts a program with streams for an interactive exchange', async () => {
    const p = await program(
      PY,
      'import sys\nlo, hi = 1, 1000\nwhile True:\n    g = (lo + hi) // 2\n    print(g, flush=True)\n' +
        '    a = sys.stdin.readline().strip()\n    if a == "ok": break\n' +
        '    if a == "higher": lo = g + 1\n    else: hi = g - 1\nprint("done", file=sys.stderr)',
    );
    try {
      const secret = 777;
      const run = t.ex.start(p, { limits: LIMITS, slot: 1 });
      let guesses = 0;
      let buf = '';
      run.stdout.setEncoding('utf8').on('data', (d: string) => {
        buf += d;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const g = Number(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          guesses++;
          run.stdin.write(g === secret ? 'ok\n' : g < secret ? 'higher\n' : 'lower\n');
          if (g === secret) run.stdin.end();
        }
      });
      const o = await run.done;
      assert.equal(o.status, 0, o.stderr.toString());
      assert.equal(o.stderr.toString(), 'done\n');
      assert.ok(guesses > 1 && guesses <= 10, `${guesses} guesses`);
    } finally {
      await p.dispose();
    }
  });

  it('wires a judge and a program through the judge fd 8 stream', async () => {
    // the judge asks for squares over fd 8 and reports on stdout; the program answers on stdio
    const judge = await program(
      PY,
      'import socket\ns = socket.socket(fileno=8)\nr = s.makefile("r"); w = s.makefile("w")\nok = 0\n' +
        'for i in range(1, 6):\n    w.write(f"{i}\\n"); w.flush()\n    ok += int(r.readline()) == i * i\n' +
        'w.write("0\\n"); w.flush()\nprint("score", ok)',
    );
    const solution = await program(
      C,
      '#include <stdio.h>\nint main(){ int x; while (scanf("%d", &x) == 1 && x) { printf("%d\\n", x * x); fflush(stdout); } }',
    );
    try {
      const j = t.ex.start(judge, { limits: LIMITS, slot: 0, fds: [{ fd: 8, stream: true }] });
      const s = t.ex.start(solution, { limits: LIMITS, slot: 1 });
      const channel = j.fds.get(8);
      assert.ok(channel);
      channel.pipe(s.stdin);
      s.stdout.pipe(channel, { end: false });
      let judgeOut = '';
      j.stdout.setEncoding('utf8').on('data', (d: string) => (judgeOut += d));
      const [jo, so] = await Promise.all([j.done, s.done]);
      assert.equal(jo.status, 0, jo.stderr.toString());
      assert.equal(so.status, 0, so.stderr.toString());
      assert.equal(judgeOut, 'score 5\n');
      channel.destroy();
    } finally {
      await judge.dispose();
      await solution.dispose();
    }
  });

  it('stops a started program on request', async () => {
    const p = await program(PY, 'import time\nprint("up", flush=True)\ntime.sleep(30)');
    try {
      const run = t.ex.start(p, { limits: { timeSec: 10, memoryKb: 65536 }, slot: 0 });
      const [first] = (await once(run.stdout, 'data')) as [Buffer];
      assert.equal(first.toString(), 'up\n');
      const t0 = Date.now();
      run.stop();
      const o = await run.done;
      // far below the 30 s sleep and the 20 s wall limit, with room for a loaded machine
      assert.ok(Date.now() - t0 < 8000, `stopped in ${Date.now() - t0} ms`);
      assert.equal(o.status, 12);
      assert.equal(o.signal, 9);
    } finally {
      await p.dispose();
    }
  });
});
