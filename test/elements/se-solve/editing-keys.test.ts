// The editor's key bindings and undo history come in their own chunk on the first focus of an
// editor, not with the editor: a widget that is only looked at does not fetch them.
import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { mount, pick, unmountAll, until } from '../helpers.js';

afterEach(() => unmountAll());

const fetched = () =>
  performance
    .getEntriesByType('resource')
    .some((e) => /\/editor\/editing-keys\.[jt]s/.test(e.name));

describe('<se-solve> key bindings on first use', () => {
  it('loads them on the first focus; then Tab indents and Ctrl+Z undoes', async () => {
    const el = await mount();
    await pick(el, 'Python');
    expect(fetched(), 'fetched before any focus').to.equal(false);
    el.source = 'x = 1\n';
    el.focus();
    await until(fetched, 'the key bindings fetched');
    await sendKeys({ press: 'Tab' });
    await until(() => el.source.startsWith('    x = 1'), 'Tab indented');
    await sendKeys({ down: 'Control' });
    try {
      await sendKeys({ press: 'z' });
    } finally {
      await sendKeys({ up: 'Control' });
    }
    await until(() => el.source === 'x = 1\n', 'Ctrl+Z undid the indent');
  });
});
