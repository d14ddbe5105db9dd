// Shared by the Containers and terminal benchmarks: an engine on a temporary data folder with the
// test fixture project imported, a caller of its Containers API, timing helpers, a bare
// WebSocket echo baseline.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import { startEngine } from '../src/engine/index.js';
import { encode } from '../src/shared/terminal.js';

export const FIXTURE = fileURLToPath(
  new URL('../test/fixtures/containers/FIXTURE/', import.meta.url),
);
const CLI = fileURLToPath(new URL('../test/helpers/cli-entry.ts', import.meta.url));

/** Starts the engine with `slots` workspace slots and the FIXTURE project imported. */
export async function fixtureEngine(prefix: string, slots: number) {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  execFileSync(process.execPath, [
    '--import',
    'tsx',
    CLI,
    'projects',
    'import',
    FIXTURE,
    '--data-dir',
    dataDir,
  ]);
  const engine = await startEngine({
    port: 0,
    dataDir,
    workers: 2,
    log: () => {},
    containers: { slots },
  });
  const api = `${engine.url}/containers/api/v1`;
  const q = `access_token=${engine.accessToken}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${api}${path}${path.includes('?') ? '&' : '?'}${q}`, {
      method,
      ...(body
        ? { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }
        : {}),
    });
    return (await r.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  return { engine, dataDir, api, call };
}

export const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/** The `p`-th percentile (0 to 100) of `xs`. */
export const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

/** A bare WebSocket echo on loopback, `n` round trips of one INPUT frame: what any WebSocket costs. */
export async function plainEcho(n: number): Promise<number[]> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (s) => s.on('message', (d) => s.send(d)));
  await new Promise((r) => wss.once('listening', r));
  const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
  await new Promise((r) => ws.once('open', r));
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      ws.once('message', () => resolve());
      ws.send(encode.input('x'));
    });
    times.push(ms(t));
  }
  ws.close();
  wss.close();
  return times;
}
