// End to end: <se-workspace> on the demo's /workspace.html (and on an LMS page of another origin
// with host-signed tokens) in Debian's Chromium through playwright-core, against the real signing
// backend and embedded engine (Containers module: bubblewrap workspaces, scenarios, terminals).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { signSession } from '../../src/server/index.js';
import { root, useE2e } from './helpers.js';

const tokens = new Map<string, string>();
const LEARNERS = [
  ['workspace-c-demo', 'ro-learner'],
  ['workspace-demo', 'two-tabs-learner'],
] as const;

/** An LMS on another origin: `/<widget>/<learner>` is a page with that learner's own token. */
const e2e = useE2e(
  (path) => `<!doctype html><html lang="en"><body>
      <script type="module" src="${e2e.backend.url}/dist/cdn/se-widgets.js"></script>
      <se-workspace id="ws" token="${tokens.get(path) ?? ''}"></se-workspace></body></html>`,
  ['se-widgets.js', [['build']]],
  async ({ backend }) => {
    for (const [widget, sub] of LEARNERS) {
      const { token } = await signSession({
        secret: backend.sessionSecret,
        widget,
        sub,
        actions: ['workspace'],
        ttlSeconds: 900,
      });
      tokens.set(`/${widget}/${sub}`, token);
    }
  },
);

/** Waits until the workspace `ws` shows an editor with `file` open in it. */
async function ready(ws: Locator, file: string): Promise<void> {
  await ws
    .locator(`[role="tab"][data-path="${file}"][aria-selected="true"]`)
    .waitFor({ timeout: 60_000 });
  await ws.locator('.cm-content').waitFor({ timeout: 60_000 });
}

/** A browser context that counts the page's scenario results (`window.seResults`). */
async function newContext(): Promise<BrowserContext> {
  const context = await e2e.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(`window.seResults = 0;
    document.addEventListener('se-scenario-result', () => window.seResults++);`);
  return context;
}

/** A fresh learner (a context of its own: its own session, so its own workspace) on the demo. */
async function demo(id: 'python-project' | 'c-project'): Promise<{ page: Page; ws: Locator }> {
  const page = await (await newContext()).newPage();
  await page.goto(`${e2e.backend.url}/workspace.html`);
  const ws = page.locator(`#${id}`);
  await ws.scrollIntoViewIfNeeded();
  await ready(ws, id === 'c-project' ? 'main.c' : 'main.py');
  return { page, ws };
}

/** The editor's text, as its lines show it once two readings 50 ms apart agree (no redraw). */
async function editorText(ws: Locator): Promise<string> {
  const read = async () => (await ws.locator('.cm-content .cm-line').allTextContents()).join('\n');
  let last = await read();
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const now = await read();
    if (now === last) return now;
    last = now;
  }
  return last;
}

