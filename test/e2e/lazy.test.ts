// The script-tag bundle's lazy shell, end to end: lesson pages on another origin load the built
// bundle (dist/cdn) from the real backend in Debian's Chromium through playwright-core; every
// request the page makes is recorded, and the element's chunk can be held back to act before it
// arrives.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { pickLanguage, root, useE2e } from './helpers.js';

const filler = Array.from(
  { length: 40 },
  (_, i) =>
    `<p>Paragraph ${i + 1}. A loop repeats a block of code: the body runs once for every item of a sequence, or for as long as a condition holds.</p>`,
).join('\n');

/** Lesson pages of the LMS; `bundle` is the backend's module bundle or its classic script. */
function page(path: string): string {
  const module = `<script type="module" src="${e2e.backend.url}/dist/cdn/se-widgets.js"></script>`;
  const classic = `<script src="${e2e.backend.url}/dist/cdn/se-widgets.classic.js"></script>`;
  const widget = (attrs = '') => `<se-solve id="w" widget="run-demo" ${attrs}></se-solve>`;
  const body: Record<string, string> = {
    // Far below the fold of a 1280 x 720 window.
    '/far': `${module}<h1>Loops</h1>${filler}${widget()}<p id="after">The end.</p>`,
    '/far-eager': `${module}<h1>Loops</h1>${filler}${widget('loading="eager"')}`,
    // In view at once, with text below it that would move if the widget's box changed.
    '/near': `${module}<h1>Loops</h1>${widget()}<p id="after">Text under the widget.</p>${filler}`,
    // A page that only adds a classic script.
    '/classic': `${classic}<h1>Loops</h1>${widget()}`,
  };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Lesson</title></head>
    <body style="font: 16px/1.5 sans-serif; max-width: 760px; margin: 0 auto">${body[path] ?? ''}</body></html>`;
}

const e2e = useE2e(page, ['se-widgets.classic.js', [['build'], ['build', '--mode', 'classic']]]);

interface Visit {
  context: BrowserContext;
  page: Page;
  widget: Locator;
  /** every URL the page asked for, in order */
  requests: string[];
  /** lets the element's chunk through (held when `hold` was given) */
  release(): void;
}

/** A fresh browser (empty cache and storage) on an LMS page; `hold` holds back the element's chunk. */
async function visit(path: string, hold = false): Promise<Visit> {
  const context = await e2e.browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (r) => void requests.push(r.url()));
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  if (!hold) release();
  await page.route(/\/dist\/cdn\/chunks\/se-solve-[^/]*\.js$/, async (route) => {
    await gate;
    await route.continue();
  });
  await page.goto(`${e2e.lmsUrl}${path}`);
  const widget = page.locator('#w');
  // The shell has drawn the placeholder (or, loading at once, already the editor).
  await widget.locator('textarea.code, .cm-content').first().waitFor({ state: 'attached' });
  return { context, page, widget, requests, release };
}

const chunks = (v: Visit) => v.requests.filter((u) => u.includes('/dist/cdn/chunks/'));
const api = (v: Visit) => v.requests.filter((u) => new URL(u).pathname.startsWith('/v1/'));

/** Waits for CodeMirror and for the languages (the picker is enabled). */
async function loaded(widget: Locator): Promise<void> {
  await widget.locator('.cm-content').waitFor({ timeout: 60_000 });
  await widget.locator('[part~="language-picker"]:enabled').waitFor({ timeout: 60_000 });
}

// Evaluated in the page (these tests are type-checked without the DOM library).
const source = (page: Page) => page.evaluate<string>(`document.getElementById('w').source`);

describe('the script-tag bundle loads the editor lazily', () => {
  it('is a shell of at most 15 KB gzip with no editor code in it', () => {
    const entry = readFileSync(join(root, 'dist/cdn/se-widgets.js'));
    const gz = gzipSync(entry, { level: 9 }).length;
    assert.ok(gz <= 15 * 1024, `dist/cdn/se-widgets.js is ${gz} B gzip`);
    // CodeMirror's view (its base theme names .cm-editor) lives in the chunks only.
    assert.ok(!entry.includes('cm-editor'), 'the entry holds CodeMirror');
  });

  it('a widget far below the fold loads no editor code and asks nothing until scrolled to, then runs code', async () => {
    const v = await visit('/far');
    try {
      await v.page.waitForLoadState('networkidle');
      await v.page.waitForTimeout(300);
      assert.deepEqual(chunks(v), [], 'chunks before scrolling');
      assert.deepEqual(api(v), [], '/v1 requests before scrolling');
      await v.widget.scrollIntoViewIfNeeded();
      await loaded(v.widget);
      assert.ok(
        chunks(v).some((u) => /\/chunks\/se-solve-[^/]*\.js$/.test(u)),
        `the element's chunk after scrolling: ${chunks(v).join(', ')}`,
      );
      await pickLanguage(v.widget, 'Python');
      await v.widget.locator('.cm-content').click();
      await v.page.keyboard.press('Control+A');
      await v.page.keyboard.type('print(input()[::-1])');
      await v.widget.locator('[part~="stdin"]').fill('lazy');
      await v.widget.locator('[part~="run-button"]').click();
      await v.widget
        .locator('[part~="status"]', { hasText: /Finished/ })
        .waitFor({ timeout: 60_000 });
      assert.equal((await v.widget.locator('.output pre').textContent())?.trim(), 'yzal');
    } finally {
      await v.context.close();
    }
  });

  it('loading="eager" loads the editor at once, out of view', async () => {
    const v = await visit('/far-eager');
    try {
      await loaded(v.widget);
      assert.ok(chunks(v).length > 0);
      assert.equal(
        await v.page.evaluate(`document.getElementById('w').getBoundingClientRect().top > 720`),
        true,
        'the widget is below the fold',
      );
    } finally {
      await v.context.close();
    }
  });

  it('typing and pasting into the placeholder before the editor loads keeps every character, caret at the end', async () => {
    const v = await visit('/far', true);
    try {
      await v.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
        origin: e2e.lmsUrl,
      });
      const box = v.widget.locator('textarea.code');
      // The placeholder is a labelled text box that takes the keyboard focus.
      assert.equal(await box.getAttribute('aria-label'), 'Source code');
      await box.focus();
      await v.page.keyboard.type('print("héllo")\n');
      await v.page.evaluate(`navigator.clipboard.writeText('x = 1 + 2\\nprint(x)')`);
      await v.page.keyboard.press('Control+V');
      await v.page.keyboard.type('  # ok');
      const typed = 'print("héllo")\nx = 1 + 2\nprint(x)  # ok';
      // Still the placeholder: the element's code is held back.
      assert.equal(await v.widget.locator('.cm-content').count(), 0);
      assert.equal(await box.inputValue(), typed);
      assert.equal(await source(v.page), typed);
      v.release();
      await loaded(v.widget);
      assert.equal(await source(v.page), typed);
      // The editor has the focus, the caret at the end of what was typed.
      await v.page.keyboard.type('!');
      assert.equal(await source(v.page), `${typed}!`);
    } finally {
      await v.context.close();
    }
  });

  it('the placeholder has the loaded widget box: no layout shift when the editor arrives', async () => {
    const v = await visit('/near', true);
    try {
      // Every layout shift from now on, those right after input included.
      await v.page.evaluate(`window.shifts = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) window.shifts.push(e.value);
        }).observe({ type: 'layout-shift' });`);
      const boxes = () =>
        v.page.evaluate<number[][]>(`['w', 'after'].map((id) => {
          const r = document.getElementById(id).getBoundingClientRect();
          return [r.x, r.y, r.width, r.height];
        })`);
      const before = await boxes();
      v.release();
      await v.widget.locator('.cm-content').waitFor({ timeout: 60_000 });
      assert.deepEqual(await boxes(), before, 'the editor arrived');
      await loaded(v.widget);
      await v.page.waitForTimeout(200);
      assert.deepEqual(await boxes(), before, 'the languages arrived');
      assert.deepEqual(await v.page.evaluate('window.shifts'), []);
    } finally {
      await v.context.close();
    }
  });

  it('the classic script loads the same module bundle and chunks, and the widget works', async () => {
    const v = await visit('/classic');
    try {
      await loaded(v.widget);
      const scripts = v.requests.filter((u) => u.includes('/dist/cdn/'));
      assert.equal(scripts[0], `${e2e.backend.url}/dist/cdn/se-widgets.classic.js`);
      assert.ok(scripts.includes(`${e2e.backend.url}/dist/cdn/se-widgets.js`), scripts.join(', '));
      assert.ok(
        scripts.some((u) => /\/chunks\/se-solve-[^/]*\.js$/.test(u)),
        scripts.join(', '),
      );
      const classic = readFileSync(join(root, 'dist/cdn/se-widgets.classic.js'));
      assert.ok(gzipSync(classic).length < 1024, 'the classic script is a small loader');
    } finally {
      await v.context.close();
    }
  });
});
