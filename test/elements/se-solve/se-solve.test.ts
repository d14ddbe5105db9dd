import { expect, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { SeSolve } from '../../../src/elements/index.js';
import {
  backendUrl,
  editorContent,
  mount,
  part,
  pick,
  shadow,
  signToken,
  uniqueId,
  unmountAll,
  until,
} from '../helpers.js';

afterEach(() => unmountAll());

/** Presses a key with Control held (the launcher's `press` takes one key at a time). */
async function withControl(key: string): Promise<void> {
  await sendKeys({ down: 'Control' });
  try {
    await sendKeys({ press: key });
  } finally {
    await sendKeys({ up: 'Control' });
  }
}

async function typeInEditor(el: SeSolve, text: string): Promise<void> {
  el.focus();
  await withControl('End');
  await sendKeys({ type: text });
}

describe('<se-solve> languages and editor', () => {
  it('fills the picker from GET /v1/languages, names and versions', async () => {
    const el = await mount();
    const session = await (
      await fetch(`${backendUrl()}/v1/sessions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ widget: 'run-demo' }),
      })
    ).json();
    const langs = await (
      await fetch(`${backendUrl()}/v1/languages`, {
        headers: { Authorization: `Bearer ${session.token}` },
      })
    ).json();
    const select = part(el, 'language-picker') as HTMLSelectElement;
    const versions = langs.items.reduce(
      (n: number, l: { versions: unknown[] }) => n + Math.max(1, l.versions.length),
      0,
    );
    expect(select.options.length).to.equal(versions);
    for (const l of langs.items as Array<{ name: string }>)
      expect([...select.options].some((o) => o.text.includes(l.name))).to.equal(true);
  });

  it('loads the highlighting of the chosen language from its highlighters id', async () => {
    const el = await mount();
    await pick(el, 'Python');
    await until(() => editorContent(el).dataset.language === 'python', 'python highlighting');
    await pick(el, 'C++');
    await until(() => editorContent(el).dataset.language === 'cpp', 'C++ highlighting');
  });

  it('starts each language with its template', async () => {
    const el = await mount();
    await pick(el, 'Python');
    expect(el.source).to.contain('print(');
    await pick(el, 'C++');
    expect(el.source).to.contain('#include');
  });

  it('selects a language by the language attribute (short name)', async () => {
    const el = await mount({ attrs: { widget: 'run-demo', language: 'python3' } });
    expect((part(el, 'language-picker') as HTMLSelectElement).selectedOptions[0].text).to.match(
      /^Python/,
    );
    expect(el.language).to.match(/^\d+$/);
  });

  it('restricts the picker with the languages attribute', async () => {
    const el = await mount({ attrs: { widget: 'run-demo', languages: 'python3, c' } });
    const texts = [...(part(el, 'language-picker') as HTMLSelectElement).options].map(
      (o) => o.text,
    );
    expect(texts.some((t) => t.startsWith('Python'))).to.equal(true);
    expect(texts.some((t) => t.startsWith('C++'))).to.equal(false);
  });

  it('lets the host read and set the source without a se-change event', async () => {
    const el = await mount();
    let changes = 0;
    el.addEventListener('se-change', () => changes++);
    el.source = 'print(42)\n';
    expect(el.source).to.equal('print(42)\n');
    expect(editorContent(el).textContent).to.contain('print(42)');
    expect(changes).to.equal(0);
  });

  it('fires se-change with the source when the learner types', async () => {
    const el = await mount();
    await pick(el, 'Python');
    const change = oneEvent(el, 'se-change');
    await typeInEditor(el, 'x = 1');
    const e = await change;
    expect(e.detail.source).to.contain('x');
    expect(e.detail.language).to.equal(el.language);
  });

  it('is read-only with the readonly attribute, and still runs', async () => {
    const el = await mount({ attrs: { widget: 'run-demo', readonly: '' } });
    const before = el.source;
    await typeInEditor(el, 'zzz');
    expect(el.source).to.equal(before);
    const result = oneEvent(el, 'se-result');
    void el.run();
    await result;
  });
});

describe('<se-solve> keyboard', () => {
  it('shows the hint and labels the editor', async () => {
    const el = await mount();
    const hint = shadow(el).getElementById('hint') as HTMLElement;
    expect(hint.textContent).to.match(/Esc.*Tab/);
    expect(hint.getBoundingClientRect().height).to.be.greaterThan(0);
    expect(getComputedStyle(hint).visibility).to.equal('visible');
    expect(editorContent(el).getAttribute('aria-label')).to.equal('Source code');
    expect(editorContent(el).getAttribute('aria-describedby')).to.equal('hint');
  });

  it('runs with Ctrl+Enter from the editor', async () => {
    const el = await mount();
    el.focus();
    const submitted = oneEvent(el, 'se-submit');
    const result = oneEvent(el, 'se-result');
    await withControl('Enter');
    expect((await submitted).detail.kind).to.equal('run');
    expect((await result).detail.kind).to.equal('run');
  });

  it('runs by keyboard alone: Tab to the Run button, Enter', async () => {
    const before = document.createElement('button');
    before.textContent = 'before';
    document.body.append(before);
    try {
      const el = await mount();
      before.focus();
      await sendKeys({ press: 'Tab' });
      expect(shadow(el).activeElement).to.equal(part(el, 'language-picker'));
      await sendKeys({ press: 'Tab' });
      expect(shadow(el).activeElement).to.equal(part(el, 'run-button'));
      const result = oneEvent(el, 'se-result');
      await sendKeys({ press: 'Enter' });
      await result;
      expect(part(el, 'status').textContent?.trim()).to.not.equal('');
    } finally {
      before.remove();
    }
  });

  it('runs with Ctrl+Enter from the input box', async () => {
    const el = await mount();
    (part(el, 'stdin') as HTMLTextAreaElement).focus();
    await sendKeys({ type: '5' });
    const before = oneEvent(el, 'se-before-submit');
    await withControl('Enter');
    expect((await before).detail.input).to.equal('5');
  });

  it('keeps Tab for indenting, and Escape then Tab leaves the editor', async () => {
    const el = await mount();
    await pick(el, 'Python');
    el.focus();
    const before = el.source;
    await sendKeys({ press: 'Tab' });
    expect(el.source).to.not.equal(before);
    expect(shadow(el).activeElement).to.equal(editorContent(el));
    await sendKeys({ press: 'Escape' });
    await sendKeys({ press: 'Tab' });
    expect(shadow(el).activeElement).to.equal(part(el, 'stdin'));
  });
});

describe('<se-solve> run, events and results', () => {
  it('fires se-before-submit, se-submit, se-status and se-result in order', async () => {
    const el = await mount();
    const seen: string[] = [];
    for (const t of ['se-before-submit', 'se-submit', 'se-status', 'se-result'])
      el.addEventListener(t, () => seen.push(t));
    const result = await el.run();
    expect(result?.kind).to.equal('run');
    expect(seen[0]).to.equal('se-before-submit');
    expect(seen[1]).to.equal('se-submit');
    expect(seen.slice(2, -1).length, seen.join(', ')).to.be.greaterThan(0);
    expect(seen.slice(2, -1).every((t) => t === 'se-status')).to.equal(true);
    expect(seen[seen.length - 1]).to.equal('se-result');
  });

  it('sends nothing when the host cancels se-before-submit', async () => {
    const el = await mount();
    el.addEventListener('se-before-submit', (e) => e.preventDefault());
    let submitted = false;
    el.addEventListener('se-submit', () => (submitted = true));
    expect(await el.run()).to.equal(null);
    expect(submitted).to.equal(false);
  });

  it('bubbles and composes its events', async () => {
    const wrapper = document.createElement('div');
    const root = wrapper.attachShadow({ mode: 'open' });
    document.body.append(wrapper);
    try {
      const ready = oneEvent(wrapper, 'se-ready');
      const el = await mount({ parent: root as unknown as HTMLElement, ready: false });
      await ready;
      expect(el.isConnected).to.equal(true);
    } finally {
      wrapper.remove();
    }
  });

  it('marks results stale once the code changes', async () => {
    const el = await mount();
    await el.run();
    expect(part(el, 'results').classList.contains('stale')).to.equal(false);
    await typeInEditor(el, '\n# changed');
    await el.updateComplete;
    expect(part(el, 'results').classList.contains('stale')).to.equal(true);
    expect(part(el, 'results').textContent).to.contain('earlier version');
  });

  it('stops waiting with the Stop button', async () => {
    const el = await mount();
    await pick(el, 'Python');
    el.source = 'while True:\n    pass\n';
    el.addEventListener(
      'se-submit',
      async () => {
        await el.updateComplete;
        part(el, 'stop-button').click();
      },
      { once: true },
    );
    expect(await el.run()).to.equal(null);
    await el.updateComplete;
    expect(part(el, 'status').textContent).to.contain('Stopped waiting');
  });

  it('announces the result in a polite live region, and shows it with words and an icon', async () => {
    const el = await mount();
    await el.run();
    await el.updateComplete;
    const announcer = part(el, 'announcer');
    expect(announcer.getAttribute('role')).to.equal('status');
    expect(announcer.getAttribute('aria-live')).to.equal('polite');
    expect(announcer.textContent?.trim()).to.match(/^Finished\./);
    const status = part(el, 'status');
    expect(status.querySelector('svg[aria-hidden="true"]')).to.not.equal(null);
    expect(status.textContent?.trim().length).to.be.greaterThan(3);
  });
});

describe('<se-solve> sessions', () => {
  it('uses a host-minted token and warns before it expires', async () => {
    const token = await signToken({ widget: 'signed-run', ttlSeconds: 62 });
    const el = await mount({ attrs: { token } });
    const expiring = await oneEvent(el, 'se-token-expired');
    expect(expiring.detail.reason).to.equal('expiring');
    el.token = await signToken({ widget: 'signed-run' });
    const result = await el.run();
    expect(result?.kind).to.equal('run');
  });

  it('reports an expired token, keeps the code, and recovers with a new token', async () => {
    const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '');
    const stale = `${b64({ alg: 'HS256' })}.${b64({ exp: Math.floor(Date.now() / 1000) - 60 })}.x`;
    const el = document.createElement('se-solve');
    el.backend = backendUrl();
    el.id = uniqueId();
    el.source = 'kept = True\n';
    const expired = oneEvent(el, 'se-token-expired');
    const error = oneEvent(el, 'se-error');
    el.token = stale;
    document.body.append(el);
    try {
      expect((await expired).detail.reason).to.equal('expired');
      expect((await error).detail.code).to.equal('token_expired');
      await el.updateComplete;
      expect(part(el, 'message').textContent).to.contain('expired');
      const ready = oneEvent(el, 'se-ready');
      el.token = await signToken({ widget: 'signed-run' });
      await ready;
      expect(el.source).to.equal('kept = True\n');
    } finally {
      el.remove();
    }
  });

  it('says so when the backend is unreachable, and never loses the code', async () => {
    const el = document.createElement('se-solve');
    el.id = uniqueId();
    el.backend = 'http://127.0.0.1:9';
    el.widget = 'run-demo';
    el.source = 'mine = 1\n';
    const error = oneEvent(el, 'se-error');
    document.body.append(el);
    try {
      expect((await error).detail.code).to.equal('network');
      await el.updateComplete;
      expect(part(el, 'message').textContent).to.contain('Cannot reach the server');
      expect(part(el, 'message').querySelector('button')?.textContent).to.contain('Try again');
      expect(el.source).to.equal('mine = 1\n');
    } finally {
      el.remove();
    }
  });
});

describe('<se-solve> autosave', () => {
  it('restores the code per widget and language after a remount', async () => {
    const id = uniqueId('autosave');
    const first = await mount({ attrs: { widget: 'run-demo', id } });
    await pick(first, 'Python');
    await typeInEditor(first, '\n# remember me');
    first.remove();
    const second = await mount({ attrs: { widget: 'run-demo', id } });
    await second.updateComplete;
    expect((part(second, 'language-picker') as HTMLSelectElement).selectedOptions[0].text).to.match(
      /^Python/,
    );
    expect(second.source).to.contain('# remember me');
  });

  it('writes the pending save at once on pagehide', async () => {
    const id = uniqueId('pagehide');
    const el = await mount({ attrs: { widget: 'run-demo', id } });
    await typeInEditor(el, '\n# flushed');
    window.dispatchEvent(new PageTransitionEvent('pagehide'));
    const saved = Object.keys(localStorage)
      .filter((k) => k.includes(`:${encodeURIComponent(`#${id}`)}:`) && !k.endsWith(':language'))
      .map((k) => localStorage.getItem(k));
    expect(saved.some((v) => v?.includes('# flushed'))).to.equal(true);
  });

  it('reset() puts back the template and forgets the saved code', async () => {
    const el = await mount();
    await pick(el, 'Python');
    el.source = 'something else\n';
    el.reset();
    expect(el.source).to.equal('print("Hello, world!")\n');
  });
});

describe('<se-solve> locale', () => {
  it('shows Polish strings with locale="pl"', async () => {
    const el = await mount({ attrs: { widget: 'run-demo', locale: 'pl' } });
    expect(part(el, 'run-button').textContent?.trim()).to.equal('Uruchom');
    expect(shadow(el).querySelector('label[for="stdin"]')?.textContent).to.contain(
      'Dane wejściowe',
    );
    expect(shadow(el).getElementById('hint')?.textContent).to.contain('Esc');
    expect(editorContent(el).getAttribute('aria-label')).to.equal('Kod źródłowy');
    expect(shadow(el).querySelector('.frame')?.getAttribute('lang')).to.equal('pl');
  });

  it('follows the nearest lang attribute when locale is unset', async () => {
    const wrap = document.createElement('div');
    wrap.lang = 'pl-PL';
    document.body.append(wrap);
    try {
      const el = await mount({ parent: wrap });
      expect(part(el, 'run-button').textContent?.trim()).to.equal('Uruchom');
    } finally {
      wrap.remove();
    }
  });
});
