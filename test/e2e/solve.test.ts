// End to end: the demo page (script-tag bundle) in Debian's Chromium through playwright-core,
// against the real signing backend and embedded engine started in-process by startAll.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { pickLanguage, root, startLms, useE2e } from './helpers.js';

/** An LMS on another origin: its lesson page loads the script-tag bundle from the backend. */
const e2e = useE2e(
  () => `<!doctype html><html lang="en"><body>
      <script type="module" src="${e2e.backend.url}/dist/cdn/se-widgets.js"></script>
      <se-solve id="run-demo" widget="run-demo"></se-solve></body></html>`,
  ['se-widgets.js', [['build']]],
);
/** A second LMS whose origin nobody listed: it pastes the README's snippet as it stands. */
let unlisted: Server;
let unlistedUrl: string;

before(async () => {
  ({ server: unlisted, url: unlistedUrl } = await startLms(
    () => `<!doctype html><html lang="en"><body>
      <script type="module" src="${e2e.backend.url}/dist/cdn/se-widgets.js"></script>
      <se-solve widget="run-demo"></se-solve></body></html>`,
  ));
});

after(() => unlisted?.close());

async function demo(): Promise<Page> {
  const page = await e2e.browser.newPage();
  await page.goto(`${e2e.backend.url}/`);
  await page.waitForFunction(`[...document.querySelectorAll('se-solve')].every(
    (e) => e.shadowRoot?.querySelector('.cm-content') && !e.shadowRoot.querySelector('select[disabled]'))`);
  return page;
}

/** Replaces the editor's text by typing, as a learner does. */
async function typeProgram(page: Page, widget: Locator, text: string): Promise<void> {
  await widget.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // CodeMirror auto-indents after a newline: type each line from its start.
  for (const [i, line] of text.split('\n').entries()) {
    if (i > 0) {
      await page.keyboard.press('Enter');
      await page.keyboard.press('Shift+Home');
      await page.keyboard.press('Delete');
    }
    await page.keyboard.type(line);
  }
}

async function statusOf(widget: Locator, pattern: RegExp): Promise<string> {
  const status = widget.locator('[part~="status"]');
  await status.filter({ hasText: pattern }).waitFor({ timeout: 60_000 });
  return (await status.textContent()) ?? '';
}

