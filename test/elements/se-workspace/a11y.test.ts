import { expect } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import type { SeWorkspace } from '../../../src/elements/index.js';
import { sendKeys } from '@web/test-runner-commands';
import { editorText, mount, part, shadow, unmountAll, until } from './helpers.js';
import { seriousFindings } from '../dom.js';

/** A workspace with a failed test run shown, the Tests tab selected. */
async function withResults(attrs: Record<string, string> = {}): Promise<SeWorkspace> {
  return withResultsIn(undefined, attrs);
}

async function withResultsIn(
  parent: HTMLElement | undefined,
  attrs: Record<string, string>,
  style?: string,
): Promise<SeWorkspace> {
  const el = await mount({ attrs, ...(parent ? { parent } : {}), ...(style ? { style } : {}) });
  await until(() => editorText(el).includes('def word_counts'), 'the editor');
  await el.runScenario('test');
  await el.updateComplete;
  return el;
}

afterEach(async () => {
  unmountAll();
  document.querySelectorAll('[data-a11y-fixture]').forEach((n) => n.remove());
  await setViewport({ width: 800, height: 600 });
});

/** The tree's changes drawn: the name field with a refusal, then the delete confirmation. */
async function findingsWithTreeForms(el: SeWorkspace): Promise<string[]> {
  const out: string[] = [];
  part(el, 'new-file-button').click();
  await el.updateComplete;
  const field = part(el, 'name-field') as HTMLInputElement;
  field.value = 'main.py';
  field.dispatchEvent(new Event('input'));
  (part(el, 'name-form') as HTMLFormElement).requestSubmit();
  await until(() => shadow(el).querySelector('[part~="explorer-message"]') !== null, 'a refusal');
  out.push(...(await seriousFindings(el)));
  shadow(el).querySelector<HTMLElement>('[role="treeitem"][data-path="main.py"]')?.focus();
  await sendKeys({ press: 'Delete' });
  await el.updateComplete;
  expect(shadow(el).querySelector('.tree-confirm')).to.not.equal(null);
  out.push(...(await seriousFindings(el)));
  await sendKeys({ press: 'Escape' });
  await el.updateComplete;
  return out;
}

/** The element's deepest focused node, through shadow roots. */
function deepActive(): Element | null {
  let a: Element | null = document.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a;
}

function stopName(a: Element | null): string {
  if (!a) return 'none';
  const partName = a.getAttribute('part');
  if (partName) return partName.split(' ')[0]!;
  if (a.classList.contains('cm-content')) return 'editor';
  if (a.classList.contains('xterm-helper-textarea')) return 'terminal';
  const role = a.getAttribute('role');
  if (role === 'treeitem') return 'treeitem';
  if (role === 'tab') return a.hasAttribute('data-panel') ? 'panel-tab' : 'file-tab';
  if (role === 'tabpanel') return 'tabpanel';
  return `${a.tagName.toLowerCase()}${a.className ? `.${a.className}` : ''}`;
}

