// The embedded engine end to end: a Python hello world from POST to final status (p50, p95)
// beside a bare spawn of the same interpreter measured in the same run, and the sustained
// throughput of a burst. Targets on 2 cores: p50 at most 3x the bare spawn; 30 submissions/s.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '../src/engine/index.js';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 100);
const BURST = Number(process.env.BENCH_BURST ?? 300);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
const ms = (x: number) => `${x.toFixed(1)} ms`;

function bareSpawn(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/python3', ['-c', 'print(1)'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - t0));
  });
}

/** CPU ms of reaped child processes (sandboxes and what ran in them), from /proc/self/stat. */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // cutime and cstime are fields 16 and 17 of stat(5), in clock ticks (100 per second here)
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

const dataDir = await mkdtemp(join(tmpdir(), 'se-engine-bench-'));
const engine = await startEngine({ port: 0, dataDir, workers: WORKERS, log: () => {} });
if (!engine.selfTest.ok) {
  process.stdout.write(`sandbox self-test failed: ${engine.selfTest.problems.join('; ')}\n`);
}
const api = `${engine.url}/compilers/api/v4`;
const token = engine.accessToken;
const waiting = new Map<number, () => void>();
const done = new Set<number>();
engine.events.on('submission.finished', (e) => {
  done.add(e.id);
  waiting.get(e.id)?.();
});
const finished = (id: number) =>
  done.has(id) ? Promise.resolve() : new Promise<void>((r) => waiting.set(id, r));

async function post(i: number): Promise<number> {
  const res = await fetch(`${api}/submissions?access_token=${token}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ compilerId: 116, source: `print(${i})` }),
  });
  if (res.status !== 201) throw new Error(`POST: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: number }).id;
}

/** POST, then poll GET /submissions/:id on loopback until final. */
async function viaPolling(i: number): Promise<number> {
  const t0 = performance.now();
  const id = await post(i);
  for (;;) {
    const res = await fetch(`${api}/submissions/${id}?access_token=${token}`);
    const d = (await res.json()) as { executing: boolean; result: { status: { code: number } } };
    if (!d.executing) {
      if (d.result.status.code !== 15) throw new Error(`status ${d.result.status.code}`);
      return performance.now() - t0;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** POST, then wait for the in-process `submission.finished` event. */
async function viaEvent(i: number): Promise<number> {
  const t0 = performance.now();
  await finished(await post(i));
  return performance.now() - t0;
}

try {
  // warm-up: page cache, JIT, connections
  for (let i = 0; i < 10; i++) {
    await bareSpawn();
    await viaEvent(i);
  }
  const bare: number[] = [];
  const event: number[] = [];
  const poll: number[] = [];
  // interleaved, so machine noise hits all three alike
  for (let i = 0; i < SAMPLES; i++) {
    bare.push(await bareSpawn());
    event.push(await viaEvent(i));
    poll.push(await viaPolling(i));
  }
  const b50 = pct(bare, 50);
  process.stdout.write(
    `python hello world, ${SAMPLES} samples each (sequential):\n` +
      `  bare spawn('/usr/bin/python3')     p50 ${ms(b50)}  p95 ${ms(pct(bare, 95))}\n` +
      `  engine, POST -> finished event     p50 ${ms(pct(event, 50))}  p95 ${ms(pct(event, 95))}` +
      `  ratio p50 ${(pct(event, 50) / b50).toFixed(2)}x (target <= 3x)\n` +
      `  engine, POST -> polled GET         p50 ${ms(pct(poll, 50))}  p95 ${ms(pct(poll, 95))}` +
      `  ratio p50 ${(pct(poll, 50) / b50).toFixed(2)}x\n`,
  );

  // burst: everything posted at once, until the last one is final
  const cpu0 = process.cpuUsage();
  const children0 = childrenCpuMs();
  const t0 = performance.now();
  const ids = await Promise.all(Array.from({ length: BURST }, (_, i) => post(i)));
  const posted = performance.now() - t0;
  await Promise.all(ids.map(finished));
  const total = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const engineCpu = (cpu.user + cpu.system) / 1000 / BURST;
  const childCpu = (childrenCpuMs() - children0) / BURST;
  process.stdout.write(
    `burst of ${BURST} python submissions, ${WORKERS} workers: all posted in ${ms(posted)}, ` +
      `all final in ${total.toFixed(2)} s = ${(BURST / total).toFixed(1)} submissions/s ` +
      `(target >= 30/s)\n` +
      `  CPU per submission: engine process (HTTP, SQLite, queue, sandbox setup in Node) ` +
      `${ms(engineCpu)}, sandboxed processes ${ms(childCpu)}; ` +
      `CPU-bound ceiling on ${availableParallelism()} cores ` +
      `${((availableParallelism() * 1000) / (engineCpu + childCpu)).toFixed(0)}/s\n`,
  );
} finally {
  await engine.close();
  await rm(dataDir, { recursive: true, force: true });
}
