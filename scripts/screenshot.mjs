/* global document, HTMLElement -- used in functions that run in the page */
// Takes docs/demo.png, the README's picture of the demo: starts the real backend and engine
// in-process (startAll, through tsx), opens the demo page in Debian's Chromium (never a downloaded
// browser), runs a program in the run widget and submits in the problem widget, then shoots.
//
//   node scripts/screenshot.mjs [out.png]     (needs dist/cdn: `npx vite build` or `npm run build`)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from './chromium.mjs';
import { must, bin, root } from './lib.mjs';

const out = process.argv[2] ?? join(root, 'docs/demo.png');
if (!existsSync(join(root, 'dist/cdn/se-widgets.js'))) await must(bin('vite'), ['build']);
register();
const { startAll } = await import(pathToFileURL(join(root, 'src/cli/serve.ts')).href);
const backend = await startAll({ port: 0, log: () => {}, accessLog: false });
const browser = await chromium.launch(chromiumLaunchOptions);
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(`${backend.url}/`);
  await page.waitForFunction(() =>
    [...document.querySelectorAll('se-solve')].every((e) =>
      e.shadowRoot?.querySelector('.cm-content'),
    ),
  );
  // The run widget: Python reading a name.
  const run = page.locator('#run-demo');
  await run
    .locator('[part~="language-picker"]')
    .selectOption({ label: 'Python 3 (3.11.2)' })
    .catch(async () => {
      const value = await run.evaluate(
        (el) =>
          [...el.shadowRoot.querySelectorAll('option')].find((o) => o.text.startsWith('Python'))
            ?.value,
      );
      await run.locator('[part~="language-picker"]').selectOption(value);
    });
  await run.evaluate((el) => {
    el.source = 'name = input()\nprint(f"Hello, {name}!")\n';
  });
  await run.locator('[part~="stdin"]').fill('Ada');
  await run.locator('[part~="run-button"]').click();
  await page.waitForFunction(
    () => document.querySelector('#run-demo')?.shadowRoot?.querySelector('.details') !== null,
  );
  // The problem widget: a wrong answer, to show the per-test table.
  const problem = page.locator('#problem-demo');
  const python = await problem.evaluate(
    (el) =>
      [...el.shadowRoot.querySelectorAll('option')].find((o) => o.text.startsWith('Python'))?.value,
  );
  if (python) await problem.locator('[part~="language-picker"]').selectOption(python);
  await problem.evaluate((el) => {
    el.source = 'a, b = map(int, input().split())\nprint(a - b)\n';
  });
  await problem.locator('[part~="submit-button"]').click();
  await page.waitForFunction(
    () => document.querySelector('#problem-demo')?.shadowRoot?.querySelector('.details') !== null,
    undefined,
    { timeout: 60000 },
  );
  await page.evaluate(() => {
    document.querySelector('#run-demo')?.scrollIntoView();
    (document.activeElement instanceof HTMLElement ? document.activeElement : null)?.blur();
  });
  await page.screenshot({ path: out, fullPage: true });
  process.stdout.write(`screenshot: ${out}\n`);
} finally {
  await browser.close();
  await backend.close();
}
