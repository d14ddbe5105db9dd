// Shared by the sandbox tests: a real executor (real bwrap, cgroups, seccomp) in a temp folder.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createExecutor,
  type EngineExecutor,
  type Limits,
  type RunOptions,
  type StageOutcome,
} from '../../../src/engine/exec/index.js';

export { BASH, C, CPP, NODEJS as NODE, PERL, PYTHON as PY } from '../helpers.js';
export const JAVA = 10;

export const LIMITS: Limits = { timeSec: 2, memoryKb: 256 * 1024 };

export interface TestExecutor {
  ex: EngineExecutor;
  logs: string[];
  close(): Promise<void>;
}

export async function startExecutor(workers = 2): Promise<TestExecutor> {
  const workDir = await mkdtemp(join(tmpdir(), 'se-sandbox-test-'));
  const logs: string[] = [];
  const ex = await createExecutor({ workDir, workers, log: (l) => logs.push(l) });
  return {
    ex,
    logs,
    async close() {
      await ex.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

export interface RunResult extends StageOutcome {
  out: string;
  err: string;
}

/** Compiles and runs once; a failed compile comes back as its outcome with the status. */
export async function compileRun(
  ex: EngineExecutor,
  languageId: number,
  source: string | Record<string, string>,
  run: Partial<RunOptions> = {},
  slot = 0,
): Promise<RunResult & { cmpinfo: string }> {
  const lang = ex.languages().get(languageId);
  assert.ok(lang, `language ${languageId} is detected`);
  const c = await ex.compile(
    typeof source === 'string'
      ? { languageId, versionId: lang.defaultVersionId, source }
      : { languageId, versionId: lang.defaultVersionId, files: source },
    slot,
  );
  if (!c.ok) {
    return {
      ...c.outcome,
      status: c.status,
      out: c.outcome.stdout.toString('utf8'),
      err: c.outcome.stderr.toString('utf8'),
      cmpinfo: c.cmpinfo,
    };
  }
  try {
    const o = await ex.run(c.program, {
      stdin: '',
      limits: LIMITS,
      slot: (slot + 1) % 2,
      ...run,
    });
    return {
      ...o,
      out: o.stdout.toString('utf8'),
      err: o.stderr.toString('utf8'),
      cmpinfo: c.cmpinfo,
    };
  } finally {
    await c.program.dispose();
  }
}

/** Host pids whose command line contains `marker` (e.g. a fork bomb's name). */
export function pidsWithMarker(marker: string): number[] {
  const found: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8');
      const comm = readFileSync(`/proc/${e}/comm`, 'utf8');
      if (cmd.includes(marker) || comm.includes(marker)) found.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/**
 * The cgroup mode the tests expect: SE_ENGINE_CGROUPS when it forces one (v2 stands for both v2
 * arrangements), else whatever `auto` finds.
 */
export function expectedCgroups(): string | undefined {
  const m = process.env.SE_ENGINE_CGROUPS;
  if (m === 'v1' || m === 'none') return m;
  if (m === 'v2') return process.getuid?.() === 0 ? 'v2' : 'v2-delegated';
  return undefined;
}

/** True when this run's limits come from rlimits only (SE_ENGINE_CGROUPS=none or no cgroup). */
export function rlimitsOnly(ex: EngineExecutor): boolean {
  return ex.selfTest.limits?.cgroups === 'none';
}
