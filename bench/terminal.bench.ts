// Workspace terminals on this machine (issue 14's engine targets), against a baseline measured in
// the same run:
// - keystroke-to-echo over the engine's WebSocket (a key in, its echo out of bash on the pty in
//   the sandbox), p50/p95, keys 25 ms apart, beside a bare WebSocket echo in this process (target
//   under 10 ms);
// - memory of an idle terminal: the RSS and PSS of its processes (bwrap, se-init, se-pty, bash)
//   (target under 3 MB);
// - terminals held open at once (SE_BENCH_TERMINALS, default 100), each answering a command.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { WebSocket } from 'ws';
import { fixtureEngine, ms, percentile, plainEcho } from './containers-engine.js';
import { decode, encode, FRAME } from '../src/shared/terminal.js';

const HELD = Number(process.env.SE_BENCH_TERMINALS ?? 100);
const PER_WORKSPACE = 8;
const KEYS = 300;

const workspacesNeeded = Math.ceil(HELD / PER_WORKSPACE) + 1;
const { engine, dataDir, call } = await fixtureEngine('se-terminal-bench-', workspacesNeeded + 2);
const pct = (xs: number[], p: number) => percentile(xs, p * 100);

/** A terminal connection: output as text, a wait for a pattern. */
class Term {
  readonly ws: WebSocket;
  text = '';
  private waiters: Array<() => void> = [];
  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data: Buffer) => {
      const f = decode(new Uint8Array(data));
      if (f.type === FRAME.OUTPUT) {
        this.text += Buffer.from(f.data).toString('latin1');
        this.ws.send(encode.ack(f.offset + f.data.length));
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }
  async open(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.send(encode.hello({ token: engine.accessToken }));
    return this;
  }
  async until(re: RegExp, since = 0, timeoutMs = 30_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!re.test(this.text.slice(since))) {
      if (Date.now() > end)
        throw new Error(`timed out waiting for ${re}: ${this.text.slice(-200)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }
}

const termUrl = (ws: string, name: string) =>
  `${engine.url.replace(/^http/, 'ws')}/containers/api/v1/workspaces/${ws}/terminals/${name}`;

/** PSS and RSS (KiB) summed over the processes of `uid`, and their count. */
function memoryOf(uid: number): { rssKb: number; pssKb: number; n: number; names: string[] } {
  const names: string[] = [];
  let rssKb = 0;
  let pssKb = 0;
  let n = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) !== uid) continue;
      const roll = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rssKb += Number(/^Rss:\s+(\d+)/m.exec(roll)?.[1] ?? 0);
      pssKb += Number(/^Pss:\s+(\d+)/m.exec(roll)?.[1] ?? 0);
      n++;
      names.push(
        `${/^Name:\s+(\S+)/m.exec(status)?.[1]} ${(Number(/^Pss:\s+(\d+)/m.exec(roll)?.[1] ?? 0) / 1024).toFixed(2)}`,
      );
    } catch {
      // gone meanwhile
    }
  }
  return { rssKb, pssKb, n, names };
}

try {
  const project = (await call('GET', '/projects')).items.find(
    (p: { name: string }) => p.name === 'FIXTURE',
  ).id;
  const workspaces: string[] = [];
  for (let i = 0; i < workspacesNeeded; i++)
    workspaces.push((await call('POST', '/workspaces', { project_id: project })).workspace.id);
  for (const w of workspaces)
    while ((await call('GET', `/workspaces/${w}`)).state.code === 1)
      await new Promise((r) => setTimeout(r, 5));

  // keystroke to echo: one key at a time, each waiting for its echo
  const first = workspaces[0]!;
  const t0 = process.hrtime.bigint();
  const term = await new Term(termUrl(first, 'latency')).open();
  await term.until(/\$ $/);
  const firstPrompt = ms(t0);
  const echo: number[] = [];
  for (let i = 0; i < KEYS; i++) {
    const since = term.text.length;
    const t = process.hrtime.bigint();
    term.ws.send(encode.input('x'));
    await term.until(/x/, since);
    echo.push(ms(t));
    // a fast typist's pace (the engine batches output that follows other output within 4 ms)
    await new Promise((r) => setTimeout(r, 25));
    if (i % 50 === 49) {
      term.ws.send(encode.input('\x15')); // Ctrl-U: an empty line again
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  // the baseline: a bare WebSocket echo in this process
  const bareEcho = await plainEcho(KEYS);

  // one idle terminal's processes (the workspace's uid runs nothing else)
  const uidLine = term.text.length;
  term.ws.send(encode.input('\x15id -u\r'));
  await term.until(/\r(\d+)\r\n/, uidLine);
  const uid = Number(/\r(\d+)\r\n/.exec(term.text.slice(uidLine))![1]);
  await new Promise((r) => setTimeout(r, 300));
  const idle = memoryOf(uid);
  const shells = idle.names.filter((n) => n.startsWith('bash ')).length || 1;

  // terminals held at once
  const rss0 = process.memoryUsage().rss;
  const held: Term[] = [];
  const t1 = process.hrtime.bigint();
  const opening: Array<Promise<void>> = [];
  for (let i = 0; i < HELD; i++) {
    const w = workspaces[1 + Math.floor(i / PER_WORKSPACE)]!;
    const t = new Term(termUrl(w, String(i % PER_WORKSPACE)));
    held.push(t);
    opening.push(t.open().then(() => t.until(/\$ $/, 0, 120_000)));
  }
  await Promise.all(opening);
  const openAll = ms(t1);
  let answered = 0;
  await Promise.all(
    held.map(async (t, i) => {
      const since = t.text.length;
      t.ws.send(encode.input(`echo ok-$((${i}+1))\r`));
      await t.until(new RegExp(`\\rok-${i + 1}\\r\\n`), since, 60_000);
      answered++;
    }),
  );
  const engineRss = (process.memoryUsage().rss - rss0) / HELD;

  const p50 = pct(echo, 0.5);
  const p95 = pct(echo, 0.95);
  const out = [
    `first prompt after connecting            ${firstPrompt.toFixed(1).padStart(7)} ms`,
    `keystroke to echo (engine WS), p50/p95   ${p50.toFixed(2).padStart(7)} / ${p95.toFixed(2)} ms   target under 10 ms: ${p95 < 10 ? 'met' : 'NOT met'}`,
    `bare WebSocket echo, p50/p95             ${pct(bareEcho, 0.5).toFixed(2).padStart(7)} / ${pct(bareEcho, 0.95).toFixed(2)} ms`,
    `idle terminal: ${idle.n / shells} processes, RSS ${(idle.rssKb / shells / 1024).toFixed(1)} MiB, PSS ${(idle.pssKb / shells / 1024).toFixed(2)} MiB   target under 3 MB: ${idle.pssKb / shells < 3 * 1000 ? 'met' : 'NOT met'} (PSS)`,
    `  (the uid's processes, PSS MiB: ${idle.names.join(', ')})`,
    `terminals held open at once              ${String(answered).padStart(7)} of ${HELD}   (opened in ${openAll.toFixed(0)} ms)`,
    `engine RSS per open terminal             ${(engineRss / 1024).toFixed(0).padStart(7)} KiB`,
  ];
  process.stdout.write(out.join('\n') + '\n');
  for (const t of [term, ...held]) t.ws.close();
  for (const w of workspaces) await call('PUT', `/workspaces/${w}/remove`, {});
} finally {
  await engine.close();
  rmSync(dataDir, { recursive: true, force: true });
}
