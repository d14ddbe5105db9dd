import { expect, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import {
  createEntry,
  editorText,
  learnerToken,
  mount,
  part,
  shadow,
  unmountAll,
  until,
  writeFile,
} from './helpers.js';

afterEach(() => unmountAll());

describe('<se-workspace> tree and tabs', () => {
  it('opens the workspace: the tree lists main.py, the editor shows it, scenarios default first', async () => {
    const el = await mount();
    const root = shadow(el);
    const tree = part(el, 'tree');
    expect(tree.getAttribute('role')).to.equal('tree');
    const items = [...tree.querySelectorAll('[role="treeitem"]')].map((i) =>
      i.getAttribute('data-path'),
    );
    expect(items).to.include('main.py');
    // Hidden project parts (the tests folder) are not in the tree.
    expect(items.some((p) => p?.startsWith('tests'))).to.equal(false);
    await until(() => editorText(el).includes('def word_counts'), 'the editor text');
    const tab = root.querySelector('[role="tab"][data-path="main.py"]');
    expect(tab?.getAttribute('aria-selected')).to.equal('true');
    const buttons = [...root.querySelectorAll('[part~="scenario-button"]')].map((b) =>
      b.getAttribute('data-scenario'),
    );
    expect(buttons).to.deep.equal(['run', 'test']);
    expect(
      root.querySelector('[part~="default-scenario"]')?.getAttribute('data-scenario'),
    ).to.equal('run');
  });
});

describe('<se-workspace> keyboard', () => {
  it('moves through the tree with the arrows, opens folders and files with Enter, tabs with arrows', async () => {
    const token = await learnerToken();
    await createEntry(token, 'lib', 'dir');
    await writeFile(token, 'lib/util.py', 'def helper():\n    return 1\n');
    await writeFile(token, 'notes.txt', 'notes\n');
    const el = await mount({ attrs: { token } });
    const root = shadow(el);
    const focusedPath = () =>
      (root.activeElement as HTMLElement | null)?.getAttribute('data-path') ?? null;
    const visible = () =>
      [...root.querySelectorAll('[role="treeitem"]')].map((i) => i.getAttribute('data-path'));
    // Folders first, then files; the folder starts closed (the first file is not in it).
    expect(visible()).to.deep.equal(['lib', 'main.py', 'notes.txt']);
    const lib = root.querySelector<HTMLElement>('[data-path="lib"]');
    expect(lib?.getAttribute('aria-expanded')).to.equal('false');
    expect(root.querySelector('[data-path="main.py"]')?.getAttribute('aria-selected')).to.equal(
      'true',
    );
    // One tab stop: the focused item.
    expect(
      [...root.querySelectorAll('[role="treeitem"]')].filter(
        (i) => i.getAttribute('tabindex') === '0',
      ).length,
    ).to.equal(1);
    root.querySelector<HTMLElement>('[data-path="main.py"]')?.focus();
    await sendKeys({ press: 'ArrowUp' });
    await el.updateComplete;
    expect(focusedPath()).to.equal('lib');
    await sendKeys({ press: 'ArrowRight' });
    await el.updateComplete;
    expect(lib?.getAttribute('aria-expanded')).to.equal('true');
    expect(visible()).to.deep.equal(['lib', 'lib/util.py', 'main.py', 'notes.txt']);
    expect(root.querySelector('[data-path="lib/util.py"]')?.getAttribute('aria-level')).to.equal(
      '2',
    );
    await sendKeys({ press: 'ArrowRight' });
    await el.updateComplete;
    expect(focusedPath()).to.equal('lib/util.py');
    const opened = oneEvent(el, 'se-file-open');
    await sendKeys({ press: 'Enter' });
    expect((await opened).detail.path).to.equal('lib/util.py');
    await until(() => editorText(el).includes('def helper'), 'util.py in the editor');
    expect(
      root.querySelector('[role="tab"][data-path="lib/util.py"]')?.getAttribute('aria-selected'),
    ).to.equal('true');
    // Left goes to the parent, Left again closes it.
    await sendKeys({ press: 'ArrowLeft' });
    await el.updateComplete;
    expect(focusedPath()).to.equal('lib');
    await sendKeys({ press: 'ArrowLeft' });
    await el.updateComplete;
    expect(visible()).to.deep.equal(['lib', 'main.py', 'notes.txt']);
    await sendKeys({ press: 'End' });
    await el.updateComplete;
    expect(focusedPath()).to.equal('notes.txt');
    await sendKeys({ press: ' ' });
    await until(() => editorText(el).includes('notes'), 'notes.txt in the editor');

    // The file tabs: one editor state each, Left and Right move between them.
    const tabs = () => [...root.querySelectorAll('[part~="tabs"] [role="tab"]')];
    expect(tabs().map((t) => t.getAttribute('data-path'))).to.deep.equal([
      'main.py',
      'lib/util.py',
      'notes.txt',
    ]);
    (tabs()[2] as HTMLElement).focus();
    await sendKeys({ press: 'ArrowLeft' });
    await until(() => editorText(el).includes('def helper'), 'util.py again');
    expect((root.activeElement as HTMLElement).getAttribute('data-path')).to.equal('lib/util.py');
    await sendKeys({ press: 'ArrowRight' });
    await sendKeys({ press: 'ArrowRight' });
    await until(() => editorText(el).includes('def word_counts'), 'main.py again (wrapping)');
  });

  it("keeps each file's own editor state (text, undo) across tab switches", async () => {
    const token = await learnerToken();
    await writeFile(token, 'other.py', 'x = 1\n');
    const el = await mount({ attrs: { token } });
    await until(() => editorText(el).includes('def word_counts'), 'main.py');
    (shadow(el).querySelector('.cm-content') as HTMLElement).focus();
    await sendKeys({ type: '# mine' });
    await el.openFile('other.py');
    await until(() => editorText(el).includes('x = 1'), 'other.py');
    expect(
      shadow(el).querySelector(
        '[role="tab"][data-path="main.py"] .dirty, [role="tab"][data-path="main.py"]',
      )?.textContent,
    ).to.contain('main.py');
    await el.openFile('main.py');
    await until(() => editorText(el).includes('# mine'), 'main.py keeps the edit');
    (shadow(el).querySelector('.cm-content') as HTMLElement).focus();
    await sendKeys({ down: 'Control' });
    await sendKeys({ press: 'z' });
    await sendKeys({ up: 'Control' });
    await until(() => !editorText(el).includes('# mine'), 'undo in main.py');
  });

  it('marks a read-only file in the tree and the tab; its editor does not change', async () => {
    const token = await learnerToken(undefined, 'workspace-policy');
    const el = await mount({ attrs: { token } });
    const root = shadow(el);
    expect(
      root.querySelector('[role="treeitem"][data-path="main.py"] .badge')?.textContent,
    ).to.equal('read-only');
    expect(root.querySelector('[role="tab"][data-path="main.py"] .badge')?.textContent).to.equal(
      'read-only',
    );
    await until(() => editorText(el).includes('def word_counts'), 'the editor');
    const content = root.querySelector<HTMLElement>('.cm-content');
    expect(content?.getAttribute('aria-readonly')).to.equal('true');
    content?.focus();
    await sendKeys({ type: 'nope' });
    expect(editorText(el)).to.not.contain('nope');
    expect(await el.getFileContent('main.py')).to.not.contain('nope');
    expect(root.querySelector('.hint')?.textContent).to.contain('This file is read-only.');
  });
});
