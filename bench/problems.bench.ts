// Judging overhead per test case: a Problems submission of N test cases beside bare sandboxed
// runs of the same compiled program with the same inputs, measured in the same run. The marginal
// cost of one more test case, (T(N) - T(1)) / (N - 1), is compared with one bare run; the same
// with a custom (Python) test-case judge, which adds a second sandboxed run per test case.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '../src/engine/index.js';
import { createExecutor } from '../src/engine/exec/index.js';

const N = Number(process.env.BENCH_TESTS ?? 40);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CPP = 1;
const PYTHON = 116;
const PROGRAM = `#include <cstdio>
int main() { long long a, b; if (scanf("%lld %lld", &a, &b) == 2) printf("%lld\\n", a + b); }`;
const CHECKER = `import os, sys
a, b = map(int, sys.stdin.read().split())
sys.exit(0 if os.fdopen(3).read().split() == [str(a + b)] else 1)`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const inputs = Array.from({ length: N }, (_, i) => [`${i} ${i * 7}\n`, `${i * 8}\n`] as const);

const dir = await mkdtemp(join(tmpdir(), 'se-problems-bench-'));

// Baseline: the execution core alone, compile once, N bare runs.
const executor = await createExecutor({ workDir: tmpdir(), workers: 1, log: () => {} });
if (!executor.selfTest.ok) {
  process.stdout.write(`sandbox self-test failed: ${executor.selfTest.problems.join('; ')}\n`);
}
const compiled = await executor.compile({ languageId: CPP, versionId: 1, source: PROGRAM }, 0);
if (!compiled.ok) throw new Error(`compile failed: ${compiled.cmpinfo}`);
const program = compiled.program;
const bare: number[] = [];
/** N bare runs of the compiled program, one per test input. */
async function bareRound(): Promise<void> {
  for (const [input] of inputs) {
    const t0 = performance.now();
    const o = await executor.run(program, {
      stdin: input,
      limits: { timeSec: 1, memoryKb: 256 * 1024 },
      slot: 0,
    });
    bare.push(performance.now() - t0);
    if (o.status !== 0) throw new Error(`bare run: status ${o.status}`);
  }
}

// Judged: the engine, one worker, problems of 1 and N test cases.
const engine = await startEngine({ port: 0, dataDir: dir, workers: 1, log: () => {} });
const api = `${engine.url}/problems/api/v4`;
const q = `?access_token=${engine.accessToken}`;
const done = new Map<number, () => void>();
engine.events.on('submission.finished', (e) => {
  if (e.module === 'problems') done.get(e.id)?.();
});
async function post(path: string, body: unknown): Promise<Record<string, number>> {
  const res = await fetch(`${api}${path}${q}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, number>;
}
async function problem(count: number, judgeId: number): Promise<number> {
  const { id } = await post('/problems', { name: `bench ${count}`, masterjudgeId: 1000 });
  for (const [input, output] of inputs.slice(0, count)) {
    await post(`/problems/${id}/testcases`, { input, output, judgeId });
  }
  return id!;
}
async function judge(problemId: number): Promise<number> {
  const t0 = performance.now();
  const { id } = await post('/submissions', { problemId, compilerId: CPP, source: PROGRAM });
  await new Promise<void>((r) => done.set(id!, r));
  const res = await fetch(`${api}/submissions/${id}${q}`);
  const s = (await res.json()) as { result: { status: { code: number } } };
  if (s.result.status.code !== 15) throw new Error(`submission ${id}: ${JSON.stringify(s)}`);
  return performance.now() - t0;
}

const custom = (await post('/judges', { source: CHECKER, compilerId: PYTHON })).id!;
const rows: Array<[string, number, number]> = [];
for (const [label, judgeId] of [
  ['built-in judge 1', 1],
  ['custom Python judge', custom],
] as const) {
  const one = await problem(1, judgeId);
  const many = await problem(N, judgeId);
  await judge(one); // warm: the custom judge compiles once
  const t1: number[] = [];
  const tn: number[] = [];
  bare.length = 0;
  // Rounds interleave bare runs and judged submissions, so both see the same machine load.
  for (let r = 0; r < ROUNDS; r++) {
    await bareRound();
    t1.push(await judge(one));
    tn.push(await judge(many));
  }
  const perTest = (median(tn) - median(t1)) / (N - 1);
  process.stdout.write(
    `${label}: submission of 1 test ${ms(median(t1))} (compile included), of ${N} tests ` +
      `${ms(median(tn))}; per extra test case ${ms(perTest)}\n`,
  );
  const bareRun = median(bare);
  process.stdout.write(
    `  bare sandboxed run of the same program, same rounds: ${ms(bareRun)} (median of ${bare.length})\n`,
  );
  rows.push([label, perTest, bareRun]);
}
for (const [label, perTest, bareRun] of rows) {
  process.stdout.write(
    `ratio, ${label}: ${(perTest / bareRun).toFixed(2)}x a bare run ` +
      `(overhead ${ms(perTest - bareRun)} per test case)\n`,
  );
}
await program.dispose();
await executor.close();
await engine.close();
await rm(dir, { recursive: true, force: true });
