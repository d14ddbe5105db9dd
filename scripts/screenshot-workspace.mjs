/* global document -- used in functions that run in the page */
// Takes docs/workspace.png, the picture of the workspace demo (/workspace.html): starts the real
// backend and engine in-process, opens the page in Debian's Chromium, runs the Test scenario of
// the Python exercise on its template (some tests fail) and the Run scenario of the C exercise
// (it builds with make and runs), then shoots the whole page; with --terminal, also
// docs/workspace-terminal.png after typing a command into the Python workspace's terminal.
//
//   node scripts/screenshot-workspace.mjs [out.png] [--terminal]   (needs dist/cdn)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from './chromium.mjs';
import { must, bin, root } from './lib.mjs';

const args = process.argv.slice(2);
const out = args.find((a) => !a.startsWith('--')) ?? join(root, 'docs/workspace.png');
const width = Number(args.find((a) => a.startsWith('--width='))?.slice(8) ?? 1280);
if (!existsSync(join(root, 'dist/cdn/se-widgets.js'))) await must(bin('vite'), ['build']);
register();
const { startAll } = await import(pathToFileURL(join(root, 'src/cli/serve.ts')).href);
const backend = await startAll({ port: 0, log: () => {}, accessLog: false });
const browser = await chromium.launch(chromiumLaunchOptions);
try {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(`${backend.url}/workspace.html`);
  const ws = page.locator('#python-project');
  await page.waitForFunction(
    () => document.querySelector('#python-project')?.shadowRoot?.querySelector('.cm-content'),
    undefined,
    { timeout: 60000 },
  );
  await ws.locator('[data-scenario="test"]').click();
  await page.waitForFunction(
    () => document.querySelector('#python-project')?.shadowRoot?.querySelector('[part~="tests"]'),
    undefined,
    { timeout: 60000 },
  );
  const c = page.locator('#c-project');
  await page.waitForFunction(
    () => document.querySelector('#c-project')?.shadowRoot?.querySelector('.cm-content'),
    undefined,
    { timeout: 60000 },
  );
  await c.locator('[data-scenario="run"]').click();
  await page.waitForFunction(
    () =>
      document
        .querySelector('#c-project')
        ?.shadowRoot?.querySelector('.status-line.ok, .status-line.fail'),
    undefined,
    { timeout: 60000 },
  );
  await ws.evaluate((el) => el.scrollIntoView());
  await page.screenshot({ path: out, fullPage: true });
  process.stdout.write(`screenshot: ${out}\n`);
  if (args.includes('--terminal')) {
    await ws.locator('[data-panel="terminal"]').click();
    await page.waitForFunction(
      () => document.querySelector('#python-project')?.shadowRoot?.querySelector('.xterm textarea'),
      undefined,
      { timeout: 60000 },
    );
    await page.waitForTimeout(1000);
    await ws.locator('.xterm textarea').focus();
    await page.keyboard.type('ls -l && python3 main.py\n');
    await page.waitForTimeout(2000);
    const termOut = out.replace(/\.png$/, '-terminal.png');
    await page.screenshot({ path: termOut, fullPage: true });
    process.stdout.write(`screenshot: ${termOut}\n`);
  }
} finally {
  await browser.close();
  await backend.close();
}
