// The relay's added latency: the same finished runs read through the backend (GET /v1/runs/:id:
// session check, scope, upstream call, mapping) and straight from the embedded engine (GET
// /submissions/:id with the access token), interleaved in one run so both see the same machine.
//
// Two cases:
//   cold: the backend's first read of each run (it reads the submission and its streams
//         upstream); the baseline reads the same from the engine (submission, then its streams).
//   warm: later reads (final results are cached by the backend); baseline: GET /submissions/:id.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startAll } from '../src/cli/serve.js';
import { IdSealer } from '../src/server/ids.js';
import { parseSessionSecret } from '../src/server/sessions.js';

const RUNS = 120;
const WARM_ROUNDS = 3;
const SECRET = 'bench-session-secret-0123456789abcdef';
const ENGINE_TOKEN = 'bench-engine-token-0123456789';

const dataDir = await mkdtemp(join(tmpdir(), 'se-bench-'));
const all = await startAll({
  sessionSecret: SECRET,
  engine: { dataDir, accessToken: ENGINE_TOKEN },
  accessLog: false,
  log: () => undefined,
});
const engineApi = `${all.engineUrl}/compilers/api/v4`;
const sealer = new IdSealer(parseSessionSecret(SECRET));

async function json(url: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(url, init);
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body;
}

try {
  const session = (await json(`${all.url}/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ widget: 'run-demo' }),
  })) as { token: string };
  const auth = { authorization: `Bearer ${session.token}` };

  // The runs are made on the engine directly (the widget's rate limits would slow the set-up);
  // each gets the id the backend would have sealed for this session's subject.
  const { sub } = JSON.parse(Buffer.from(session.token.split('.')[1]!, 'base64url').toString()) as {
    sub: string;
  };
  const ids: string[] = [];
  while (ids.length < RUNS) {
    const created = (await json(`${engineApi}/submissions?access_token=${ENGINE_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ compilerId: 116, source: 'print("hello " * 20)', input: '' }),
    })) as { id: number };
    ids.push(sealer.seal({ kind: 'run', upstreamId: created.id, widget: 'run-demo', sub }));
  }
  const upstreamIds = ids.map((id) => sealer.open(id, 'run')!.upstreamId);
  for (;;) {
    const { items } = (await json(
      `${engineApi}/submissions?ids=${upstreamIds.slice(-20).join(',')}&access_token=${ENGINE_TOKEN}`,
    )) as { items: Array<{ executing: boolean }> };
    if (items.every((i) => !i.executing)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  // Warm up both paths on one run that is not measured.
  for (let i = 0; i < 50; i++) {
    await json(`${engineApi}/submissions/${upstreamIds[0]}?access_token=${ENGINE_TOKEN}`);
    await json(`${all.url}/v1/runs/${ids[0]}`, { headers: auth });
  }

  const time = async (f: () => Promise<unknown>) => {
    const t0 = performance.now();
    await f();
    return performance.now() - t0;
  };
  const directFull = async (id: number) => {
    const s = (await json(`${engineApi}/submissions/${id}?access_token=${ENGINE_TOKEN}`)) as {
      result: { streams: Record<string, unknown> };
    };
    await Promise.all(
      (['output', 'error', 'cmpinfo'] as const)
        .filter((n) => s.result.streams[n])
        .map((n) =>
          fetch(`${engineApi}/submissions/${id}/${n}?access_token=${ENGINE_TOKEN}`).then((r) =>
            r.text(),
          ),
        ),
    );
  };

  const cold = { direct: [] as number[], relay: [] as number[] };
  const warm = { direct: [] as number[], relay: [] as number[] };
  for (let i = 1; i < RUNS; i++) {
    cold.direct.push(await time(() => directFull(upstreamIds[i]!)));
    cold.relay.push(await time(() => json(`${all.url}/v1/runs/${ids[i]}`, { headers: auth })));
  }
  for (let round = 0; round < WARM_ROUNDS; round++) {
    for (let i = 1; i < RUNS; i++) {
      warm.direct.push(
        await time(() =>
          json(`${engineApi}/submissions/${upstreamIds[i]}?access_token=${ENGINE_TOKEN}`),
        ),
      );
      warm.relay.push(await time(() => json(`${all.url}/v1/runs/${ids[i]}`, { headers: auth })));
    }
  }

  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
  };
  const report = (name: string, c: { direct: number[]; relay: number[] }) => {
    const d50 = pct(c.direct, 50);
    const r50 = pct(c.relay, 50);
    const d99 = pct(c.direct, 99);
    const r99 = pct(c.relay, 99);
    process.stdout.write(
      `${name} (${c.relay.length} reads): engine p50 ${d50.toFixed(2)} ms, p99 ${d99.toFixed(2)} ms; ` +
        `relay p50 ${r50.toFixed(2)} ms, p99 ${r99.toFixed(2)} ms; ` +
        `added p50 ${(r50 - d50).toFixed(2)} ms, p99 ${(r99 - d99).toFixed(2)} ms; ratio p50 ${(r50 / d50).toFixed(2)}\n`,
    );
  };
  report('cold (first read: submission + streams)', cold);
  report('warm (final result cached)', warm);
  process.stdout.write('target: at most 2 ms added at p50\n');
} finally {
  await all.close();
  await rm(dataDir, { recursive: true, force: true });
}
