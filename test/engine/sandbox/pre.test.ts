// A stage's `pre` command (se-init run --pre): it runs in the stage's own sandbox before the
// program, its output reaches only the engine, nothing it starts survives into the program, and
// its time is not the program's.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StageSpec } from '../../../src/engine/sandbox/index.js';
import { startExecutor, type TestExecutor } from './helpers.js';

let t: TestExecutor;
let dir: string;
before(async () => {
  t = await startExecutor(1);
  dir = mkdtempSync(join(t.ex.scratchDir, 'pre-'));
  chmodSync(dir, 0o777);
});
after(async () => {
  await t?.close();
});

const spec = (program: string, pre: string, out: string, preWallMs = 5000): StageSpec => ({
  stage: 'run',
  argv: ['/bin/sh', '-c', program],
  boxDir: '',
  boxWritable: true,
  slot: 0,
  limits: {
    cpuSec: 5,
    wallMs: 5000,
    memoryBytes: 256 * 1024 * 1024,
    pids: 64,
    nofile: 64,
    fsizeBytes: 1 << 20,
    stackBytes: 8 << 20,
    tmpBytes: 1 << 20,
  },
  outputCapBytes: 1 << 20,
  layout: {
    mounts: [{ target: '/home/user/workspace', host: dir, writable: true }],
    cwd: '/home/user/workspace',
  },
  fds: [{ fd: 3, writeFile: out, capBytes: 1 << 20 }],
  pre: { argv: ['/bin/sh', '-c', pre], fd: 3, wallMs: preWallMs },
});

describe("a stage's pre command", () => {
  it('writes to its fd, which the program never has; the program starts alone, its time its own', async () => {
    const out = join(t.ex.scratchDir, 'pre-out-1');
    const r = await t.ex.sandbox!.run(
      spec(
        // the program: fd 3 is closed, no process of the pre command is left
        `if [ -e /proc/self/fd/3 ]; then echo fd3 open; fi
         for p in /proc/[0-9]*; do [ $p = /proc/1 ] && continue; tr '\\0' ' ' < $p/cmdline; echo; done | grep -c 'sleep 123[4]' || true`,
        'echo snapshot; sleep 1234 & sleep 0.3; echo done',
        out,
      ),
      '',
    );
    assert.equal(r.status, 0, `${r.internalError} ${r.stderr}`);
    assert.equal(r.stdout.toString(), '0\n');
    assert.equal(readFileSync(out, 'utf8'), 'snapshot\ndone\n');
    assert.deepEqual(r.pre, { exit: 0, killed: false });
    assert.ok(r.wallMs < 250, `the program's wall time ${r.wallMs} ms holds the pre command's 300`);
  });

  it('is stopped at its own wall time, and the program still runs', async () => {
    const out = join(t.ex.scratchDir, 'pre-out-2');
    const t0 = Date.now();
    const r = await t.ex.sandbox!.run(spec('echo ran', 'echo part; sleep 30', out, 300), '');
    assert.ok(Date.now() - t0 < 5000);
    assert.deepEqual(r.pre, { exit: -1, killed: true });
    assert.equal(r.stdout.toString(), 'ran\n');
    assert.equal(readFileSync(out, 'utf8'), 'part\n');
  });
});
