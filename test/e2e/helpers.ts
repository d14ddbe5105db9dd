// Shared by the end-to-end tests: the built script-tag bundles, LMS pages on origins of their own,
// and the backend those pages call.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium, type Browser, type Locator } from 'playwright-core';
import { chromiumLaunchOptions } from '../../scripts/chromium.mjs';
import { startAll, type StartedAll } from '../../src/cli/serve.js';
import { defaultConfig } from '../../src/server/index.js';
import { closeNow, listenLocal } from '../helpers/http.js';

/** The repository's root folder. */
export const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs vite once per argument list in `builds` unless `dist/cdn/<file>` exists: `npm test` builds
 * first, a standalone run builds only the bundles its test needs.
 */
export function buildUnlessBuilt(file: string, builds: string[][]): void {
  if (existsSync(join(root, 'dist/cdn', file))) return;
  for (const args of builds) {
    const r = spawnSync(join(root, 'node_modules/.bin/vite'), args, { cwd: root });
    assert.equal(r.status, 0, String(r.stderr));
  }
}

/** An LMS on a loopback origin of its own: it answers every request with the HTML of `page(path)`. */
export async function startLms(
  page: (path: string) => string,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page(new URL(req.url ?? '/', 'http://x').pathname));
  });
  return { server, url: await listenLocal(server) };
}

/** The backend and the embedded engine in-process, the demo widgets usable from `origin` too. */
export function startBackend(origin: string): Promise<StartedAll> {
  const config = defaultConfig();
  for (const w of config.widgets.values()) w.origins.push(origin);
  return startAll({ port: 0, config, log: () => {}, accessLog: false });
}

/** Picks the first language of `widget` whose option text starts with `prefix`. */
export async function pickLanguage(widget: Locator, prefix: string): Promise<void> {
  const picker = widget.locator('[part~="language-picker"]');
  const options = picker.locator('option');
  const index = (await options.allTextContents()).findIndex((t) => t.trim().startsWith(prefix));
  const value = index < 0 ? null : await options.nth(index).getAttribute('value');
  assert.ok(value, `no ${prefix} in the picker`);
  await picker.selectOption(value);
}

/** What an end-to-end test file runs against (see {@link useE2e}). */
export interface E2e {
  backend: StartedAll;
  browser: Browser;
  /** the LMS's origin, whose pages are `page(path)` */
  lmsUrl: string;
}

/**
 * For the length of a test file: the bundles built unless they are (`buildUnlessBuilt(...build)`),
 * an LMS on an origin of its own answering `page(path)`, the backend with the demo widgets usable
 * from that origin, Chromium, then `then(e)`; all closed after.
 */
export function useE2e(
  page: (path: string) => string,
  build: [string, string[][]],
  /** more set-up once all is started (in the same hook: another top-level hook may run alongside) */
  then?: (e: E2e) => Promise<void>,
): E2e {
  const e = {} as E2e;
  let lms: Server | undefined;
  before(async () => {
    buildUnlessBuilt(...build);
    ({ server: lms, url: e.lmsUrl } = await startLms(page));
    e.backend = await startBackend(e.lmsUrl);
    e.browser = await chromium.launch(chromiumLaunchOptions);
    await then?.(e);
  });
  after(async () => {
    await e.browser?.close();
    await e.backend?.close();
    if (lms) await closeNow(lms);
  });
  return e;
}
