import { expect, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { SeSolve } from '../../../src/elements/index.js';
import { backendUrl, mount, part, uniqueId, unmountAll } from '../helpers.js';

const home = location.pathname + location.search;
afterEach(() => {
  unmountAll();
  history.replaceState(null, '', home);
});

const python = 'print("Hello, world!")\n';

/** An `<se-solve>` of `run-demo` without an `id` (the README's own snippet), waited for. */
async function bare(attrs: Record<string, string> = {}, parent = document.body): Promise<SeSolve> {
  const el = document.createElement('se-solve');
  el.setAttribute('backend', backendUrl());
  el.setAttribute('widget', 'run-demo');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  const ready = oneEvent(el, 'se-ready');
  parent.append(el);
  await ready;
  await el.updateComplete;
  return el;
}

async function typeAtEnd(el: SeSolve, text: string): Promise<void> {
  el.focus();
  await sendKeys({ down: 'Control' });
  await sendKeys({ press: 'End' });
  await sendKeys({ up: 'Control' });
  await sendKeys({ type: text });
}

function optionValue(el: SeSolve, prefix: string): string {
  const select = part(el, 'language-picker') as HTMLSelectElement;
  const o = [...select.options].find((x) => x.text.trim().startsWith(prefix));
  if (!o) throw new Error(`no ${prefix}`);
  return o.value;
}

describe('<se-solve> autosave scope', () => {
  it("keeps one program per page: lesson 2 does not open with lesson 1's code", async () => {
    const id = uniqueId('lesson');
    history.replaceState(null, '', `/lesson-1-${id}`);
    const first = await mount({ attrs: { widget: 'run-demo', id } });
    await typeAtEnd(first, '\n# lesson one');
    first.remove();
    history.replaceState(null, '', `/lesson-2-${id}`);
    const second = await mount({ attrs: { widget: 'run-demo', id } });
    expect(second.source).to.equal(python);
    second.remove();
    history.replaceState(null, '', `/lesson-1-${id}?attempt=2#top`);
    const again = await mount({ attrs: { widget: 'run-demo', id } });
    expect(again.source, 'query and hash are not part of the page').to.contain('# lesson one');
  });

  it('shares the code between pages that give the same save-key', async () => {
    const key = uniqueId('course');
    const attrs = { widget: 'run-demo', 'save-key': key, id: 'exercise' };
    history.replaceState(null, '', `/page-a-${key}`);
    const a = await mount({ attrs });
    a.source = 'shared = 1\n';
    a.remove();
    history.replaceState(null, '', `/page-b-${key}`);
    const b = await mount({ attrs });
    expect(b.source).to.equal('shared = 1\n');
  });

  it('keeps two copies of one widget without ids apart', async () => {
    const key = uniqueId('twins');
    const box = document.createElement('div');
    document.body.append(box);
    try {
      const one = await bare({ 'save-key': key }, box);
      const two = await bare({ 'save-key': key }, box);
      await typeAtEnd(one, '\n# first copy');
      await typeAtEnd(two, '\n# second copy');
      window.dispatchEvent(new PageTransitionEvent('pagehide'));
      box.replaceChildren();
      const one2 = await bare({ 'save-key': key }, box);
      const two2 = await bare({ 'save-key': key }, box);
      expect(one2.source).to.contain('# first copy').and.not.contain('# second copy');
      expect(two2.source).to.contain('# second copy').and.not.contain('# first copy');
    } finally {
      box.remove();
    }
  });

  it('moves code saved under the old keys to the element that wrote it, once', async () => {
    const id = uniqueId('old');
    const probe = await mount({ attrs: { widget: 'run-demo', id: uniqueId('probe') } });
    const compiler = probe.language;
    probe.remove();
    const old = `se-widgets:se-solve:v1:run-demo#${id}:run:${compiler}`;
    localStorage.setItem(old, 'kept = "from before"\n');
    const el = await mount({ attrs: { widget: 'run-demo', id } });
    expect(el.source).to.equal('kept = "from before"\n');
    expect(localStorage.getItem(old)).to.equal(null);
    el.remove();
    const back = await mount({ attrs: { widget: 'run-demo', id } });
    expect(back.source).to.equal('kept = "from before"\n');
  });

  it('leaves an old key alone when two copies without ids could have written it', async () => {
    const key = uniqueId('ambiguous');
    const probe = await mount({ attrs: { widget: 'run-demo', id: uniqueId('probe') } });
    const compiler = probe.language;
    probe.remove();
    const old = `se-widgets:se-solve:v1:run-demo:run:${compiler}`;
    localStorage.setItem(old, 'whose = "?"\n');
    // Both on the page at once, as the README's snippet pasted twice puts them.
    const box = document.createElement('div');
    box.innerHTML = `<se-solve backend="${backendUrl()}" widget="run-demo" save-key="${key}"></se-solve>
      <se-solve backend="${backendUrl()}" widget="run-demo" save-key="${key}"></se-solve>`;
    const [one, two] = [...box.querySelectorAll('se-solve')];
    const ready = Promise.all([oneEvent(one, 'se-ready'), oneEvent(two, 'se-ready')]);
    document.body.append(box);
    try {
      await ready;
      expect(one.source).to.equal(python);
      expect(two.source).to.equal(python);
    } finally {
      box.remove();
      localStorage.removeItem(old);
    }
  });
});

describe('<se-solve> property setters in one task', () => {
  for (const order of ['language then source', 'source then language']) {
    it(`gives the host's source in the host's language (${order}), and keeps it`, async () => {
      const id = uniqueId('setters');
      const el = await mount({ attrs: { widget: 'run-demo', id } });
      const cpp = optionValue(el, 'C++');
      const program = 'int main() { return 0; }\n';
      if (order === 'language then source') {
        el.language = cpp;
        el.source = program;
      } else {
        el.source = program;
        el.language = cpp;
      }
      await new Promise((r) => setTimeout(r, 2000));
      expect(el.language).to.equal(cpp);
      expect(el.source).to.equal(program);
      el.remove();
      const back = await mount({ attrs: { widget: 'run-demo', id } });
      back.language = cpp;
      await back.updateComplete;
      expect(back.source).to.equal(program);
      back.language = optionValue(back, 'Python');
      await back.updateComplete;
      expect(back.source, "Python's code is not the host's C++").to.equal(python);
    });
  }

  it('applies both when set before the widget is ready', async () => {
    const el = await mount({ attrs: { widget: 'run-demo' }, ready: false });
    el.language = 'c';
    el.source = 'int main(void) { return 0; }\n';
    await oneEvent(el, 'se-ready');
    await new Promise((r) => setTimeout(r, 1500));
    expect(el.source).to.equal('int main(void) { return 0; }\n');
    expect((part(el, 'language-picker') as HTMLSelectElement).selectedOptions[0].text).to.match(
      /^C\d/,
    );
  });
});
