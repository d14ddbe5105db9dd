// The compile stage's time limit: 10 s of CPU by default, set by the operator for a slow machine
// (SE_ENGINE_COMPILE_TIME, or `compileTimeSec`), and a bad value refused at start with its name.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  COMPILE_LIMITS,
  createExecutor,
  type EngineExecutor,
} from '../../../src/engine/exec/index.js';
import { BASH } from './helpers.js';

const made: { dir: string; ex?: EngineExecutor }[] = [];
after(async () => {
  for (const m of made) {
    await m.ex?.close();
    await rm(m.dir, { recursive: true, force: true });
  }
});

async function executor(compileTimeSec?: number): Promise<EngineExecutor> {
  const m: { dir: string; ex?: EngineExecutor } = {
    dir: await mkdtemp(join(tmpdir(), 'se-compile-time-')),
  };
  made.push(m);
  m.ex = await createExecutor({ workDir: m.dir, workers: 1, log: () => {}, compileTimeSec });
  return m.ex;
}

/** A build script that spins: it stops at the compile limit. */
const SPIN = {
  files: { build: 'while :; do :; done', 'prog.sh': 'echo hi' },
  languageId: BASH,
  versionId: 1,
};

describe('compile time limit', () => {
  it('stops a build at the operator limit, and names it', async () => {
    const ex = await executor(1);
    assert.ok(ex.selfTest.ok, ex.selfTest.problems.join('; '));
    const t0 = Date.now();
    const r = await ex.compile(SPIN, 0);
    assert.equal(r.ok, false);
    assert.equal(r.ok ? 0 : r.status, 11);
    assert.match(r.cmpinfo, /\[compilation stopped: over 1 s\]/);
    assert.ok(Date.now() - t0 < COMPILE_LIMITS.cpuSec * 1000, 'well before the default limit');
  });

  it('defaults to COMPILE_LIMITS and reads SE_ENGINE_COMPILE_TIME', async () => {
    assert.equal(COMPILE_LIMITS.cpuSec, 10);
    process.env.SE_ENGINE_COMPILE_TIME = '2';
    try {
      const ex = await executor();
      const r = await ex.compile(SPIN, 0);
      assert.match(r.cmpinfo, /\[compilation stopped: over 2 s\]/);
    } finally {
      delete process.env.SE_ENGINE_COMPILE_TIME;
    }
  });

  it('refuses a value that is not a whole number of seconds in 1..600, naming the variable', async () => {
    for (const bad of ['0', '1.5', 'ten', '601']) {
      process.env.SE_ENGINE_COMPILE_TIME = bad;
      try {
        await assert.rejects(
          executor(),
          new RegExp(`SE_ENGINE_COMPILE_TIME=${bad.replace('.', '\\.')}`),
        );
      } finally {
        delete process.env.SE_ENGINE_COMPILE_TIME;
      }
    }
    await assert.rejects(executor(0), /1\.\.600/);
  });
});
