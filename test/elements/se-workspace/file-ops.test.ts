import { expect, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { SeWorkspace } from '../../../src/elements/index.js';
import {
  backendUrl,
  createEntry,
  editorText,
  learnerToken,
  mount,
  part,
  record,
  shadow,
  unmountAll,
  until,
  writeFile,
} from './helpers.js';

afterEach(() => unmountAll());

/** The workspace's tree as the backend lists it. */
async function serverPaths(token: string): Promise<string[]> {
  const res = await fetch(`${backendUrl()}/v1/workspace`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: '{}',
  });
  const ws = (await res.json()) as { files: Array<{ path: string }> };
  return ws.files.map((f) => f.path);
}

async function serverText(token: string, path: string): Promise<string | null> {
  const res = await fetch(`${backendUrl()}/v1/workspace/file?path=${encodeURIComponent(path)}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return res.ok ? ((await res.json()) as { content: string }).content : null;
}

const focused = (el: SeWorkspace) => shadow(el).activeElement as HTMLElement | null;
const visible = (el: SeWorkspace) =>
  [...shadow(el).querySelectorAll('[role="treeitem"]')].map((i) => i.getAttribute('data-path'));
const item = (el: SeWorkspace, path: string) =>
  shadow(el).querySelector<HTMLElement>(`[role="treeitem"][data-path="${path}"]`);

/** Focuses a tree item as the learner would land on it (the arrows, then it has the tab stop). */
async function focusItem(el: SeWorkspace, path: string): Promise<void> {
  item(el, 'main.py')?.focus();
  const rows = visible(el);
  const from = rows.indexOf('main.py');
  const to = rows.indexOf(path);
  for (let i = from; i !== to; i += to > from ? 1 : -1)
    await sendKeys({ press: to > from ? 'ArrowDown' : 'ArrowUp' });
  await el.updateComplete;
  expect(focused(el)?.getAttribute('data-path')).to.equal(path);
}

describe('<se-workspace> create, rename and delete (keyboard only)', () => {
  it('New file: Shift+Tab from the tree to the button, a labelled name field, Enter creates and opens it', async () => {
    const token = await learnerToken();
    const el = await mount({ attrs: { token } });
    await until(() => editorText(el).includes('def word_counts'), 'the editor');
    await focusItem(el, 'main.py');
    // The tree is after the header's buttons: Delete, Rename, New folder, New file.
    await sendKeys({ down: 'Shift' });
    for (let i = 0; i < 4; i++) await sendKeys({ press: 'Tab' });
    await sendKeys({ up: 'Shift' });
    expect(focused(el)?.getAttribute('part')).to.equal('new-file-button');
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    const field = part(el, 'name-field') as HTMLInputElement;
    expect(focused(el)).to.equal(field);
    expect(shadow(el).querySelector(`label[for="${field.id}"]`)?.textContent).to.equal(
      'Name of the new file',
    );
    const created = oneEvent(el, 'se-file-create');
    await sendKeys({ type: 'helper.py' });
    await sendKeys({ press: 'Enter' });
    expect((await created).detail).to.deep.equal({ path: 'helper.py', type: 'file' });
    await until(() => el.shadowRoot?.querySelector('[part~="name-form"]') === null, 'the field');
    expect(visible(el)).to.include('helper.py');
    expect(await serverPaths(token)).to.include('helper.py');
    // Opened in a tab; the focus is back in the tree, on the new item.
    await until(
      () =>
        shadow(el)
          .querySelector('[role="tab"][data-path="helper.py"]')
          ?.getAttribute('aria-selected') === 'true',
      'the new tab',
    );
    await until(() => focused(el)?.getAttribute('data-path') === 'helper.py', 'the focus');
    expect(shadow(el).querySelector('[part~="announcer"]')?.textContent).to.contain(
      'Created helper.py.',
    );
  });

  it('F2 renames the focused file; its unsaved edit is saved first and its tab follows', async () => {
    const token = await learnerToken();
    const el = await mount({ attrs: { token } });
    await until(() => editorText(el).includes('def word_counts'), 'the editor');
    await el.setFileContent('main.py', '# renamed with an edit\n');
    const events = record(el, ['se-file-rename', 'se-file-save']);
    await focusItem(el, 'main.py');
    await sendKeys({ press: 'F2' });
    await el.updateComplete;
    const field = part(el, 'name-field') as HTMLInputElement;
    expect(focused(el)).to.equal(field);
    expect(field.value).to.equal('main.py');
    // The name is selected: typing replaces it.
    await sendKeys({ type: 'app.py' });
    await sendKeys({ press: 'Enter' });
    await until(() => events.some((e) => e.type === 'se-file-rename'), 'se-file-rename').catch(
      (err: Error) => {
        const said = shadow(el).querySelector('[part~="explorer-message"]')?.textContent;
        throw new Error(`${err.message}; the tree says: ${said?.trim() ?? '(nothing)'}`);
      },
    );
    expect(events.find((e) => e.type === 'se-file-rename')?.detail).to.deep.equal({
      from: 'main.py',
      to: 'app.py',
      type: 'file',
    });
    // Saved before the rename, not lost.
    expect(events.findIndex((e) => e.type === 'se-file-save')).to.be.lessThan(
      events.findIndex((e) => e.type === 'se-file-rename'),
    );
    expect(await serverText(token, 'app.py')).to.equal('# renamed with an edit\n');
    expect(await serverText(token, 'main.py')).to.equal(null);
    const tabs = [...shadow(el).querySelectorAll('[part~="tabs"] [role="tab"]')];
    expect(tabs.map((t) => t.getAttribute('data-path'))).to.deep.equal(['app.py']);
    await until(() => editorText(el).includes('renamed with an edit'), 'the editor on app.py');
    await until(() => focused(el)?.getAttribute('data-path') === 'app.py', 'the focus');
    // Editing app.py saves to app.py.
    await el.setFileContent('app.py', '# after\n');
    await el.flush();
    expect(await serverText(token, 'app.py')).to.equal('# after\n');
  });

  it('Escape in the name field cancels and puts the focus back on the item', async () => {
    const el = await mount();
    await focusItem(el, 'main.py');
    await sendKeys({ press: 'F2' });
    await el.updateComplete;
    await sendKeys({ type: 'other.py' });
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(shadow(el).querySelector('[part~="name-form"]')).to.equal(null);
    await until(() => focused(el)?.getAttribute('data-path') === 'main.py', 'the focus');
    expect(visible(el)).to.include('main.py');
  });

  it('New folder, then Delete on it asks first (Escape keeps it), then deletes it with its files', async () => {
    const token = await learnerToken();
    const el = await mount({ attrs: { token } });
    await until(() => editorText(el).includes('def word_counts'), 'the editor');
    part(el, 'new-folder-button').focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    await sendKeys({ type: 'lib' });
    const created = oneEvent(el, 'se-file-create');
    await sendKeys({ press: 'Enter' });
    expect((await created).detail).to.deep.equal({ path: 'lib', type: 'dir' });
    await until(() => focused(el)?.getAttribute('data-path') === 'lib', 'the new folder');
    // A file in it, opened in a tab, through the same button (the focused folder is its place).
    part(el, 'new-file-button').focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(shadow(el).querySelector('[part~="name-form"] label')?.textContent).to.equal(
      'Name of the new file in lib',
    );
    await sendKeys({ type: 'util.py' });
    await sendKeys({ press: 'Enter' });
    await until(() => visible(el).includes('lib/util.py'), 'lib/util.py in the tree');
    await until(() => focused(el)?.getAttribute('data-path') === 'lib/util.py', 'its focus');
    await el.setFileContent('lib/util.py', 'x = 1\n');
    await sendKeys({ press: 'ArrowUp' });
    await el.updateComplete;
    expect(focused(el)?.getAttribute('data-path')).to.equal('lib');

    await sendKeys({ press: 'Delete' });
    await el.updateComplete;
    expect(focused(el)?.getAttribute('part')).to.equal('delete-confirm');
    expect(shadow(el).querySelector('.tree-confirm')?.textContent).to.contain(
      'Delete the folder lib and everything in it?',
    );
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(shadow(el).querySelector('.tree-confirm')).to.equal(null);
    await until(() => focused(el)?.getAttribute('data-path') === 'lib', 'the focus back');
    expect(await serverPaths(token)).to.include('lib/util.py');

    await sendKeys({ press: 'Delete' });
    await el.updateComplete;
    const deleted = oneEvent(el, 'se-file-delete');
    await sendKeys({ press: 'Enter' });
    expect((await deleted).detail).to.deep.equal({ path: 'lib', type: 'dir' });
    const paths = await serverPaths(token);
    expect(paths.filter((p) => p.startsWith('lib'))).to.deep.equal([]);
    expect(visible(el).filter((p) => p?.startsWith('lib'))).to.deep.equal([]);
    expect(
      [...shadow(el).querySelectorAll('[part~="tabs"] [role="tab"]')].map((t) =>
        t.getAttribute('data-path'),
      ),
    ).to.deep.equal(['main.py']);
    // The pending edit of the deleted file does not bring it back.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await serverText(token, 'lib/util.py')).to.equal(null);
    // The focus went to the next item, not to the page.
    expect(focused(el)?.getAttribute('role')).to.equal('treeitem');
  });

  it('a name that is taken or not a name is refused in words; the field keeps the text', async () => {
    const el = await mount();
    const errors = record(el, ['se-error']);
    part(el, 'new-file-button').click();
    await el.updateComplete;
    await sendKeys({ type: 'main.py' });
    await sendKeys({ press: 'Enter' });
    await until(() => shadow(el).querySelector('[part~="explorer-message"]') !== null, 'a message');
    const message = part(el, 'explorer-message');
    expect(message.getAttribute('role')).to.equal('alert');
    expect(message.textContent).to.contain('main.py already exists.');
    expect((part(el, 'name-field') as HTMLInputElement).value).to.equal('main.py');
    expect(part(el, 'name-field').getAttribute('aria-invalid')).to.equal('true');
    expect(focused(el)).to.equal(part(el, 'name-field'));
    expect(errors.map((e) => (e.detail as { code: string }).code)).to.deep.equal(['conflict']);
    (part(el, 'name-field') as HTMLInputElement).select();
    await sendKeys({ type: '../x' });
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(part(el, 'explorer-message').textContent).to.contain('without "." or ".." parts');
    (part(el, 'name-field') as HTMLInputElement).select();
    await sendKeys({ type: 'nowhere/x.py' });
    await sendKeys({ press: 'Enter' });
    await until(
      () =>
        (shadow(el).querySelector('[part~="explorer-message"]')?.textContent ?? '').includes(
          'its folder does not exist',
        ),
      'the missing folder said',
    );
    expect(part(el, 'explorer-message').textContent).to.contain('nowhere/x.py');
  });

  it('uses the Polish catalog for the buttons, the field and the confirmation', async () => {
    const el = await mount({ attrs: { locale: 'pl' } });
    expect(part(el, 'new-file-button').textContent?.trim()).to.equal('Nowy plik');
    expect(part(el, 'new-folder-button').textContent?.trim()).to.equal('Nowy folder');
    expect(part(el, 'rename-button').textContent?.trim()).to.equal('Zmień nazwę');
    expect(part(el, 'delete-button').textContent?.trim()).to.equal('Usuń');
    await focusItem(el, 'main.py');
    await sendKeys({ press: 'Delete' });
    await el.updateComplete;
    expect(shadow(el).querySelector('.tree-confirm')?.textContent).to.contain('Usunąć main.py?');
    await sendKeys({ press: 'Escape' });
    await sendKeys({ press: 'F2' });
    await el.updateComplete;
    expect(shadow(el).querySelector('[part~="name-form"] label')?.textContent).to.equal(
      'Nowa nazwa main.py',
    );
  });
});

describe('<se-workspace> tree changes and the policy', () => {
  it('a read-only file: Rename and Delete are off, F2 and Delete say why, the backend keeps it', async () => {
    const token = await learnerToken(undefined, 'workspace-policy');
    await writeFile(token, 'free.py', 'x = 1\n');
    const el = await mount({ attrs: { token } });
    const errors = record(el, ['se-error']);
    await focusItem(el, 'main.py');
    expect(part(el, 'rename-button').hasAttribute('disabled')).to.equal(true);
    expect(part(el, 'delete-button').hasAttribute('disabled')).to.equal(true);
    expect(part(el, 'new-file-button').hasAttribute('disabled')).to.equal(false);
    await sendKeys({ press: 'F2' });
    await el.updateComplete;
    expect(shadow(el).querySelector('[part~="name-form"]')).to.equal(null);
    expect(part(el, 'explorer-message').textContent).to.contain('main.py cannot be changed here.');
    await sendKeys({ press: 'Delete' });
    await el.updateComplete;
    expect(shadow(el).querySelector('.tree-confirm')).to.equal(null);
    // The methods refuse too, with se-error, and the backend would as well.
    let refused = false;
    await el.deleteEntry('main.py').catch(() => (refused = true));
    expect(refused).to.equal(true);
    expect(errors.map((e) => (e.detail as { code: string }).code)).to.deep.equal(['forbidden']);
    const res = await fetch(`${backendUrl()}/v1/workspace/file?path=main.py`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).to.equal(403);
    expect(await serverPaths(token)).to.include('main.py');
    // A file that is not read-only can be renamed.
    await focusItem(el, 'free.py');
    expect(part(el, 'rename-button').hasAttribute('disabled')).to.equal(false);
  });

  it('readonly: every tree change is off', async () => {
    const token = await learnerToken();
    await createEntry(token, 'lib', 'dir');
    const el = await mount({ attrs: { token, readonly: '' } });
    for (const name of ['new-file-button', 'new-folder-button', 'rename-button', 'delete-button'])
      expect(part(el, name).hasAttribute('disabled'), name).to.equal(true);
    await focusItem(el, 'lib');
    await sendKeys({ press: 'Delete' });
    await el.updateComplete;
    expect(shadow(el).querySelector('.tree-confirm')).to.equal(null);
    let refused = false;
    await el.createEntry('x.py').catch(() => (refused = true));
    expect(refused).to.equal(true);
    expect(await serverPaths(token)).to.include('lib');
    expect(await serverPaths(token)).to.not.include('x.py');
  });
});
