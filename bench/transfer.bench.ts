// What a cold visit transfers: the bytes on the wire (headers and bodies, as Chromium counts them:
// CDP Network.loadingFinished encodedDataLength) of every request a page makes until the network is
// idle, in a fresh browser context (empty cache), against the real backend (startAll) and the built
// dist/. Each page is loaded twice in the same run: as a browser asks for it (Accept-Encoding:
// gzip, deflate, br, zstd), and with Accept-Encoding: identity as the baseline (uncompressed).
//
// Pages: `/` (the demo, two widgets in view at once), a page of ten widgets below the fold and the
// same page with one widget (both written by this benchmark into a copy of demo/, served as pages
// by the backend), and `/iframe.html` (one widget in an iframe embed).
//
// The script-tag bundle is a shell that loads the element's code (editor included) when a widget
// nears the viewport, so each visit is split into what the page and the shell move ("page": the
// document, styles, se-widgets.js) and what widgets add (their chunks, "chunk", and their API
// calls, "api"). Targets (issue 18): `/` at most 60 KB before any widget is in view (its page
// part), at most 120 KB with the first visible widget (the page part, the chunks and the API
// calls of the first widget alone, measured on a copy of `/` that holds only that widget); ten
// widgets below the fold move no more than one before scrolling.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumLaunchOptions } from '../scripts/chromium.mjs';
import { startAll } from '../src/cli/serve.js';

const root = fileURLToPath(new URL('..', import.meta.url));

// The bundles and their .br/.gz siblings (npm run build writes both).
if (!existsSync(join(root, 'dist/cdn/se-widgets.js'))) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
} else if (!existsSync(join(root, 'dist/cdn/se-widgets.js.br'))) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/compress.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}

/**
 * A lesson page of ten exercises, each below the fold of a 1280 x 720 viewport; the first
 * `widgets` of them hold a widget. The text is the same whatever the count, so the pages differ
 * only by their widgets.
 */
function longPage(widgets: number): string {
  const index = readFileSync(join(root, 'demo/index.html'), 'utf8');
  const head = index.slice(0, index.indexOf('<body>'));
  const para =
    '<p>A loop repeats a block of code. The body runs once for every item of a sequence, or for ' +
    'as long as a condition holds; a counter, a running total or a list being built is what ' +
    'changes from one pass to the next. Read the example, predict its output, then run it.</p>';
  const filler = Array.from({ length: 14 }, () => para).join('\n');
  const sections = Array.from(
    { length: 10 },
    (_, i) =>
      `<h2>Exercise ${i + 1}</h2>\n${filler}\n` +
      (i < widgets
        ? `<se-solve id="exercise-${i + 1}" widget="run-demo" aria-label="Exercise ${i + 1}"></se-solve>`
        : ''),
  ).join('\n');
  return `${head}<body>
<main class="lesson"><article>
<h1>Lesson 5: Loops, ${widgets === 1 ? 'one exercise' : `${widgets} exercises`}</h1>
${filler}
${sections}
</article></main>
</body>
</html>
`;
}

const pagesDir = mkdtempSync(join(tmpdir(), 'se-transfer-'));
cpSync(join(root, 'demo'), pagesDir, { recursive: true });
writeFileSync(join(pagesDir, 'ten.html'), longPage(10));
writeFileSync(join(pagesDir, 'one.html'), longPage(1));
{
  // `/` with its first widget only: what the first visible widget costs on its own.
  const index = readFileSync(join(root, 'demo/index.html'), 'utf8');
  const second = /\s*<se-solve id="problem-demo"[^>]*><\/se-solve>/;
  if (!second.test(index)) throw new Error('demo/index.html: no problem-demo widget to leave out');
  writeFileSync(join(pagesDir, 'first.html'), index.replace(second, ''));
}

const backend = await startAll({ port: 0, log: () => {}, accessLog: false, pagesDir });
const browser: Browser = await chromium.launch(chromiumLaunchOptions);

interface Visit {
  total: number;
  byKind: Record<string, number>;
  requests: number;
  /** responses that came with a Content-Encoding */
  coded: number;
}

const kindOf = (url: string, mime: string) =>
  new URL(url).pathname.startsWith('/v1/')
    ? 'api'
    : new URL(url).pathname.startsWith('/dist/cdn/chunks/')
      ? 'chunk'
      : /javascript/.test(mime)
        ? 'js'
        : /html/.test(mime)
          ? 'html'
          : /css/.test(mime)
            ? 'css'
            : 'other';
