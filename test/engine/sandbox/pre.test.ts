// A stage's `pre` command (se-init run --pre): it runs in the stage's own sandbox before the
// program, its output reaches only the engine, nothing it starts survives into the program, and
// its time is not the program's. A gated stage (se-init run --gate-fd) is set up but starts
// nothing until it is opened, and its time starts then.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
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

describe('a gated stage', () => {
  const gated = (program: string, wallMs: number): StageSpec => ({
    ...spec(program, 'true', join(t.ex.scratchDir, 'gate-pre')),
    pre: undefined,
    fds: undefined,
    gated: true,
    limits: { ...spec('', '', '').limits, wallMs, cpuSec: 1 },
  });

  it('runs nothing until opened, and its wall time starts then', async () => {
    const h = t.ex.sandbox!.start(gated('echo ran > gated-mark; echo ok', 1000), true);
    h.stdin.end();
    // held past its wall limit and the engine's backstop (1 s later): neither has started
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(existsSync(join(dir, 'gated-mark')), false, 'the program ran before open()');
    h.open();
    const r = await h.done;
    assert.equal(r.status, 0, `${r.internalError} ${r.stderr}`);
    assert.equal(r.stdout.toString(), 'ok\n');
    assert.equal(readFileSync(join(dir, 'gated-mark'), 'utf8'), 'ran\n');
  });

  it('stopped before it opens, it ends without running anything', async () => {
    const h = t.ex.sandbox!.start(gated('echo ran > stopped-mark', 5000), true);
    h.stdin.end();
    await new Promise((r) => setTimeout(r, 200));
    h.stop();
    await h.done;
    assert.equal(existsSync(join(dir, 'stopped-mark')), false);
  });
});
