// Hostile programs whose verdict learners and course authors expect to be the plain one: each
// test runs a real program in the real sandbox (every cgroup mode: SE_ENGINE_CGROUPS=none too).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { wallLimitMs } from '../../../src/engine/exec/index.js';
import { C, compileRun, LIMITS, PY, startExecutor, type TestExecutor } from './helpers.js';

let t: TestExecutor;
before(async () => {
  t = await startExecutor();
});
after(async () => {
  await t?.close();
});

const MB = 1024;

describe('hostile programs', () => {
  it('gives 17, not 20, to many empty files in /tmp under a small memory limit', async () => {
    // empty files cost no data, only kernel memory (inodes, dentries): the OOM killer must pick
    // the program, never the sandbox's own processes
    const src = `#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
  char name[64];
  for (int i = 0; i < 400000; i++) {
    snprintf(name, sizeof name, "/tmp/f%d", i);
    int fd = open(name, O_CREAT | O_WRONLY, 0600);
    if (fd < 0) { printf("stopped at %d\\n", i); return 0; }
    close(fd);
  }
  printf("created all\\n");
  return 0;
}`;
    const r = await compileRun(t.ex, C, src, { limits: { timeSec: 5, memoryKb: 24 * MB } });
    assert.equal(r.status, 17, `${r.internalError ?? ''} ${r.err} ${r.out}`);
  });

  it('reports a stack overflow as a runtime error with SIGSEGV (12), not memory (17)', async () => {
    const src = `#include <stdio.h>
#include <string.h>
int depth(int n) {
  volatile char pad[1024];
  pad[0] = (char)n;
  int r = depth(n + 1); /* the volatile read after the call keeps it a real recursion */
  return r + pad[0];
}
int main(void) { printf("%d\\n", depth(0)); return 0; }`;
    const r = await compileRun(t.ex, C, src, { limits: { timeSec: 5, memoryKb: 64 * MB } });
    assert.equal(r.status, 12, `${r.internalError ?? ''} ${r.err}`);
    assert.equal(r.signal, 11);
  });

  it('lets a program create files in its working folder, capped, with nothing carried over', async () => {
    const lang = t.ex.languages().get(PY);
    assert.ok(lang);
    const main = [
      'import os, helper',
      'print("seen before:", os.path.exists("out.txt"))',
      'with open("out.txt", "w") as f: f.write(helper.WORD)',
      'print("read back:", open("out.txt").read())',
      'print("data:", open("data.txt").read().strip())',
      'try:',
      '    open("data.txt", "w").write("changed")',
      '    print("program file: changed")',
      'except OSError as e:',
      '    print("program file: kept")',
      'try:',
      '    with open("big.bin", "wb") as f:',
      '        for _ in range(100): f.write(b"x" * (1 << 20))',
      '    print("big: written")',
      'except OSError as e:',
      '    print("big: refused")',
      'os.remove("big.bin") if os.path.exists("big.bin") else None',
    ].join('\n');
    const c = await t.ex.compile(
      {
        languageId: PY,
        versionId: lang.defaultVersionId,
        files: { 'main.py': main, 'helper.py': 'WORD = "hello"\n', 'data.txt': 'given\n' },
      },
      0,
    );
    assert.ok(c.ok, c.cmpinfo);
    try {
      const want =
        'seen before: False\nread back: hello\ndata: given\nprogram file: kept\nbig: refused\n';
      for (let run = 0; run < 2; run++) {
        const r = await t.ex.run(c.program, { stdin: '', limits: LIMITS, slot: run % 2 });
        assert.equal(r.status, 0, `${r.internalError ?? ''} ${r.stderr.toString()}`);
        assert.equal(r.stdout.toString(), want, `run ${run + 1}`);
      }
    } finally {
      await c.program.dispose();
    }
  });

  it('stops a sleeper at the wall limit, max(2 x limit, limit + 1 s), and not before', async () => {
    // the formula itself, on both of its branches
    assert.deepEqual([0.5, 1, 2, 3].map(wallLimitMs), [1500, 2000, 4000, 6000]);
    // and what the sandbox does with it: a 2 s CPU limit is a 4 s wall limit
    const r = await compileRun(t.ex, PY, 'import time\ntime.sleep(60)', {
      limits: { timeSec: 2, memoryKb: 64 * MB },
    });
    assert.equal(r.status, 13);
    assert.deepEqual(r.reason, { kind: 'wall_time', limit: 4 });
    assert.ok(r.wallMs >= 3900 && r.wallMs < 4900, `killed after ${r.wallMs} ms, not about 4000`);
  });
});

describe('the program folder cap', () => {
  it('holds 256 MiB against parallel writers', async () => {
    const { createExecutor } = await import('../../../src/engine/exec/index.js');
    const { mkdtemp, rm, chmod } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { readdirSync } = await import('node:fs');
    const { spawnSync } = await import('node:child_process');
    const work = await mkdtemp(join(tmpdir(), 'se-cap-test-'));
    await chmod(work, 0o755);
    const ex = await createExecutor({ workDir: work, workers: 1, log: () => undefined });
    let max = 0;
    const folders = () =>
      readdirSync(work)
        .filter((e) => e.startsWith('se-exec-'))
        .flatMap((e) => {
          try {
            return readdirSync(join(work, e, 'programs')).map((p) => join(work, e, 'programs', p));
          } catch {
            return [];
          }
        });
    const sample = setInterval(() => {
      for (const d of folders()) {
        const du = spawnSync('/usr/bin/du', ['-s', '-B1', d], { encoding: 'utf8' });
        max = Math.max(max, Number(du.stdout.split('\t')[0]) || 0);
      }
    }, 25);
    try {
      const lang = ex.languages().get(C);
      assert.ok(lang);
      // eight writers at once, 60 MB each (under the 64 MiB file-size limit): 480 MB in all
      const build =
        'for i in 1 2 3 4 5 6 7 8; do head -c 60000000 /dev/zero > f$i & done; wait; ' +
        'gcc -o prog a.c';
      const c = await ex.compile(
        {
          languageId: C,
          versionId: lang.defaultVersionId,
          files: { build, 'a.c': 'int main(){return 0;}' },
        },
        0,
      );
      assert.equal(c.ok, false);
      if (!c.ok) {
        assert.equal(c.status, 11);
        assert.match(c.cmpinfo, /the build (wrote|left) more than 256 MB/);
      }
      assert.ok(max <= 257 * 1024 * 1024, `the folder reached ${(max / 1048576).toFixed(0)} MiB`);
    } finally {
      clearInterval(sample);
      await ex.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});
