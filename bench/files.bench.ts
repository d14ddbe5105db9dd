// The engine's own memory against a build that makes about a million files: the resident memory
// of an engine (real HTTP, real sandbox) before, right after, and 5 s after such a build, against
// its own baseline measured in the same run (after a warm-up submission). The bound: reading a
// box costs the engine O(folder depth x 64 entries) (exec/files.ts boxSize streams each folder),
// and removing it runs `rm -rf` in its own process, so the growth stays a few MB however many
// files a build makes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '../src/engine/index.js';

const FILES = Number(process.env.BENCH_FILES ?? 1_000_000);
const WRITERS = 4; // RLIMIT_CPU is per process: four creators share the work
const C = 11;

const dataDir = await mkdtemp(join(tmpdir(), 'se-files-bench-'));
const engine = await startEngine({ port: 0, workers: 1, dataDir, log: () => {} });
const api = `${engine.url}/compilers/api/v4`;
const token = engine.accessToken;
const mb = () => process.memoryUsage().rss / 1048576;

async function submit(body: Record<string, unknown>): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${api}/submissions?access_token=${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const { id } = (await res.json()) as { id: number };
  for (;;) {
    const s = (await (await fetch(`${api}/submissions/${id}?access_token=${token}`)).json()) as {
      executing: boolean;
      result: { status: { code: number } };
    };
    if (!s.executing) return { status: s.result.status.code, ms: performance.now() - t0 };
    await new Promise((r) => setTimeout(r, 200));
  }
}

const settle = async () => {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 5000));
  return mb();
};

const hello = { compilerId: C, source: '#include <stdio.h>\nint main(){ puts("1"); }' };
await submit(hello);
await submit(hello);
const baseline = await settle();

const mk = `#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
int main(int argc, char **argv) {
  int from = atoi(argv[1]), to = atoi(argv[2]);
  char n[64];
  snprintf(n, sizeof n, "d%d", from);
  mkdir(n, 0755);
  for (int i = from; i < to; i++) {
    snprintf(n, sizeof n, "d%d/%d", from, i);
    int fd = open(n, O_CREAT | O_WRONLY, 0600);
    if (fd < 0) return 1;
    close(fd);
  }
  return 0;
}`;
const per = Math.ceil(FILES / WRITERS);
const runs = Array.from({ length: WRITERS }, (_, k) => `./mk ${k * per} ${(k + 1) * per} &`);
const build = [
  'gcc -O2 -o mk mk.c',
  ...runs,
  'wait',
  'ls d0 | head -1 >/dev/null',
  'gcc -o prog mk.c',
].join('\n');
const big = await submit({ compilerId: C, source: '', files: { 'mk.c': mk, build } });
const right = mb();
const after = await settle();
const again = await submit(hello);

const f = (x: number) => `${x.toFixed(0)} MB`;
process.stdout.write(
  [
    `files asked for: ${FILES} (${WRITERS} writers); the build ended with status ${big.status} in ${(big.ms / 1000).toFixed(1)} s`,
    `engine RSS baseline (after warm-up): ${f(baseline)}`,
    `right after the build: ${f(right)} (x${(right / baseline).toFixed(2)})`,
    `5 s later: ${f(after)} (x${(after / baseline).toFixed(2)})`,
    `a hello world afterwards: status ${again.status} in ${again.ms.toFixed(0)} ms`,
    '',
  ].join('\n'),
);
await engine.close();
await rm(dataDir, { recursive: true, force: true });