describe('<se-workspace> accessibility (axe-core)', () => {
  for (const theme of ['light', 'dark']) {
    it(`has no serious or critical finding in the ${theme} theme at 1280 px: tests, output, tree forms`, async () => {
      await setViewport({ width: 1280, height: 800 });
      const el = await withResults({ theme });
      expect(el.getBoundingClientRect().width).to.be.greaterThan(1000);
      expect(await seriousFindings(el)).to.deep.equal([]);
      // The Output tab too.
      shadow(el).querySelector<HTMLElement>('[role="tab"][data-panel="output"]')?.click();
      await el.updateComplete;
      expect(await seriousFindings(el)).to.deep.equal([]);
      // The name field with a refusal, and the delete confirmation.
      expect(await findingsWithTreeForms(el)).to.deep.equal([]);
    });

    it(`has no serious or critical finding in the ${theme} theme with the terminal in screen reader mode`, async () => {
      await setViewport({ width: 1280, height: 800 });
      const el = await mount({ attrs: { theme, terminal: 'open', 'terminal-screen-reader': '' } });
      await until(
        () => shadow(el).querySelector('.xterm-accessibility-tree') !== null,
        'the terminal',
        30000,
      );
      expect(await seriousFindings(el)).to.deep.equal([]);
    });
  }

  it('has no serious or critical finding with the terminal open and with the Polish catalog', async () => {
    const el = await mount({ attrs: { locale: 'pl', terminal: 'open' } });
    await until(() => shadow(el).querySelector('.xterm') !== null, 'the terminal', 30000);
    expect(
      shadow(el).querySelector('[data-panel="terminal"]')?.getAttribute('aria-selected'),
    ).to.equal('true');
    expect(shadow(el).querySelector('[part~="scenario-button"]')?.textContent?.trim()).to.equal(
      'Uruchom',
    );
    expect(await seriousFindings(el)).to.deep.equal([]);
  });

  for (const theme of ['light', 'dark'])
    it(`stacks tree, editor and panel at 360 px (${theme}), without horizontal scrolling or findings`, async () => {
      await setViewport({ width: 360, height: 800 });
      const el = await withResults({ theme });
      const root = shadow(el);
      const tree = root.querySelector('[part~="explorer"]')!.getBoundingClientRect();
      const editor = root.querySelector('[part~="editor"]')!.getBoundingClientRect();
      const panel = root.querySelector('[part~="panel"]')!.getBoundingClientRect();
      expect(tree.bottom).to.be.at.most(editor.top + 1);
      expect(editor.bottom).to.be.at.most(panel.top + 1);
      for (const r of [tree, editor, panel]) expect(r.right).to.be.at.most(361);
      expect(document.documentElement.scrollWidth).to.be.at.most(360);
      // The file buttons wrap inside the tree's box.
      const actions = root.querySelector('[part~="file-actions"]')!.getBoundingClientRect();
      expect(actions.right).to.be.at.most(361);
      expect(await seriousFindings(el)).to.deep.equal([]);
      expect(await findingsWithTreeForms(el)).to.deep.equal([]);
    });

  for (const theme of ['light', 'dark'])
    it(`fits a 600 px-high frame (${theme}): every part on screen, nothing scrolls the page, no findings`, async () => {
      await setViewport({ width: 1024, height: 600 });
      const box = document.createElement('div');
      box.dataset.a11yFixture = '';
      box.style.cssText = 'height:600px;margin:0;overflow:hidden';
      document.body.style.margin = '0';
      document.body.append(box);
      const el = await withResultsIn(box, { theme }, '--se-workspace-height: 100%');
      const root = shadow(el);
      const r = el.getBoundingClientRect();
      expect(Math.round(r.height)).to.equal(600);
      for (const name of ['toolbar', 'explorer', 'tabs', 'editor', 'panel']) {
        const p = root.querySelector(`[part~="${name}"]`)!.getBoundingClientRect();
        expect(p.top, name).to.be.at.least(-1);
        expect(p.bottom, name).to.be.at.most(601);
        expect(p.height, name).to.be.greaterThan(20);
      }
      // The editor keeps room to edit in: several lines.
      expect(root.querySelector('.cm-editor')!.getBoundingClientRect().height).to.be.greaterThan(
        100,
      );
      expect(document.documentElement.scrollHeight).to.be.at.most(600);
      expect(await seriousFindings(el)).to.deep.equal([]);
      document.body.style.margin = '';
    });

  it('finds the missing name when a label is taken away (the check is not blind)', async () => {
    const el = await withResults();
    const tree = shadow(el).querySelector('[role="tree"]');
    tree?.removeAttribute('aria-labelledby');
    const content = shadow(el).querySelector('.cm-content');
    content?.removeAttribute('aria-label');
    const findings = await seriousFindings(el);
    expect(
      findings.some((f) => f.includes('aria-input-field-name') || f.includes('label')),
    ).to.equal(true, findings.join('\n'));
  });
});

