// The sandbox's own cost: `python3 -c 'print(1)'` spawned bare from Node, beside the same program
// run through the executor (cgroups, launcher, bwrap, se-init, seccomp), and a C hello world the
// same way. Medians and p95 of N runs each, interleaved so that machine noise hits both alike.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExecutor, type Program } from '../src/engine/exec/index.js';

const N = Number(process.env.BENCH_SAMPLES ?? 200);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}
const ms = (x: number) => `${x.toFixed(1)} ms`;

function bare(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - t0));
  });
}

const workDir = await mkdtemp(join(tmpdir(), 'se-sandbox-bench-'));
const ex = await createExecutor({ workDir, workers: 1, log: () => {} });
if (!ex.selfTest.ok) {
  process.stdout.write(`sandbox self-test failed: ${ex.selfTest.problems.join('; ')}\n`);
  process.exit(1);
}

async function prepare(languageId: number, source: string): Promise<Program> {
  const c = await ex.compile({ languageId, versionId: 1, source }, 0);
  if (!c.ok) throw new Error(`compile failed: ${c.cmpinfo}`);
  return c.program;
}

async function sandboxed(program: Program): Promise<number> {
  const t0 = performance.now();
  const o = await ex.run(program, { stdin: '', limits: { timeSec: 5, memoryKb: 262144 }, slot: 0 });
  if (o.status !== 0) throw new Error(`run failed with status ${o.status}`);
  return performance.now() - t0;
}

const py = await prepare(116, 'print(1)');
const c = await prepare(11, '#include <stdio.h>\nint main(){ puts("1"); }');
const series: Record<string, number[]> = { bare_py: [], box_py: [], bare_c: [], box_c: [] };
// warm-up
for (let i = 0; i < 10; i++) {
  await bare('/usr/bin/python3', ['-c', 'print(1)']);
  await sandboxed(py);
}
for (let i = 0; i < N; i++) {
  series.bare_py.push(await bare('/usr/bin/python3', ['-c', 'print(1)']));
  series.box_py.push(await sandboxed(py));
  series.bare_c.push(await bare('/bin/true', []));
  series.box_c.push(await sandboxed(c));
}
await py.dispose();
await c.dispose();
await ex.close();
await rm(workDir, { recursive: true, force: true });

const line = (label: string, xs: number[]) =>
  `${label.padEnd(44)} p50 ${ms(pct(xs, 50)).padStart(9)}  p95 ${ms(pct(xs, 95)).padStart(9)}`;
process.stdout.write(`${N} runs each\n`);
process.stdout.write(`${line("bare spawn python3 -c 'print(1)'", series.bare_py)}\n`);
process.stdout.write(`${line('sandboxed run of print(1) (Python 3)', series.box_py)}\n`);
process.stdout.write(`${line('bare spawn /bin/true', series.bare_c)}\n`);
process.stdout.write(`${line('sandboxed run of a C hello world', series.box_c)}\n`);
const ratio = pct(series.box_py, 50) / pct(series.bare_py, 50);
process.stdout.write(
  `python: sandboxed / bare = ${ratio.toFixed(2)}x (+${ms(pct(series.box_py, 50) - pct(series.bare_py, 50))} per run)\n`,
);
process.stdout.write(
  `sandbox fixed cost (C hello vs /bin/true): +${ms(pct(series.box_c, 50) - pct(series.bare_c, 50))}\n`,
);