/** What the page and the shell move: everything but the widgets' chunks and API calls. */
const pagePart = (v: Visit) => v.total - (v.byKind.chunk ?? 0) - (v.byKind.api ?? 0);
/** The same visit, page part only. */
const onlyPage = (v: Visit): Visit => ({
  ...v,
  total: pagePart(v),
  byKind: Object.fromEntries(
    Object.entries(v.byKind).filter(([k]) => k !== 'chunk' && k !== 'api'),
  ),
});

/** A cold visit of `path`: every response's bytes on the wire until `ready` and network idle. */
async function visit(
  path: string,
  identity: boolean,
  ready: (page: Page) => Promise<void>,
  after?: (page: Page) => Promise<void>,
  repeat = false,
): Promise<{ before: Visit; after: Visit | null; repeat: Visit | null }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  // A new context has an empty cache; it is used only by the repeat visit.
  if (!repeat) await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (identity)
    await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'identity' } });
  const seen = new Map<string, { url: string; mime: string; coded: boolean }>();
  let current: Visit = { total: 0, byKind: {}, requests: 0, coded: 0 };
  cdp.on('Network.responseReceived', (e) => {
    const enc = Object.entries(e.response.headers).find(
      ([k]) => k.toLowerCase() === 'content-encoding',
    )?.[1];
    seen.set(e.requestId, { url: e.response.url, mime: e.response.mimeType, coded: !!enc });
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = seen.get(e.requestId);
    if (!r) return;
    const kind = kindOf(r.url, r.mime);
    current.total += e.encodedDataLength;
    current.byKind[kind] = (current.byKind[kind] ?? 0) + e.encodedDataLength;
    current.requests++;
    if (r.coded) current.coded++;
  });
  await page.goto(`${backend.url}${path}`);
  await ready(page);
  await page.waitForLoadState('networkidle');
  const before = current;
  let afterVisit: Visit | null = null;
  if (after) {
    current = { total: 0, byKind: {}, requests: 0, coded: 0 };
    await after(page);
    await page.waitForLoadState('networkidle');
    afterVisit = current;
  }
  let again: Visit | null = null;
  if (repeat) {
    // A later visit in the same browser: hashed chunks come from the cache, the rest revalidates.
    current = { total: 0, byKind: {}, requests: 0, coded: 0 };
    await page.goto('about:blank');
    await page.goto(`${backend.url}${path}`);
    await ready(page);
    await page.waitForLoadState('networkidle');
    again = current;
  }
  await context.close();
  return { before, after: afterVisit, repeat: again };
}

const widgetsReady = (selector: string) => async (page: Page) => {
  await page.waitForFunction(
    `[...document.querySelectorAll('${selector}')].every((e) => e.shadowRoot?.querySelector('option[value]'))`,
    undefined,
    { timeout: 60000 },
  );
};
const loaded = async (page: Page) => void (await page.waitForLoadState('load'));
const frameReady = async (page: Page) => {
  const handle = await page.waitForSelector('iframe');
  const frame = await handle.contentFrame();
  if (!frame) throw new Error('no iframe');
  await frame.waitForFunction(
    `document.querySelector('se-solve')?.shadowRoot?.querySelector('option[value]')`,
    undefined,
    { timeout: 60000 },
  );
};
const scrollThrough = async (page: Page) => {
  // Down the page a screen at a time, as a reader would, so that every widget comes into view.
  const height = (await page.evaluate('document.documentElement.scrollHeight')) as number;
  for (let y = 0; y < height; y += 600) {
    await page.evaluate(`window.scrollTo(0, ${y})`);
    await page.waitForTimeout(50);
  }
  await page.waitForFunction(
    `[...document.querySelectorAll('se-solve')].every((e) => e.shadowRoot?.querySelector('option[value]'))`,
    undefined,
    { timeout: 60000 },
  );
};

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const W = 48;
const row = (label: string, v: Visit, base: Visit, target = '') =>
  `  ${label.padEnd(W)}${kb(v.total).padStart(10)}${kb(base.total).padStart(11)}` +
  `${base.total ? (v.total / base.total).toFixed(2) + ' x' : '-'}`.padStart(10) +
  `   ${target}\n`;
const parts = (v: Visit) =>
  Object.entries(v.byKind)
    .sort(([, a], [, b]) => b - a)
    .map(([k, n]) => `${k} ${kb(n)}`)
    .join(', ');

