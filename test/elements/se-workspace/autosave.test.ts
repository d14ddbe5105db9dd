import { expect, oneEvent } from '@open-wc/testing';
import type { SeWorkspace } from '../../../src/elements/index.js';
import {
  backendUrl,
  editorText,
  learnerToken,
  mount,
  part,
  shadow,
  unmountAll,
  until,
  writeFile,
} from './helpers.js';

afterEach(() => {
  unmountAll();
  localStorage.clear();
});

/** Writes a file behind the element's back, as another tab would. */
async function writeElsewhere(token: string, path: string, content: string): Promise<void> {
  const res = await fetch(`${backendUrl()}/v1/workspace/file`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ path, content }),
  });
  if (!res.ok) throw new Error(`PUT: ${res.status} ${await res.text()}`);
}

function saveState(el: SeWorkspace): string {
  return part(el, 'save-state').textContent?.trim() ?? '';
}

describe('<se-workspace> autosave', () => {
  it('saves an edit about a second later and a new element (a reload) shows it', async () => {
    const token = await learnerToken();
    const el = await mount({ attrs: { token } });
    await until(() => editorText(el).includes('def word_counts'), 'the editor');
    const saved = oneEvent(el, 'se-file-save');
    await el.setFileContent('main.py', 'print("edited once")\n');
    await until(() => saveState(el) === 'Saving…', 'the saving state', 2000);
    const t0 = Date.now();
    const ev = await saved;
    expect(Date.now() - t0).to.be.greaterThan(500);
    expect(ev.detail.path).to.equal('main.py');
    await until(() => saveState(el) === 'All changes saved', 'the saved state');
    el.remove();
    const again = await mount({ attrs: { token } });
    await until(() => editorText(again).includes('edited once'), 'the edit after the reload');
    expect(await again.getFileContent('main.py')).to.equal('print("edited once")\n');
  });

  it('shows a conflict when the file changed elsewhere, and "Keep my version" saves mine', async () => {
    const token = await learnerToken();
    const el = await mount({ attrs: { token } });
    await until(() => editorText(el).includes('def word_counts'), 'the editor');
    await writeElsewhere(token, 'main.py', 'print("from another tab")\n');
    const error = oneEvent(el, 'se-error');
    await el.setFileContent('main.py', 'print("mine")\n');
    expect((await error).detail.code).to.equal('conflict');
    await el.updateComplete;
    const message = part(el, 'message');
    expect(message.textContent).to.contain('main.py was changed elsewhere');
    expect(saveState(el)).to.equal('Unsaved changes');
    const saved = oneEvent(el, 'se-file-save');
    part(el, 'keep-mine').click();
    await saved;
    await el.updateComplete;
    expect(shadow(el).querySelector('[part~="keep-mine"]')).to.equal(null);
    const res = await fetch(`${backendUrl()}/v1/workspace/file?path=main.py`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(((await res.json()) as { content: string }).content).to.equal('print("mine")\n');
  });

  it('"Load the saved version" takes the other tab\'s text', async () => {
    const token = await learnerToken();
    const el = await mount({ attrs: { token } });
    await until(() => editorText(el).includes('def word_counts'), 'the editor');
    await writeElsewhere(token, 'main.py', 'print("theirs")\n');
    const error = oneEvent(el, 'se-error');
    await el.setFileContent('main.py', 'print("mine")\n');
    await error;
    await el.updateComplete;
    part(el, 'load-theirs').click();
    await until(() => editorText(el).includes('theirs'), 'their text in the editor');
    expect(await el.getFileContent('main.py')).to.equal('print("theirs")\n');
  });

  it('keeps edits in localStorage while the backend is unreachable and sends them when it is back', async () => {
    const token = await learnerToken();
    const el = await mount({ attrs: { token } });
    await until(() => editorText(el).includes('def word_counts'), 'the editor');
    // The backend becomes unreachable: fetch fails as it does offline.
    const realFetch = window.fetch;
    window.fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    try {
      await el.setFileContent('main.py', 'print("offline edit")\n');
      await el.flush();
      await el.updateComplete;
      expect(saveState(el)).to.equal('Unsaved changes');
      expect(part(el, 'message').textContent).to.contain('kept in this browser');
      const kept = Object.entries(localStorage).find(([k]) => k.startsWith('se-workspace:'));
      expect(kept?.[1]).to.contain('offline edit');
      // A reload while offline: the new element finds the edit in this browser.
    } finally {
      window.fetch = realFetch;
    }
    const saved = oneEvent(el, 'se-file-save');
    window.dispatchEvent(new Event('online'));
    await saved;
    expect(Object.keys(localStorage).some((k) => k.startsWith('se-workspace:'))).to.equal(false);
    const res = await fetch(`${backendUrl()}/v1/workspace/file?path=main.py`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(((await res.json()) as { content: string }).content).to.equal('print("offline edit")\n');
  });

  it('an edit kept in this browser (the page closed before it was sent) is sent by the next element', async () => {
    const token = await learnerToken();
    const first = await mount({ attrs: { token } });
    await until(() => editorText(first).includes('def word_counts'), 'the editor');
    const realFetch = window.fetch;
    window.fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    try {
      await first.setFileContent('main.py', 'print("kept")\n');
      first.remove();
    } finally {
      window.fetch = realFetch;
    }
    const el = await mount({ attrs: { token } });
    await until(() => editorText(el).includes('kept'), 'the kept edit');
    await oneEvent(el, 'se-file-save');
    expect(await el.getFileContent('main.py')).to.equal('print("kept")\n');
  });
});

describe('<se-workspace> reset', () => {
  it('Reset (confirmed) puts the template back in the open editor and the workspace', async () => {
    const token = await learnerToken();
    const el = await mount({ attrs: { token } });
    await until(() => editorText(el).includes('def word_counts'), 'the editor');
    await el.setFileContent('main.py', 'print("changed")\n');
    await el.flush();
    part(el, 'reset-button').click();
    await el.updateComplete;
    expect(shadow(el).textContent).to.contain('Reset every file to the project template?');
    await el.updateComplete;
    expect(shadow(el).activeElement?.getAttribute('part')).to.equal('reset-confirm');
    part(el, 'reset-confirm').click();
    await until(() => editorText(el).includes('def word_counts'), 'the template again');
    expect(await el.getFileContent('main.py')).to.contain('# TODO: count the words');
    const res = await fetch(`${backendUrl()}/v1/workspace/file?path=main.py`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(((await res.json()) as { content: string }).content).to.contain('# TODO');
    // No save of the old text follows.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await el.getFileContent('main.py')).to.contain('# TODO');
  });

  it('reset(path) resets one file and keeps the others', async () => {
    const token = await learnerToken();
    await writeFile(token, 'other.py', 'kept = True\n');
    const el = await mount({ attrs: { token } });
    await el.setFileContent('main.py', 'print("changed")\n');
    await el.flush();
    await el.reset('main.py');
    expect(await el.getFileContent('main.py')).to.contain('# TODO');
    expect(await el.getFileContent('other.py')).to.equal('kept = True\n');
  });
});

describe('<se-workspace> public session across a reload', () => {
  it('keeps the renewed session for the next load of the page, not the first one', async () => {
    sessionStorage.clear();
    const el = await mount({ attrs: { widget: 'workspace-demo' } });
    const key = `se-workspace-session:${backendUrl()}|workspace-demo`;
    const first = JSON.parse(sessionStorage.getItem(key) ?? 'null') as { token: string } | null;
    expect(first?.token).to.be.a('string');
    // The session renews itself before its token ends (as it does ten seconds before the end).
    const session = (el as unknown as { session: { renew(): Promise<void>; token: string } })
      .session;
    await session.renew();
    expect(session.token).to.not.equal(first!.token);
    await until(
      () => JSON.parse(sessionStorage.getItem(key) ?? '{}').token === session.token,
      'the renewed token kept for a reload',
    );
    sessionStorage.clear();
  });
});
