// Stop reasons (an extension of the spec): each final result says which limit stopped the
// program, machine-readable, in the Compilers and Problems results, over real HTTP and the real
// sandbox; a program that ended on its own has none.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LIMITS } from '../../src/engine/limits.js';
import { PYTHON, startTestEngine, type TestEngine } from './helpers.js';
import { startProblemsEngine, type ProblemsEngine } from './problems/helpers.js';

let c: TestEngine;
let p: ProblemsEngine;
before(async () => {
  c = await startTestEngine();
  p = await startProblemsEngine();
});
after(async () => {
  await c?.close();
  await p?.close();
});

async function reasonOf(fields: Record<string, unknown>) {
  const s = await c.final(await c.submit({ compilerId: PYTHON, ...fields }), 60_000);
  return { status: s.result.status.code, reason: s.result.reason };
}

describe('stop reasons', () => {
  it('says the output cap stopped an output flood, keeping status 12', async () => {
    const r = await reasonOf({ source: 'import sys\nwhile True: sys.stdout.write("x" * 65536)' });
    assert.deepEqual(r, { status: 12, reason: { kind: 'output_cap', limit: LIMITS.outputBytes } });
  });

  it('tells the CPU limit from the wall timer (both 13)', async () => {
    const cpu = await reasonOf({ source: 'while True: pass', timeLimit: 1 });
    assert.deepEqual(cpu, { status: 13, reason: { kind: 'cpu_time', limit: 1 } });
    const wall = await reasonOf({ source: 'import time\ntime.sleep(60)', timeLimit: 1 });
    assert.deepEqual(wall, { status: 13, reason: { kind: 'wall_time', limit: 2 } });
  });

  it('says the memory limit stopped a memory hog (17)', async () => {
    const r = await reasonOf({
      source: 'x = bytearray(200 << 20)\nprint(len(x))',
      memoryLimit: 65536,
    });
    assert.deepEqual(r, { status: 17, reason: { kind: 'memory', limit: 65536 } });
  });

  it('gives no reason to a program that ended on its own', async () => {
    const s = await c.final(await c.submit({ compilerId: PYTHON, source: 'print(1)' }));
    assert.equal(s.result.status.code, 15);
    assert.equal('reason' in s.result, false);
    const failed = await c.final(
      await c.submit({ compilerId: PYTHON, source: 'raise SystemExit(3)' }),
    );
    assert.equal(failed.result.status.code, 12);
    assert.equal('reason' in failed.result, false);
  });

  it('gives the reason per test case and for the submission in the Problems module', async () => {
    const id = await p.problem({}, [
      ['1', '1\n', {}],
      ['loop', '', { timeLimit: 1 }],
    ]);
    const s = await p.judgeRun({
      problemId: id,
      compilerId: PYTHON,
      source:
        'import sys\nx = sys.stdin.read().strip()\nif x == "loop":\n    while True: pass\nprint(x)',
    });
    assert.equal(s.result.status.code, 13);
    assert.deepEqual(s.result.reason, { kind: 'cpu_time', limit: 1 });
    assert.equal('reason' in s.result.testcases[0], false);
    assert.deepEqual(s.result.testcases[1].reason, { kind: 'cpu_time', limit: 1 });
  });
});
