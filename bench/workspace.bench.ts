// `<se-workspace>` on `/workspace.html` (issue 15's targets), in headless Chromium against the real
// backend and engine (startAll) and the built dist/, a fresh browser context (empty cache) each
// time. Baseline, in the same run: `<se-solve>` on `/` (the same shell, the editor without the
// workspace).
// - JavaScript on the wire before interaction (gzip or brotli, as Chromium counts it: CDP
//   encodedDataLength of script responses), and what opening the terminal adds; target at most
//   170 KB before interaction, xterm.js not loaded;
// - navigation to an editable editor (its contenteditable content in the shadow root); target
//   within 400 ms;
// - opening the Terminal tab to the first shell prompt; target within 500 ms.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { chromiumLaunchOptions } from '../scripts/chromium.mjs';
import { startAll } from '../src/cli/serve.js';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(join(root, 'dist/cdn/se-widgets.js.br'))) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}
const ROUNDS = Number(process.env.SE_BENCH_ROUNDS ?? 3);

/** Counts the script bytes on the wire from now on. */
async function scriptBytes(page: Page): Promise<() => number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const scripts = new Set<string>();
  let bytes = 0;
  cdp.on('Network.responseReceived', (e) => {
    if (e.type === 'Script') scripts.add(e.requestId);
  });
  cdp.on('Network.loadingFinished', (e) => {
    if (scripts.has(e.requestId)) bytes += e.encodedDataLength;
  });
  return () => bytes;
}

/** Milliseconds from navigation start until the element's editor takes typing. */
const editable = (page: Page, tag: string) =>
  page.waitForFunction(
    (t) => {
      const host = document.querySelector(t);
      const cm = host?.shadowRoot?.querySelector('.cm-content[contenteditable="true"]');
      return cm ? performance.now() : null;
    },
    tag,
    { polling: 'raf', timeout: 30_000 },
  );

const all = await startAll({ engine: { workers: 2 }, log: () => {} });
const browser = await chromium.launch(chromiumLaunchOptions);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  const ws = {
    js: [] as number[],
    editor: [] as number[],
    termJs: [] as number[],
    prompt: [] as number[],
  };
  const solve = { js: [] as number[], editor: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    // <se-solve> on `/`: the baseline
    {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await ctx.newPage();
      const js = await scriptBytes(page);
      await page.goto(`${all.url}/`);
      solve.editor.push(Number(await (await editable(page, 'se-solve')).jsonValue()));
      await page.waitForLoadState('networkidle');
      solve.js.push(js());
      await ctx.close();
    }
    // <se-workspace> on `/workspace.html`
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const js = await scriptBytes(page);
    await page.goto(`${all.url}/workspace.html`);
    ws.editor.push(Number(await (await editable(page, 'se-workspace')).jsonValue()));
    await page.waitForLoadState('networkidle');
    const before = js();
    ws.js.push(before);
    const t0 = await page.evaluate(() => {
      const host = document.querySelector('se-workspace')!;
      const tab = host.shadowRoot!.querySelector<HTMLElement>(
        '[role="tab"][data-panel="terminal"]',
      )!;
      const start = performance.now();
      tab.click();
      return start;
    });
    const prompt = await page.waitForFunction(
      () => {
        const rows = document
          .querySelector('se-workspace')
          ?.shadowRoot?.querySelector('.xterm-rows');
        return rows && /\$ /.test(rows.textContent ?? '') ? performance.now() : null;
      },
      undefined,
      { polling: 'raf', timeout: 30_000 },
    );
    ws.prompt.push(Number(await prompt.jsonValue()) - t0);
    await page.waitForLoadState('networkidle');
    ws.termJs.push(js() - before);
    await ctx.close();
  }
  const kb = (b: number) => (b / 1024).toFixed(1);
  const jsWs = median(ws.js);
  const editorWs = median(ws.editor);
  const prompt = median(ws.prompt);
  process.stdout.write(
    [
      `medians of ${ROUNDS} cold visits               <se-workspace>   <se-solve> (baseline)`,
      `JavaScript before interaction          ${kb(jsWs).padStart(8)} KB   ${kb(median(solve.js)).padStart(8)} KB   x${(jsWs / median(solve.js)).toFixed(2)}; target at most 170 KB: ${jsWs <= 170 * 1024 ? 'met' : 'NOT met'}`,
      `navigation to an editable editor       ${editorWs.toFixed(0).padStart(8)} ms   ${median(solve.editor).toFixed(0).padStart(8)} ms   x${(editorWs / median(solve.editor)).toFixed(2)}; target within 400 ms: ${editorWs <= 400 ? 'met' : 'NOT met'}`,
      `opening the terminal adds              ${kb(median(ws.termJs)).padStart(8)} KB of JavaScript`,
      `Terminal tab to the first prompt       ${prompt.toFixed(0).padStart(8)} ms   target within 500 ms: ${prompt <= 500 ? 'met' : 'NOT met'}`,
    ].join('\n') + '\n',
  );
} finally {
  await browser.close();
  await all.close();
}
