import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { editorText, mount, part, shadow, unmountAll, until } from './helpers.js';

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
