// A large output into a real xterm.js in headless Chromium, through the backend's terminal
// WebSocket (issue 14): the page writes each OUTPUT frame to xterm and acknowledges it in xterm's
// write callback, as `<se-workspace>` does. Baseline, in the same page and run: the same number of
// bytes written to xterm from memory (no socket, no shell). The ratio is what the path from the
// shell to the screen costs over xterm's own parsing and rendering.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from '../scripts/chromium.mjs';
import { listenLocal } from '../test/helpers/http.js';
import { startAll } from '../src/cli/serve.js';
import { parseConfig } from '../src/server/index.js';
import { signSession } from '../src/server/sessions.js';

const MIB = Number(process.env.SE_BENCH_XTERM_MIB ?? 16);
const SECRET = 'xterm-bench-session-secret-0123456789abcdef';
const xtermJs = readFileSync(
  fileURLToPath(new URL('../node_modules/@xterm/xterm/lib/xterm.js', import.meta.url)),
);
const xtermCss = readFileSync(
  fileURLToPath(new URL('../node_modules/@xterm/xterm/css/xterm.css', import.meta.url)),
);
const protocol = readFileSync(
  fileURLToPath(new URL('../dist/shared/terminal.js', import.meta.url)),
);

// the page: xterm, the protocol module, and two measurements
const page = `<!doctype html><meta charset="utf-8"><link rel="stylesheet" href="/xterm.css">
<div id="t" style="width:800px;height:480px"></div><script src="/xterm.js"></script>
<script type="module">
import { encode, decode, FRAME } from '/terminal.js';
const term = new Terminal({ cols: 100, rows: 30, scrollback: 1000 });
term.open(document.getElementById('t'));
const write = (data) => new Promise((r) => term.write(data, r));
window.fromMemory = async (bytes) => {
  const line = new TextEncoder().encode('y\\r\\n'.repeat(16384));
  const t0 = performance.now();
  for (let sent = 0; sent < bytes; sent += line.length) await write(line);
  return performance.now() - t0;
};
window.throughSocket = (url, ticket, bytes) => new Promise((resolve, reject) => {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  let got = 0, t0 = 0, started = false;
  ws.onopen = () => ws.send(encode.hello({ ticket, cols: 100, rows: 30 }));
  ws.onerror = () => reject(new Error('socket error'));
  ws.onmessage = (e) => {
    const f = decode(new Uint8Array(e.data));
    if (f.type === FRAME.READY && !started) {
      started = true;
      t0 = performance.now();
      ws.send(encode.input('yes | head -c ' + bytes + '; echo END-OF-RUN\\n'));
    }
    if (f.type !== FRAME.OUTPUT) return;
    const end = f.offset + f.data.length;
    term.write(f.data, () => ws.send(encode.ack(end)));
    got += f.data.length;
    const tail = new TextDecoder().decode(f.data.subarray(-40));
    if (got > bytes && tail.includes('END-OF-RUN\\r\\n')) {
      term.write('', () => { ws.close(); resolve(performance.now() - t0); });
    }
  };
});
</script>`;

const site = createServer((req, res) => {
  const files: Record<string, [Buffer | string, string]> = {
    '/': [page, 'text/html'],
    '/xterm.js': [xtermJs, 'text/javascript'],
    '/xterm.css': [xtermCss, 'text/css'],
    '/terminal.js': [protocol, 'text/javascript'],
  };
  const f = files[req.url ?? '/'];
  if (!f) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': f[1] }).end(f[0]);
});
const origin = await listenLocal(site);

const all = await startAll({
  config: parseConfig({
    widgets: [
      {
        id: 'xterm-bench',
        mode: 'workspace',
        origins: [origin],
        workspace: { project: 'PYTHON-UNITTEST', terminal: true },
      },
    ],
  }),
  sessionSecret: SECRET,
  engine: { workers: 2 },
  log: () => {},
});
const browser = await chromium.launch(chromiumLaunchOptions);
try {
  const token = (
    await signSession({ secret: SECRET, widget: 'xterm-bench', sub: 'x1', actions: ['workspace'] })
  ).token;
  const ticket = async () =>
    (await (
      await fetch(`${all.url}/v1/workspace/terminal`, {
        method: 'POST',
        headers: { origin, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      })
    ).json()) as { ticket: string; path: string };
  const tab = await browser.newPage();
  await tab.goto(origin + '/');
  const bytes = MIB * 1024 * 1024;
  const memory = await tab.evaluate((n) => (window as any).fromMemory(n), bytes); // eslint-disable-line @typescript-eslint/no-explicit-any
  const t = await ticket();
  const socket = await tab.evaluate(
    ([url, tk, n]) => (window as any).throughSocket(url, tk, n), // eslint-disable-line @typescript-eslint/no-explicit-any
    [all.url.replace(/^http/, 'ws') + t.path, t.ticket, bytes] as const,
  );
  const mibs = (ms: number) => (MIB / (ms / 1000)).toFixed(1);
  process.stdout.write(
    [
      `${MIB} MiB of output into xterm.js in headless Chromium`,
      `from memory (xterm alone)              ${memory.toFixed(0).padStart(6)} ms  ${mibs(memory)} MiB/s`,
      `from the shell through the backend     ${socket.toFixed(0).padStart(6)} ms  ${mibs(socket)} MiB/s`,
      `through the backend / xterm alone: x${(socket / memory).toFixed(2)}`,
    ].join('\n') + '\n',
  );
} finally {
  await browser.close();
  await all.close();
  site.close();
}
