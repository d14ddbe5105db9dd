import { expect, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { SeSolve } from '../../../src/elements/index.js';
import { backendUrl, mount, part, pick, shadow, uniqueId, unmountAll, until } from '../helpers.js';

afterEach(() => unmountAll());

const names = [
  'se-ready',
  'se-change',
  'se-before-submit',
  'se-submit',
  'se-status',
  'se-result',
  'se-error',
  'se-token-expired',
];

describe('<se-solve> language packs', () => {
  const requested = (pack: string) =>
    performance.getEntriesByType('resource').some((e) => e.name.includes(`/@codemirror/${pack}/`));

  it('loads a language pack only when its language is picked', async () => {
    // This file's page has loaded no editor yet: run-demo starts in Python.
    const el = await mount();
    await until(() => requested('lang-python'), 'the Python pack');
    expect(requested('lang-cpp'), 'C++ before it is picked').to.equal(false);
    expect(requested('lang-java'), 'Java, never picked').to.equal(false);
    await pick(el, 'C++');
    await until(() => requested('lang-cpp'), 'the C++ pack, once picked');
    expect(requested('lang-java')).to.equal(false);
    expect(shadow(el).querySelector('.cm-content')).to.not.equal(null);
  });
});

describe('<se-solve> events', () => {
  it('every se-* event bubbles and is composed: heard outside the shadow root holding it', async () => {
    const wrapper = document.createElement('div');
    const root = wrapper.attachShadow({ mode: 'open' });
    document.body.append(wrapper);
    const heard = new Map<string, Event>();
    const listen = (e: Event) => heard.set(e.type, e);
    for (const n of names) document.addEventListener(n, listen);
    try {
      const ready = oneEvent(wrapper, 'se-ready');
      const el = await mount({ parent: root as unknown as HTMLElement, ready: false });
      await ready;
      el.focus();
      await sendKeys({ type: 'x' });
      await el.run();
      el.source = `# ${'x'.repeat(70000)}\n`;
      await el.run();
      // A token that has ended: the element tells the host.
      const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '');
      const gone = document.createElement('se-solve') as SeSolve;
      gone.backend = backendUrl();
      gone.id = uniqueId();
      gone.token = `${b64({ alg: 'HS256' })}.${b64({ exp: Math.floor(Date.now() / 1000) - 60 })}.x`;
      const expired = oneEvent(wrapper, 'se-token-expired');
      root.append(gone);
      await expired;
      gone.remove();
      for (const n of names) {
        const e = heard.get(n);
        expect(e, `${n} reached the document`).to.not.equal(undefined);
        expect(e?.bubbles, `${n} bubbles`).to.equal(true);
        expect(e?.composed, `${n} is composed`).to.equal(true);
      }
    } finally {
      for (const n of names) document.removeEventListener(n, listen);
      wrapper.remove();
    }
  });
});

describe('<se-solve> statements from problem setters', () => {
  it('never runs a script, handler or javascript: link of a statement', async () => {
    const w = window as unknown as { __pwned?: number };
    delete w.__pwned;
    const el = await mount({ attrs: { widget: 'hostile-problem' } });
    const statement = part(el, 'statement');
    expect(statement.querySelector('h2')?.textContent).to.equal('Hostile statement');
    expect(statement.textContent).to.contain('Add a and b.');
    expect(statement.querySelector('script, [onclick], [onerror], [style]')).to.equal(null);
    const links = [...statement.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).to.not.include('javascript:window.__pwned=4');
    expect(links.some((a) => a.getAttribute('href') === 'https://example.org/')).to.equal(true);
    for (const a of links) if (!a.getAttribute('href')?.startsWith('https:')) a.click();
    statement.querySelector('p')?.click();
    await new Promise((r) => setTimeout(r, 200));
    expect(w.__pwned).to.equal(undefined);
  });
});
