import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
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

afterEach(() => unmountAll());

async function serverText(token: string, path: string): Promise<string> {
  const res = await fetch(`${backendUrl()}/v1/workspace/file?path=${path}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return ((await res.json()) as { content: string }).content;
}

describe('<se-workspace> attributes', () => {
  it('readonly: no file changes, Reset off, scenarios still run', async () => {
    const el = await mount({ attrs: { token: await learnerToken(), readonly: '' } });
    await until(() => editorText(el).includes('def word_counts'), 'the editor');
    const content = shadow(el).querySelector<HTMLElement>('.cm-content');
    expect(content?.getAttribute('aria-readonly')).to.equal('true');
    content?.focus();
    await sendKeys({ type: 'zzz' });
    expect(editorText(el)).to.not.contain('zzz');
    expect((part(el, 'reset-button') as HTMLButtonElement).disabled).to.equal(true);
    const r = await el.runScenario('run');
    expect(r?.status.code).to.equal(15);
  });

  it('explorer="hidden" draws no tree; open-file picks the first file', async () => {
    const token = await learnerToken();
    await writeFile(token, 'second.py', 'print("second")\n');
    const el = await mount({ attrs: { token, explorer: 'hidden', 'open-file': 'second.py' } });
    expect(shadow(el).querySelector('[part~="tree"]')).to.equal(null);
    await until(() => editorText(el).includes('print("second")'), 'second.py');
    expect(
      shadow(el).querySelector('[role="tab"][aria-selected="true"]')?.getAttribute('data-path'),
    ).to.equal('second.py');
  });

  it('focus() puts the focus in the editor', async () => {
    const el = await mount();
    await until(() => editorText(el).length > 0, 'the editor');
    el.focus();
    expect(shadow(el).activeElement?.classList.contains('cm-content')).to.equal(true);
  });

  it('pagehide sends an unsaved edit at once (before the autosave delay)', async () => {
    const token = await learnerToken();
    const el = await mount({ attrs: { token } });
    await until(() => editorText(el).length > 0, 'the editor');
    await el.setFileContent('main.py', 'print("closing")\n');
    window.dispatchEvent(new Event('pagehide'));
    // Well within the autosave's one second.
    await new Promise((r) => setTimeout(r, 300));
    expect(await serverText(token, 'main.py')).to.equal('print("closing")\n');
  });
});