describe('the demo page, end to end', () => {
  it('runs a Python program with input and shows its output', async () => {
    const page = await demo();
    const run = page.locator('#run-demo');
    await pickLanguage(run, 'Python');
    await typeProgram(page, run, 'name = input()\nprint("Hello, " + name + "!")');
    await run.locator('[part~="stdin"]').fill('Ada');
    await run.locator('[part~="run-button"]').click();
    await statusOf(run, /Finished/);
    assert.equal((await run.locator('.output pre').textContent())?.trim(), 'Hello, Ada!');
    await page.close();
  });

  it('shows a runtime error with its message', async () => {
    const page = await demo();
    const run = page.locator('#run-demo');
    await pickLanguage(run, 'Python');
    await typeProgram(page, run, 'print(1 // 0)');
    await run.locator('.cm-content').press('Control+Enter');
    assert.match(await statusOf(run, /Runtime error/), /Runtime error on line 1/);
    assert.match((await run.locator('.stderr pre').textContent()) ?? '', /ZeroDivisionError/);
    await page.close();
  });

  it('submits a wrong then a right answer to the demo problem', async () => {
    const page = await demo();
    const problem = page.locator('#problem-demo');
    assert.equal(
      await problem.locator('[part~="statement"] h2').textContent(),
      'Sum of two integers',
    );
    await pickLanguage(problem, 'Python');
    await typeProgram(page, problem, 'a, b = map(int, input().split())\nprint(a * b)');
    await problem.locator('[part~="submit-button"]').click();
    await statusOf(problem, /Wrong answer/);
    const failedRows = await problem.locator('.tests tbody tr').count();
    assert.ok(failedRows > 0, 'a per-test table');
    await typeProgram(page, problem, 'a, b = map(int, input().split())\nprint(a + b)');
    assert.match(
      (await problem.locator('[part~="results"]').textContent()) ?? '',
      /earlier version/,
      'the old verdict is marked stale',
    );
    await problem.locator('[part~="submit-button"]').click();
    const status = await statusOf(problem, /Accepted/);
    const rows = problem.locator('.tests tbody tr');
    const n = await rows.count();
    assert.ok(n > 0);
    assert.match(status, new RegExp(`${n} of ${n} tests passed`));
    assert.equal(await rows.filter({ hasText: 'Accepted' }).count(), n);
    await page.close();
  });

  it('marks a compile error on its line', async () => {
    const page = await demo();
    const run = page.locator('#run-demo');
    await pickLanguage(run, 'C++');
    await run.evaluate((el: { source: string }) => {
      el.source = 'int main() {\n  return 0\n}\n';
    });
    await run.locator('[part~="run-button"]').click();
    assert.match(await statusOf(run, /Compilation error/), /Compilation error on line \d/);
    await run.locator('.cm-lint-marker-error').first().waitFor();
    const marked = await run.locator('.cm-line:has(.cm-lintRange-error)').count();
    assert.ok(marked >= 1, 'a marked line');
    await page.close();
  });

  it('works on a page of another origin that loads the script-tag bundle', async () => {
    // The module script, the language pack it imports and the API calls all cross origins: the
    // browser fetches each with CORS.
    const page = await e2e.browser.newPage();
    await page.goto(`${e2e.lmsUrl}/lesson.html`);
    const run = page.locator('#run-demo');
    // Ready: the editor is up and the picker holds the languages from the e2e.backend.
    await run.locator('[part~="language-picker"]:enabled').waitFor({ timeout: 30_000 });
    await pickLanguage(run, 'Python');
    await run.evaluate((el: { source: string }) => {
      el.source = 'print("Hello, " + input() + "!")\n';
    });
    await run.locator('[part~="stdin"]').fill('LMS');
    await run.locator('[part~="run-button"]').click();
    await statusOf(run, /Finished/);
    assert.equal((await run.locator('.output pre').textContent())?.trim(), 'Hello, LMS!');
    await page.close();
  });

  it('tells the author of a page on an origin that is not listed what to add, and where', async () => {
    const page = await e2e.browser.newPage();
    await page.goto(`${unlistedUrl}/lesson.html`);
    const widget = page.locator('se-solve');
    const message = widget.locator('[part~="message"]');
    await message.waitFor({ timeout: 30_000 });
    const text = (await message.textContent()) ?? '';
    assert.match(text, new RegExp(`origin \\(${unlistedUrl.replace(/[.]/g, '\\.')}\\)`));
    assert.match(text, /not in the origins of widget "run-demo"/);
    assert.match(text, /course author/);
    assert.doesNotMatch(text, /Cannot reach the server/);
    assert.equal(await widget.locator('[part~="editor"]').isVisible(), false);
    assert.equal(await widget.locator('[part~="run-button"]').isVisible(), false);
    await page.close();
  });

  it('works in the app page built from the npm package (demo/app)', async () => {
    // `npm test` builds dist/ first (the demo app imports dist/elements through the exports map).
    assert.ok(existsSync(join(root, 'dist/demo-app/main.js')), 'dist/demo-app is built');
    const page = await e2e.browser.newPage();
    await page.goto(`${e2e.backend.url}/app.html`);
    const solve = page.locator('#app-solve');
    // The app sets its program on se-ready: a click before it runs the starting code.
    await page.locator('#events', { hasText: 'se-ready' }).waitFor();
    await solve.locator('[part~="run-button"]').click();
    await statusOf(solve, /Finished/);
    assert.equal((await solve.locator('.output pre').textContent())?.trim(), 'Hello, app!');
    assert.match((await page.locator('#events').textContent()) ?? '', /se-result: accepted/);
    await page.close();
  });

  it('leaves no listener, editor or stream behind after 50 mounts and unmounts', async () => {
    const page = await demo();
    const cdp = await page.context().newCDPSession(page);
    const listeners = async () => {
      let total = 0;
      for (const expr of ['window', 'document']) {
        const { result } = await cdp.send('Runtime.evaluate', { expression: expr });
        const { listeners: l } = await cdp.send('DOMDebugger.getEventListeners', {
          objectId: result.objectId as string,
        });
        total += l.length;
      }
      return total;
    };
    const streams = { started: 0, ended: 0 };
    page.on('request', (r) => r.url().endsWith('/events') && streams.started++);
    page.on('requestfinished', (r) => r.url().endsWith('/events') && streams.ended++);
    page.on('requestfailed', (r) => r.url().endsWith('/events') && streams.ended++);
    const before = await listeners();
    // In the page: mount and unmount 50 widgets; some are unmounted while their run is followed.
    await page.evaluate(`(async () => {
      for (let i = 0; i < 50; i++) {
        const el = document.createElement('se-solve');
        el.setAttribute('widget', 'run-demo');
        // Appended below the fold: without this the shell would wait to be scrolled to.
        el.setAttribute('loading', 'eager');
        const ready = new Promise((r) => el.addEventListener('se-ready', r, { once: true }));
        document.body.append(el);
        await ready;
        if (i % 20 === 10) {
          el.source = 'import time\\ntime.sleep(1)\\n';
          const submitted = new Promise((r) => el.addEventListener('se-submit', r, { once: true }));
          void el.run();
          await submitted;
          await new Promise((r) => setTimeout(r, 100));
        }
        el.remove();
      }
    })()`);
    // The browser reports the aborted streams a little later: wait for them, within a bound.
    for (const end = Date.now() + 15_000; streams.ended < streams.started && Date.now() < end;)
      await page.waitForTimeout(50);
    assert.equal(await listeners(), before, 'window and document listeners');
    assert.equal(
      await page.evaluate(
        `[...document.querySelectorAll('se-solve')].filter((e) => e.shadowRoot?.querySelector('.cm-editor')).length`,
      ),
      2,
      'only the two demo editors are left',
    );
    assert.ok(streams.started >= 2, 'streams were opened');
    assert.equal(streams.ended, streams.started, 'every result stream was closed');
    await page.close();
  });
});
