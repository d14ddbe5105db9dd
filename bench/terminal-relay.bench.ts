// The terminal through the signing backend (issue 14's targets), each against a baseline of the
// same run:
// - keystroke-to-echo latency through the backend, beside the same keystrokes sent straight to the
//   engine's terminal WebSocket, and beside a plain WebSocket echo (no shell, no relay): the
//   backend's share is the difference of the first two (target under 1 ms at p50), the whole
//   under 10 ms on loopback;
// - open idle terminals: the shell chain's memory per terminal (target under 3 MB) and how many
//   this machine holds at once (target 100).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { startAll } from '../src/cli/serve.js';
import { parseConfig } from '../src/server/index.js';
import { signSession } from '../src/server/sessions.js';
import { decode, encode, FRAME } from '../src/shared/terminal.js';

const KEYS = Number(process.env.SE_BENCH_KEYS ?? 200);
const HELD = Number(process.env.SE_BENCH_TERMINALS ?? 100);
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
    containers: { slots: HELD + 5 },
  },
  log: () => {},
});

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

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
  const echo = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  echo.on('connection', (s) =>
    s.on('message', (d: Buffer) => {
      const f = decode(new Uint8Array(d));
      if (f.type === FRAME.INPUT) s.send(encode.output(0, f.data));
    }),
  );
  await new Promise((r) => echo.once('listening', r));
  const plain = new WebSocket(`ws://127.0.0.1:${(echo.address() as { port: number }).port}`);
  await new Promise((r) => plain.once('open', r));
  const plainTimes: number[] = [];
  for (let i = 0; i < KEYS; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise<void>((r) => {
      plain.once('message', () => r());
      plain.send(encode.input('k'));
    });
    plainTimes.push(ms(t0));
  }
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
  plain.close();
  echo.close();

  // idle terminals held at once: one per workspace (a subject each), then the shells' memory
  const pidsBefore = new Set(execFileSync('ps', ['-e', '-o', 'pid=']).toString().split(/\s+/));
  const open: WebSocket[] = [];
  let failedAt: string | null = null;
  for (let i = 0; i < HELD && !failedAt; i++) {
    try {
      const tok = (
        await signSession({
          secret: SECRET,
          widget: 'bench',
          sub: `idle-${i}`,
          actions: ['workspace'],
        })
      ).token;
      const r = await fetch(`${all.url}/v1/workspace/terminal`, {
        method: 'POST',
        headers: { ...headers, authorization: `Bearer ${tok}` },
        body: '{}',
      });
      if (r.status !== 201) throw new Error(`ticket: HTTP ${r.status} ${await r.text()}`);
      const tk = (await r.json()) as { ticket: string; path: string };
      const t = await terminal(
        all.url.replace(/^http/, 'ws') + tk.path,
        { ticket: tk.ticket },
        ORIGIN,
      );
      open.push(t.ws);
    } catch (err) {
      failedAt = `terminal ${i + 1}: ${(err as Error).message}`;
    }
  }
  await new Promise((r) => setTimeout(r, 1000));
  // memory of every process that started for the terminals (the shells' chains): PSS counts a
  // page shared by n processes as 1/n in each (libc, bash), RSS counts it whole in each
  let pssKb = 0;
  let rssKb = 0;
  let procs = 0;
  for (const line of execFileSync('ps', ['-e', '-o', 'pid=,rss=']).toString().split('\n')) {
    const [pid, rss] = line.trim().split(/\s+/);
    if (!pid || pidsBefore.has(pid)) continue;
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      pssKb += Number(m?.[1] ?? 0);
      rssKb += Number(rss) || 0;
      procs++;
    } catch {
      // gone, or not readable
    }
  }
  const n = Math.max(1, open.length);
  const per = pssKb / 1024 / n;
  lines.push(
    `idle terminals held at once            ${open.length} of ${HELD}${failedAt ? ` (stopped at ${failedAt})` : ''}; target 100: ${open.length >= 100 ? 'met' : 'NOT met'}`,
    `memory per idle terminal: ${per.toFixed(2)} MB PSS (${(rssKb / 1024 / n).toFixed(2)} MB RSS) in ${(procs / n).toFixed(1)} processes; target under 3 MB: ${per < 3 ? 'met' : 'NOT met'}`,
  );
  for (const w of open) w.close();
  process.stdout.write(lines.join('\n') + '\n');
} finally {
  await all.close();
  rmSync(engineDir, { recursive: true, force: true });
}