/** Replaces the open file's text with the keyboard: select all, then the new text as one input. */
async function replaceText(page: Page, ws: Locator, text: string): Promise<void> {
  await ws.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

/** Runs a scenario with its toolbar button and waits for its final status line. */
async function runScenario(ws: Locator, name: string): Promise<string> {
  const page = ws.page();
  const seen = Number(await page.evaluate('window.seResults'));
  await ws.locator(`[data-scenario="${name}"]`).click();
  await page.waitForFunction(`window.seResults > ${seen}`, undefined, { timeout: 90_000 });
  const line = ws.locator('.status-line');
  return (await line.textContent())?.replace(/\s+/g, ' ').trim() ?? '';
}

/** The terminal's rows as text, trailing blanks dropped. */
async function terminalLines(ws: Locator): Promise<string[]> {
  return (await ws.locator('.xterm-rows > div').allTextContents()).map((l) => l.trimEnd());
}

async function waitForLine(ws: Locator, test: (line: string) => boolean, what: string) {
  const until = Date.now() + 30_000;
  for (;;) {
    const lines = await terminalLines(ws);
    if (lines.some(test)) return lines;
    if (Date.now() > until)
      assert.fail(`${what} never appeared in the terminal:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Opens the Terminal tab, waits for the shell's prompt and gives the terminal the focus. */
async function openTerminal(ws: Locator): Promise<void> {
  await ws.locator('[role="tab"][data-panel="terminal"]').click();
  await waitForLine(ws, (l) => /\$$/.test(l), 'a prompt');
  await ws.locator('.xterm').click();
}

const pyTemplate = readFileSync(join(root, 'projects/PYTHON-UNITTEST/workspace/main.py'), 'utf8');
const cTemplate = readFileSync(join(root, 'projects/C-MAKE/workspace/main.c'), 'utf8');

/** main.py with word_counts() counting runs of `chars`. */
function wordCounts(chars: string): string {
  return `"""Count words."""
import re


def word_counts(text):
    counts = {}
    for word in re.findall(r"[${chars}]+", text.lower()):
        counts[word] = counts.get(word, 0) + 1
    return counts
`;
}

describe('<se-workspace> end to end: the demo page, and an LMS page with host-signed tokens', () => {
  it('names the failing test of an edited Python file, then passes them all once fixed', async () => {
    const { page, ws } = await demo('python-project');
    assert.equal(await editorText(ws), pyTemplate, 'the template is open');
    // Letters only: the digits test fails, the three others pass.
    await replaceText(page, ws, wordCounts('a-z'));
    assert.match(await runScenario(ws, 'test'), /Test: Tests failed\./);
    const rows = ws.locator('[part~="tests"] tbody tr');
    assert.equal(await rows.count(), 4);
    const failing = ws.locator('[part~="tests"] tbody tr:not([data-status="ok"]) .test-name');
    assert.deepEqual(
      (await failing.allTextContents()).map((t) => t.trim()),
      ['test_main.WordCountsTest.test_digits'],
    );
    assert.match(
      (await ws.locator('[part~="tests"] caption').textContent()) ?? '',
      /3 of 4 tests passed/,
    );

    await replaceText(page, ws, wordCounts('a-z0-9'));
    assert.match(await runScenario(ws, 'test'), /Test: Success\./);
    assert.match(
      (await ws.locator('[part~="tests"] caption').textContent()) ?? '',
      /4 of 4 tests passed/,
    );
    assert.equal(await ws.locator('[part~="tests"] tbody tr[data-status="ok"]').count(), 4);
    await page.context().close();
  });

  it('marks a build error of the C project on its line of main.c', async () => {
    const { page, ws } = await demo('c-project');
    const lines = cTemplate.trimEnd().split('\n');
    const todo = lines.findIndex((l) => l.includes('TODO'));
    assert.ok(todo > 0);
    // `n` is not declared: gcc stops at this line.
    lines[todo] = '    while (scanf("%lld", &n) == 1) sum += n;';
    await replaceText(page, ws, lines.join('\n') + '\n');
    assert.match(await runScenario(ws, 'run'), /Run: Build error\./);
    await ws.locator('.cm-lint-marker-error').first().waitFor({ timeout: 10_000 });
    const marked = ws.locator('.cm-line:has(.cm-lintRange-error)');
    assert.equal(await marked.count(), 1, 'one marked line');
    assert.match((await marked.textContent()) ?? '', /scanf\("%lld", &n\)/);
    // The gutter's error marker sits beside that line's number.
    const gutter = ws.locator('.cm-gutterElement:has(.cm-lint-marker-error)');
    const lineNumbers = ws.locator('.cm-lineNumbers .cm-gutterElement');
    const markerBox = await gutter.first().boundingBox();
    const numberBox = await lineNumbers
      .filter({ hasText: new RegExp(`^${todo + 1}$`) })
      .boundingBox();
    assert.ok(markerBox && numberBox);
    assert.ok(Math.abs(markerBox.y - numberBox.y) < 4, 'the marker is on that line');
    await page.context().close();
  });

  it('runs a program in the terminal that asks for input, and takes the answer', async () => {
    const { page, ws } = await demo('python-project');
    await openTerminal(ws);
    // The prompt is built at run time, so the echoed command line never matches it.
    await page.keyboard.type(`python3 -c 'print("Hello, " + input("Na" + "me? ") + "!")'\n`);
    await waitForLine(ws, (l) => /^Name\?$/.test(l.trim()), 'the question');
    await page.keyboard.type('Ada\n');
    await waitForLine(ws, (l) => l.trim() === 'Hello, Ada!', 'the answer');
    await page.context().close();
  });

  it('finds an edit made just before a reload', async () => {
    const { page, ws } = await demo('python-project');
    await ws.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    // The template ends with a newline: the last line is empty.
    await page.keyboard.type('# edited just before the reload');
    // At once, while the edit is not saved yet (the autosave waits a second after the last key).
    assert.equal(
      (await ws.locator('[part~="save-state"]').textContent())?.trim(),
      'Saving…',
      'the edit is not saved yet',
    );
    await page.reload();
    const again = page.locator('#python-project');
    await ready(again, 'main.py');
    await again
      .locator('.cm-line', { hasText: '# edited just before the reload' })
      .waitFor({ timeout: 10_000 });
    assert.equal(await editorText(again), `${pyTemplate}# edited just before the reload`);
    // And it reaches the workspace.
    await again
      .locator('[part~="save-state"]', { hasText: 'All changes saved' })
      .waitFor({ timeout: 10_000 });
    await page.context().close();
  });

  it('does not let the learner change a read-only file', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${e2e.lmsUrl}/workspace-c-demo/ro-learner`);
    const ws = page.locator('#ws');
    await ready(ws, 'main.c');
    const item = ws.locator('[role="treeitem"][data-path="Makefile"]');
    assert.match((await item.textContent()) ?? '', /read-only/);
    await item.click();
    await ready(ws, 'Makefile');
    const before = await editorText(ws);
    assert.match(before, /^CFLAGS/);
    assert.equal(await ws.locator('.cm-content').getAttribute('aria-readonly'), 'true');
    await ws.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\nall: evil\n');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    assert.equal(await editorText(ws), before, 'the editor refused the edit');
    // Nor around the element: the backend refuses to write it for this learner.
    const token = tokens.get('/workspace-c-demo/ro-learner') ?? '';
    const res = await fetch(`${e2e.backend.url}/v1/workspace/file`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ path: 'Makefile', content: 'all: evil\n' }),
    });
    assert.equal(res.status, 403);
    const read = await fetch(`${e2e.backend.url}/v1/workspace/file?path=Makefile`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(((await read.json()) as { content: string }).content, before);
    // Nor from the terminal: the file is mounted read-only in the workspace's sandbox.
    await openTerminal(ws);
    await page.keyboard.type('echo "all: evil" >> Makefile; echo "exit $?"\n');
    await waitForLine(ws, (l) => /^exit [0-9]+$/.test(l.trim()), 'the exit code');
    const lines = await terminalLines(ws);
    assert.ok(
      lines.some((l) => /Makefile: (Read-only file system|Permission denied)$/.test(l)),
      lines.join('\n'),
    );
    assert.ok(lines.some((l) => l.trim() === 'exit 1'));
    await page.keyboard.type('head -c 6 Makefile; echo\n');
    await waitForLine(ws, (l) => l.trim() === 'CFLAGS', 'the Makefile');
    await context.close();
  });

  it('hands the terminal to a second tab, and the first one says so', async () => {
    const context = await newContext();
    const url = `${e2e.lmsUrl}/workspace-demo/two-tabs-learner`;
    const first = await context.newPage();
    await first.goto(url);
    const ws1 = first.locator('#ws');
    await ready(ws1, 'main.py');
    await openTerminal(ws1);
    await first.keyboard.type('echo first-$((40 + 2))\n');
    await waitForLine(ws1, (l) => l.trim() === 'first-42', "the first tab's output");

    const second = await context.newPage();
    await second.goto(url);
    const ws2 = second.locator('#ws');
    await ready(ws2, 'main.py');
    await openTerminal(ws2);
    // The same shell: the second tab gets what the first one showed, and takes the input.
    await waitForLine(ws2, (l) => l.trim() === 'first-42', 'the replay');
    await second.keyboard.type('echo second-$((40 + 3))\n');
    await waitForLine(ws2, (l) => l.trim() === 'second-43', "the second tab's output");

    const note = ws1.locator('.terminal-note');
    await note
      .filter({ hasText: 'The terminal was opened in another window.' })
      .waitFor({ timeout: 10_000 });
    assert.equal(await note.getByRole('button', { name: 'Reconnect' }).count(), 1);
    assert.ok(!(await terminalLines(ws1)).some((l) => l.trim() === 'second-43'));
    await context.close();
  });
});
