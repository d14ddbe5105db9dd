// The script-tag bundle's weight and start-up time, measured on the demo page in headless Chromium
// against the real backend (startAll). Prints:
//   - gzip bytes of JavaScript loaded before interaction, and added by choosing each language;
//   - time from navigation to an editable editor (and to se-ready, languages loaded), median of
//     cold loads, beside a baseline measured in the same run: a page with a plain <textarea>
//     served by the same backend. Targets: <= 150 KB gzip before interaction, <= 300 ms.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { chromiumLaunchOptions } from '../scripts/chromium.mjs';
import { startAll } from '../src/cli/serve.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 7);

if (!existsSync(join(root, 'dist/cdn/se-widgets.js'))) {
  const r = spawnSync(join(root, 'node_modules/.bin/vite'), ['build'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(1);
}

const backend = await startAll({ port: 0, log: () => {}, accessLog: false });
const browser = await chromium.launch(chromiumLaunchOptions);

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Records gzip bytes of every JavaScript response of a page, from now on. */
function watchScripts(page: Page): {
  total(): number;
  of(pattern: RegExp): number;
  reset(): void;
  done(): Promise<void>;
} {
  let files = new Map<string, number>();
  const pending: Promise<void>[] = [];
  page.on('response', (res) => {
    if (!/\.m?js(\?|$)/.test(res.url())) return;
    const url = res.url();
    pending.push(
      res.body().then(
        (b) => void files.set(url, gzipSync(b, { level: 9 }).length),
        () => undefined,
      ),
    );
  });
  return {
    total: () => [...files.values()].reduce((a, b) => a + b, 0),
    of: (pattern) => [...files].filter(([u]) => pattern.test(u)).reduce((a, [, b]) => a + b, 0),
    reset: () => void (files = new Map()),
    done: async () => void (await Promise.all(pending)),
  };
}

// Marks, in the page, when the first editor is editable and when every widget is ready.
const marks = `(() => {
  const w = window;
  document.addEventListener('se-ready', () => { w.__ready = (w.__ready || 0) + 1; if (w.__ready === 2) w.__readyAt = performance.now(); });
  const poll = () => {
    const el = document.querySelector('se-solve, textarea');
    const edit = el && (el.localName === 'textarea' ? el : el.shadowRoot?.querySelector('.cm-content[contenteditable="true"]'));
    if (edit) { w.__editableAt = performance.now(); return; }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
})()`;

async function coldLoad(
  url: string,
  waitReady: boolean,
): Promise<{ editable: number; ready: number }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(marks);
  await page.goto(url);
  await page.waitForFunction('window.__editableAt !== undefined');
  if (waitReady)
    await page.waitForFunction('window.__readyAt !== undefined', undefined, { timeout: 30000 });
  const r = (await page.evaluate(
    '({ editable: window.__editableAt, ready: window.__readyAt ?? 0 })',
  )) as {
    editable: number;
    ready: number;
  };
  await context.close();
  return r;
}

try {
  // Bytes: before interaction, then per language chosen in the run widget.
  const context = await browser.newContext();
  const page = await context.newPage();
  const scripts = watchScripts(page);
  await page.goto(`${backend.url}/`);
  await page.waitForFunction(
    `[...document.querySelectorAll('se-solve')].every((e) => e.shadowRoot?.querySelector('option[value]'))`,
  );
  await page.waitForLoadState('networkidle');
  await scripts.done();
  const initial = scripts.total();
  const entry = scripts.of(/\/dist\/cdn\/se-widgets\.js$/);
  const element = scripts.of(/\/dist\/cdn\/chunks\/se-solve-[^/]*\.js$/);
  const picker = page.locator('#run-demo [part~="language-picker"]');
  const options = picker.locator('option');
  const texts = await options.allTextContents();
  const values = await Promise.all(texts.map((_, i) => options.nth(i).getAttribute('value')));
  const seen = new Set<string>();
  const perLanguage: Array<[string, number]> = [];
  for (const [i, text] of texts.entries()) {
    const id = values[i]?.split(':')[0];
    if (!id || seen.has(id)) continue;
    seen.add(id);
    const name = text.trim();
    scripts.reset();
    await picker.selectOption(values[i] as string);
    // The pack is a dynamic import started by the change: let it start, then settle.
    await page.waitForTimeout(300);
    await page.waitForLoadState('networkidle');
    await scripts.done();
    perLanguage.push([name, scripts.total()]);
  }
  await context.close();

  // Time: cold loads of the demo page and of the baseline page.
  const baselineUrl = `${backend.url}/__baseline.html`;
  await browser.contexts()[0]?.close();
  const demo: Array<{ editable: number; ready: number }> = [];
  const base: number[] = [];
  for (let i = 0; i < runs; i++) {
    demo.push(await coldLoad(`${backend.url}/`, true));
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await p.route(baselineUrl, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><html lang="en"><title>baseline</title><textarea aria-label="code"></textarea></html>',
      }),
    );
    await p.addInitScript(marks);
    await p.goto(baselineUrl);
    await p.waitForFunction('window.__editableAt !== undefined');
    base.push((await p.evaluate('window.__editableAt')) as number);
    await ctx.close();
  }
  const editable = median(demo.map((d) => d.editable));
  const ready = median(demo.map((d) => d.ready));
  const baseline = median(base);

  process.stdout.write(`JavaScript loaded by the demo page (gzip -9):\n`);
  process.stdout.write(
    `  entry: the shell (lit, placeholder)               ${kb(entry).padStart(10)}   (target <= 15 KB)\n` +
      `  + the element's chunk (CodeMirror, se-solve)     ${kb(element).padStart(10)}\n`,
  );
  process.stdout.write(
    `  before interaction (+ the default language's pack) ${kb(initial).padStart(9)}\n`,
  );
  for (const [name, bytes] of perLanguage)
    process.stdout.write(`  + choosing ${name.padEnd(26)}${kb(bytes).padStart(10)}\n`);
  process.stdout.write(`Navigation to an editable editor, median of ${runs} cold loads:\n`);
  process.stdout.write(
    `  demo page (2 widgets)        ${editable.toFixed(0).padStart(7)} ms   (target <= 300 ms)\n`,
  );
  process.stdout.write(`  baseline (plain <textarea>)  ${baseline.toFixed(0).padStart(7)} ms\n`);
  process.stdout.write(
    `  ratio                        ${(editable / baseline).toFixed(2).padStart(7)} x\n`,
  );
  process.stdout.write(`  se-ready (languages loaded)  ${ready.toFixed(0).padStart(7)} ms\n`);
} finally {
  await browser.close();
  await backend.close();
}
