// Prints the engine's sandbox self-test as one JSON line (run with tsx by scripts/vm/run-tests.mjs
// in the cgroup v2 VM); exits 1 when it fails.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExecutor } from '../../src/engine/exec/index.js';

const workDir = await mkdtemp(join(tmpdir(), 'se-vm-selftest-'));
const log: string[] = [];
const ex = await createExecutor({ workDir, workers: 2, log: (line) => log.push(line) });
const result = {
  ok: ex.selfTest.ok,
  problems: ex.selfTest.problems,
  unsandboxed: ex.unsandboxed,
  languages: [...ex.languages().values()].map((l) => l.name),
  log,
};
await ex.close();
await rm(workDir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exitCode = result.ok ? 0 : 1;