describe('<se-workspace> keyboard only', () => {
  it('Tab reaches every part in order and leaves the element (Escape then Tab out of the editor and terminal)', async () => {
    const before = document.createElement('button');
    before.textContent = 'before';
    before.dataset.a11yFixture = '';
    document.body.prepend(before);
    const el = await mount({ attrs: { terminal: 'open' } });
    const after = document.createElement('button');
    after.textContent = 'after';
    after.dataset.a11yFixture = '';
    document.body.append(after);
    await until(() => shadow(el).querySelector('.xterm') !== null, 'the terminal', 30000);
    await until(() => editorText(el).includes('def word_counts'), 'the editor');
    before.focus();
    const stops: string[] = [];
    for (let i = 0; i < 40; i++) {
      await sendKeys({ press: 'Tab' });
      const a = deepActive();
      if (a === after) break;
      const name = stopName(a);
      stops.push(name);
      if (name === 'editor' || name === 'terminal') await sendKeys({ press: 'Escape' });
    }
    expect(deepActive()).to.equal(after, stops.join(' > '));
    const order = [
      'scenario-button',
      'reset-button',
      'fullscreen-button',
      'new-file-button',
      'new-folder-button',
      'rename-button',
      'delete-button',
      'treeitem',
      'file-tab',
      'editor',
      'panel-tab',
      'screen-reader-button',
      'terminal',
    ];
    // Each part in this order (each once, the scenario buttons once each).
    const seen = stops.filter((s, i) => s !== stops[i - 1]);
    expect(seen).to.deep.equal(order, stops.join(' > '));
    expect(stops.filter((s) => s === 'scenario-button').length).to.equal(2);
    expect(stops.filter((s) => s === 'treeitem').length).to.equal(1);
  });

  it('runs a scenario, switches the panel, toggles full screen and cancels Reset with keys alone', async () => {
    const el = await mount();
    await until(() => editorText(el).includes('def word_counts'), 'the editor');
    const root = shadow(el);
    root.querySelector<HTMLElement>('[part~="scenario-button"][data-scenario="test"]')!.focus();
    const done = new Promise((r) => el.addEventListener('se-scenario-result', r, { once: true }));
    await sendKeys({ press: 'Enter' });
    await done;
    await el.updateComplete;
    expect(part(el, 'announcer').textContent).to.contain('Test: Tests failed.');
    // The panel's tabs: the Tests tab is selected; Left goes to Output.
    root.querySelector<HTMLElement>('[role="tab"][data-panel="tests"]')!.focus();
    await sendKeys({ press: 'ArrowLeft' });
    await el.updateComplete;
    expect(root.querySelector('[data-panel="output"]')?.getAttribute('aria-selected')).to.equal(
      'true',
    );
    expect(stopName(deepActive())).to.equal('panel-tab');
    // Its content is reachable (the output is a tab stop).
    await sendKeys({ press: 'Tab' });
    expect(deepActive()?.getAttribute('part')).to.equal('output');
    // Full screen (the fallback when the browser refuses) and back, from the keyboard.
    part(el, 'fullscreen-button').focus();
    await sendKeys({ press: 'Enter' });
    await until(() => part(el, 'fullscreen-button').getAttribute('aria-pressed') === 'true', 'on');
    await sendKeys({ press: 'Enter' });
    await until(
      () => part(el, 'fullscreen-button').getAttribute('aria-pressed') === 'false',
      'off',
    );
    // Reset asks; the focus goes to its confirmation, and Cancel brings it back.
    part(el, 'reset-button').focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(deepActive()?.getAttribute('part')).to.equal('reset-confirm');
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    await until(() => deepActive()?.getAttribute('part') === 'reset-button', 'the focus back');
  });
});