try {
  const cases = [
    { name: '/ (2 widgets in view)', path: '/', ready: widgetsReady('se-solve'), repeat: true },
    { name: '/ with its first widget only', path: '/first.html', ready: widgetsReady('se-solve') },
    { name: '10 widgets below the fold', path: '/ten.html', ready: loaded, after: scrollThrough },
    { name: '1 widget below the fold', path: '/one.html', ready: loaded, after: scrollThrough },
    { name: '/iframe.html (1 widget in a frame)', path: '/iframe.html', ready: frameReady },
  ];
  const results = [];
  for (const c of cases) {
    const compressed = await visit(c.path, false, c.ready, c.after, c.repeat);
    const plain = await visit(c.path, true, c.ready, c.after, c.repeat);
    results.push({ ...c, compressed, plain });
  }
  const [home, first, ten, one, iframe] = results as [
    (typeof results)[0],
    (typeof results)[0],
    (typeof results)[0],
    (typeof results)[0],
    (typeof results)[0],
  ];
  for (const r of results) {
    if (r.plain.before.coded)
      process.stdout.write(
        `warning: ${r.name}: ${r.plain.before.coded} responses came compressed in the identity baseline\n`,
      );
  }
  const met = (ok: boolean) => (ok ? 'met' : 'NOT MET');
  process.stdout.write(
    'Cold visit, bytes on the wire until the network is idle (headers + bodies, Chromium):\n',
  );
  process.stdout.write(
    `  ${'page'.padEnd(W)}${'compressed'.padStart(10)}${'identity'.padStart(11)}${'ratio'.padStart(10)}   target (issue 18)\n`,
  );
  const homePage = onlyPage(home.compressed.before);
  process.stdout.write(
    row(
      '/: the page and the shell (no widget loaded)',
      homePage,
      onlyPage(home.plain.before),
      `<= 60 KB before any widget is in view: ${met(homePage.total <= 60 * 1024)}`,
    ),
  );
  process.stdout.write(
    row(
      '/: with the first visible widget',
      first.compressed.before,
      first.plain.before,
      `<= 120 KB: ${met(first.compressed.before.total <= 120 * 1024)}`,
    ),
  );
  process.stdout.write(row(`${home.name}, everything`, home.compressed.before, home.plain.before));
  const widgetBytes = (v: Visit) => (v.byKind.chunk ?? 0) + (v.byKind.api ?? 0);
  for (const r of [ten, one])
    process.stdout.write(
      row(
        `${r.name}, before scrolling`,
        r.compressed.before,
        r.plain.before,
        `<= 60 KB: ${met(r.compressed.before.total <= 60 * 1024)}; widgets' chunks and API: ${widgetBytes(r.compressed.before)} B`,
      ),
    );
  // The ten-widget document is the one-widget document plus nine tags; the rest must not grow.
  const rest = (v: Visit) => v.total - (v.byKind.html ?? 0);
  const tenOverOne = ten.compressed.before.total / one.compressed.before.total;
  process.stdout.write(
    `  ${'10 widgets / 1 widget, before scrolling'.padEnd(W)}${(tenOverOne.toFixed(3) + ' x').padStart(10)}` +
      `${''.padStart(21)}   <= 1.00 x: ${met(rest(ten.compressed.before) <= rest(one.compressed.before))}\n` +
      `  ${''.padEnd(W)}documents ${ten.compressed.before.byKind.html ?? 0} B and ${one.compressed.before.byKind.html ?? 0} B (nine more tags); ` +
      `everything else ${rest(ten.compressed.before)} B and ${rest(one.compressed.before)} B\n`,
  );
  if (ten.compressed.after && ten.plain.after)
    process.stdout.write(
      row(`10 widgets: scrolling through adds`, ten.compressed.after, ten.plain.after),
    );
  if (one.compressed.after && one.plain.after)
    process.stdout.write(
      row(`1 widget: scrolling through adds`, one.compressed.after, one.plain.after),
    );
  process.stdout.write(row(iframe.name, iframe.compressed.before, iframe.plain.before));
  if (home.compressed.repeat && home.plain.repeat) {
    const again = home.compressed.repeat;
    process.stdout.write(
      row('/ again, same browser (warm cache)', again, home.plain.repeat) +
        `  ${''.padEnd(W)}${again.requests} requests, ${(again.total / home.compressed.before.total).toFixed(2)} x the cold visit (hashed chunks cached, the rest 304)\n`,
    );
  }
  process.stdout.write('By kind (compressed):\n');
  for (const r of results)
    process.stdout.write(`  ${r.name.padEnd(W)}${parts(r.compressed.before)}\n`);
  for (const r of [ten, one])
    if (r.compressed.after)
      process.stdout.write(
        `  ${(r.name + ', scrolling adds').padEnd(W)}${parts(r.compressed.after)}\n`,
      );
} finally {
  await browser.close();
  await backend.close();
  rmSync(pagesDir, { recursive: true, force: true });
}
