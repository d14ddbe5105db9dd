// The terminal through the signing backend (issue 14's targets), each against a baseline of the
// same run:
// - keystroke-to-echo latency through the backend, beside the same keystrokes sent straight to the
//   engine's terminal WebSocket, and beside a plain WebSocket echo (no shell, no relay): the
//   backend's share is the difference of the first two (target under 1 ms at p50), the whole
//   under 10 ms on loopback;
// (bench/terminal.bench.ts measures the engine's side: idle terminals' memory, 100 held at once.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startAll } from '../src/cli/serve.js';
import { parseConfig } from '../src/server/index.js';
import { signSession } from '../src/server/sessions.js';
import { decode, encode, FRAME } from '../src/shared/terminal.js';
import { ms, percentile, plainEcho } from './containers-engine.js';

const KEYS = Number(process.env.SE_BENCH_KEYS ?? 200);
const SECRET = 'terminal-bench-session-secret-0123456789abcdef';
const ORIGIN = 'http://lms.bench';
const ENGINE_TOKEN = 'terminal-bench-engine-token';

const engineDir = mkdtempSync(join(tmpdir(), 'se-term-bench-'));
const all = await startAll({
  config: parseConfig({
    widgets: [
      {
        id: 'bench',
        mode: 'workspace',
        origins: [ORIGIN],
        workspace: { project: 'PYTHON-UNITTEST', terminal: true, terminals: 3 },
      },
    ],
  }),
  sessionSecret: SECRET,
  engine: {
    dataDir: engineDir,
    workers: 2,
    accessToken: ENGINE_TOKEN,
  },
  log: () => {},
});

const pct = percentile;

/** A connected terminal: `key(c)` resolves when the echo of `c` comes back. */
async function terminal(url: string, hello: Parameters<typeof encode.hello>[0], origin?: string) {
  const ws = new WebSocket(url, origin ? { origin } : {});
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  let seen = '';
  let waiter: (() => void) | null = null;
  let ready: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  ws.on('message', (data: Buffer) => {
    const f = decode(new Uint8Array(data));
    if (f.type === FRAME.READY) ready();
    if (f.type === FRAME.OUTPUT) {
      seen += Buffer.from(f.data).toString('latin1');
      ws.send(encode.ack(f.offset + f.data.length));
      waiter?.();
    }
  });
  ws.send(encode.hello(hello));
  await isReady;
  const until = async (text: string) => {
    while (!seen.includes(text)) await new Promise<void>((r) => (waiter = r));
    seen = '';
  };
  await until('$ ');
  return {
    ws,
    async key(c: string): Promise<number> {
      const t0 = process.hrtime.bigint();
      ws.send(encode.input(c));
      await until(c);
      return ms(t0);
    },
    clear: () => ws.send(encode.input('\x15')),
  };
}

async function keystrokes(t: Awaited<ReturnType<typeof terminal>>): Promise<number[]> {
  const times: number[] = [];
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (let i = 0; i < KEYS; i++) {
    times.push(await t.key(letters[i % 26]!));
    if (i % 26 === 25) t.clear();
  }
  t.clear();
  return times;
}

try {
  const token = (
    await signSession({ secret: SECRET, widget: 'bench', sub: 'b1', actions: ['workspace'] })
  ).token;
  const headers = {
    origin: ORIGIN,
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
  };
  const ticket = async (terminal: string) =>
    (await (
      await fetch(`${all.url}/v1/workspace/terminal`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ terminal }),
      })
    ).json()) as { ticket: string; path: string };

  // through the backend (terminal 1) and straight to the engine (terminal 2 of the same workspace)
  const t1 = await ticket('1');
  const viaBackend = await terminal(
    all.url.replace(/^http/, 'ws') + t1.path,
    { ticket: t1.ticket },
    ORIGIN,
  );
  const id = (
    (await (
      await fetch(`${all.engineUrl}/containers/api/v1/workspaces?access_token=${ENGINE_TOKEN}`)
    ).json()) as { items: Array<{ id: string }> }
  ).items[0]!.id;
  const direct = await terminal(
    `${all.engineUrl!.replace(/^http/, 'ws')}/containers/api/v1/workspaces/${id}/terminals/2`,
    { token: ENGINE_TOKEN },
  );
  // a plain WebSocket echo on loopback: what any WebSocket costs here
  const plainTimes = await plainEcho(KEYS);
  // warm both, then alternate rounds so neither gets the quieter moment
  await keystrokes(viaBackend);
  await keystrokes(direct);
  const b: number[] = [];
  const d: number[] = [];
  for (let round = 0; round < 3; round++) {
    b.push(...(await keystrokes(viaBackend)));
    d.push(...(await keystrokes(direct)));
  }
  const added = pct(b, 50) - pct(d, 50);
  const lines = [
    `keystroke to echo, ${b.length} keys each   p50      p95`,
    `plain WebSocket echo (no shell)      ${pct(plainTimes, 50).toFixed(2).padStart(6)} ms ${pct(plainTimes, 95).toFixed(2).padStart(6)} ms`,
    `straight to the engine's terminal    ${pct(d, 50).toFixed(2).padStart(6)} ms ${pct(d, 95).toFixed(2).padStart(6)} ms`,
    `through the backend                  ${pct(b, 50).toFixed(2).padStart(6)} ms ${pct(b, 95).toFixed(2).padStart(6)} ms`,
    `added by the backend at p50: ${added.toFixed(2)} ms (x${(pct(b, 50) / pct(d, 50)).toFixed(2)} of direct); target under 1 ms: ${added < 1 ? 'met' : 'NOT met'}`,
    `end to end at p50 ${pct(b, 50).toFixed(2)} ms; target under 10 ms on loopback: ${pct(b, 50) < 10 ? 'met' : 'NOT met'}`,
  ];
  viaBackend.ws.close();
  direct.ws.close();

  process.stdout.write(lines.join('\n') + '\n');
} finally {
  await all.close();
  rmSync(engineDir, { recursive: true, force: true });
}
