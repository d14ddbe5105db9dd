// What a learner waits for: a judged submission of 8 test cases that each run out of their 1 s
// time limit, wall time from POST to the final status. Baseline: the same engine code with one
// worker, where the test cases run one after another (as every submission did before they ran in
// parallel); then an engine with W workers (default: the number of cores; BENCH_WORKERS), where
// the test cases run on every free worker. Target: at most ceil(8 / W) x 1 s + 0.5 s.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '../src/engine/index.js';

const TESTS = 8;
const LIMIT_SEC = 1;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WORKERS = Number(process.env.BENCH_WORKERS ?? availableParallelism());
const PYTHON = 116;
const SPIN = 'while True:\n    pass\n';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Median wall time of ROUNDS judged submissions on an engine with `workers` workers. */
async function measure(workers: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'se-judging-bench-'));
  const engine = await startEngine({ port: 0, dataDir: dir, workers, log: () => {} });
  try {
    if (!engine.selfTest.ok) {
      throw new Error(`sandbox self-test failed: ${engine.selfTest.problems.join('; ')}`);
    }
    const api = `${engine.url}/problems/api/v4`;
    const q = `?access_token=${engine.accessToken}`;
    const post = async (path: string, body: unknown): Promise<{ id: number }> => {
      const res = await fetch(`${api}${path}${q}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: number };
    };
    const { id: problemId } = await post('/problems', { name: 'spin', masterjudgeId: 1000 });
    for (let i = 0; i < TESTS; i++) {
      await post(`/problems/${problemId}/testcases`, {
        input: '',
        output: '',
        judgeId: 1,
        timeLimit: LIMIT_SEC,
      });
    }
    const done = new Map<number, () => void>();
    engine.events.on('submission.finished', (e) => {
      if (e.module === 'problems') done.get(e.id)?.();
    });
    const times: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      const { id } = await post('/submissions', { problemId, compilerId: PYTHON, source: SPIN });
      await new Promise<void>((resolve) => done.set(id, resolve));
      times.push(performance.now() - t0);
      const s = (await (await fetch(`${api}/submissions/${id}${q}`)).json()) as {
        result: { status: { code: number }; testcases: unknown[] };
      };
      if (s.result.status.code !== 13 || s.result.testcases.length !== TESTS) {
        throw new Error(`submission ${id}: expected 8 time limits, got ${JSON.stringify(s)}`);
      }
    }
    return median(times);
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const sequential = await measure(1);
process.stdout.write(
  `baseline, 1 worker (test cases one after another): ${sec(sequential)} (median of ${ROUNDS})\n`,
);
const parallel = await measure(WORKERS);
const target = Math.ceil(TESTS / WORKERS) * LIMIT_SEC * 1000 + 500;
process.stdout.write(
  `parallel, ${WORKERS} workers: ${sec(parallel)} (median of ${ROUNDS}); ` +
    `target ceil(${TESTS}/${WORKERS}) x ${LIMIT_SEC} s + 0.5 s = ${sec(target)}: ` +
    `${parallel <= target ? 'met' : 'NOT met'}\n`,
);
const rounds = Math.ceil(TESTS / WORKERS);
process.stdout.write(
  `ratio: ${(parallel / sequential).toFixed(2)}x the baseline ` +
    `(${(sequential / parallel).toFixed(2)}x faster; ideal ${(TESTS / rounds).toFixed(2)}x)\n` +
    `  one test case took ${sec(sequential / TESTS)} of wall time in the baseline (1 s of CPU ` +
    `plus the sandbox's start and stop); ${rounds} such rounds would be ` +
    `${sec((rounds * sequential) / TESTS)}. On a machine busier than its cores (load ` +
    `${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores now), programs that spin ` +
    'share the cores and each second of CPU takes longer.\n',
);
