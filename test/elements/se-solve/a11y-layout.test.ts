import { expect, oneEvent } from '@open-wc/testing';
import type { SeSolve } from '../../../src/elements/index.js';
import { mount, part, shadow, unmountAll } from '../helpers.js';

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: unknown[] }>;
}
interface Axe {
  run(context: Element, options?: object): Promise<AxeResult>;
}

let axePromise: Promise<Axe> | null = null;
function loadAxe(): Promise<Axe> {
  axePromise ??= new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '/node_modules/axe-core/axe.min.js';
    s.onload = () => resolve((window as unknown as { axe: Axe }).axe);
    s.onerror = () => reject(new Error('axe-core did not load'));
    document.head.append(s);
  });
  return axePromise;
}

/** Serious and critical axe findings (every finding is listed in the failure message). */
async function seriousFindings(el: Element): Promise<string[]> {
  const axe = await loadAxe();
  const r = await axe.run(el, { resultTypes: ['violations'] });
  const all = r.violations.map((v) => `${v.impact}: ${v.id} (${v.nodes.length}) ${v.help}`);
  return all.filter((v) => v.startsWith('serious') || v.startsWith('critical'));
}

afterEach(() => unmountAll());

describe('<se-solve> accessibility (axe-core)', () => {
  for (const theme of ['light', 'dark']) {
    it(`has no serious or critical finding in the ${theme} theme, results shown`, async () => {
      const el = await mount({ attrs: { widget: 'run-demo', theme } });
      await el.run();
      await el.updateComplete;
      expect(await seriousFindings(el)).to.deep.equal([]);
    });
  }

  it('has no serious or critical finding with the Polish catalog', async () => {
    const el = await mount({ attrs: { widget: 'run-demo', locale: 'pl' } });
    expect(await seriousFindings(el)).to.deep.equal([]);
  });

  it('names every control', async () => {
    const el = await mount();
    const root = shadow(el);
    for (const id of ['language', 'stdin'])
      expect(root.querySelector(`label[for="${id}"]`)?.textContent?.trim()).to.not.equal('');
    expect(part(el, 'run-button').textContent?.trim()).to.equal('Run');
  });
});

function inside(outer: DOMRect, inner: DOMRect): boolean {
  return (
    inner.left >= outer.left - 0.5 &&
    inner.right <= outer.right + 0.5 &&
    inner.top >= outer.top - 0.5 &&
    inner.bottom <= outer.bottom + 0.5
  );
}

describe('<se-solve> sizes', () => {
  it('fits 320 px of width without horizontal scrolling', async () => {
    const box = document.createElement('div');
    box.style.width = '320px';
    document.body.append(box);
    try {
      const el = await mount({ parent: box });
      await el.run();
      await el.updateComplete;
      expect(el.getBoundingClientRect().width).to.be.at.most(320);
      const frame = shadow(el).querySelector('.frame') as HTMLElement;
      expect(frame.scrollWidth).to.be.at.most(frame.clientWidth);
      const outer = el.getBoundingClientRect();
      for (const name of ['language-picker', 'run-button', 'editor', 'stdin', 'status'])
        expect(inside(outer, part(el, name).getBoundingClientRect()), name).to.equal(true);
    } finally {
      box.remove();
    }
  });

  it('works inside a 600 px-high frame: every control stays visible, results scroll', async () => {
    const el = await mount({ style: 'height: 600px' });
    el.source = Array.from({ length: 80 }, (_, i) => `print(${i})`).join('\n');
    await el.run();
    await el.updateComplete;
    const outer = el.getBoundingClientRect();
    expect(outer.height).to.equal(600);
    for (const name of ['language-picker', 'run-button', 'editor', 'stdin', 'status'])
      expect(inside(outer, part(el, name).getBoundingClientRect()), name).to.equal(true);
    expect(part(el, 'editor').getBoundingClientRect().height).to.be.at.least(90);
  });
});

describe('<se-solve> leaks', () => {
  it('leaves no listener, editor or stream behind after 30 mounts and unmounts', async () => {
    const counts = new Map<string, number>();
    const targets: Array<[EventTarget, string]> = [
      [window, 'window'],
      [document, 'document'],
    ];
    const restore: Array<() => void> = [];
    for (const [target, name] of targets) {
      const add = target.addEventListener;
      const remove = target.removeEventListener;
      target.addEventListener = function (this: EventTarget, ...a: Parameters<typeof add>) {
        counts.set(`${name}:${a[0]}`, (counts.get(`${name}:${a[0]}`) ?? 0) + 1);
        return add.apply(this, a);
      };
      target.removeEventListener = function (this: EventTarget, ...a: Parameters<typeof remove>) {
        counts.set(`${name}:${a[0]}`, (counts.get(`${name}:${a[0]}`) ?? 0) - 1);
        return remove.apply(this, a);
      };
      restore.push(() => {
        target.addEventListener = add;
        target.removeEventListener = remove;
      });
    }
    const mql = MediaQueryList.prototype;
    const mqlAdd = mql.addEventListener;
    const mqlRemove = mql.removeEventListener;
    mql.addEventListener = function (this: MediaQueryList, ...a: Parameters<typeof mqlAdd>) {
      counts.set('media', (counts.get('media') ?? 0) + 1);
      return mqlAdd.apply(this, a);
    };
    mql.removeEventListener = function (this: MediaQueryList, ...a: Parameters<typeof mqlRemove>) {
      counts.set('media', (counts.get('media') ?? 0) - 1);
      return mqlRemove.apply(this, a);
    };
    restore.push(() => {
      mql.addEventListener = mqlAdd;
      mql.removeEventListener = mqlRemove;
    });
    const signals: AbortSignal[] = [];
    const realFetch = window.fetch;
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input).includes('/events') && init?.signal) signals.push(init.signal);
      return realFetch(input, init);
    };
    restore.push(() => (window.fetch = realFetch));
    const elements: SeSolve[] = [];
    try {
      for (let i = 0; i < 30; i++) {
        const el = await mount();
        if (i % 5 === 0) {
          // Unmount while a run is being followed: its stream must be aborted.
          const submitted = oneEvent(el, 'se-submit');
          void el.run();
          await submitted;
        }
        el.remove();
        elements.push(el);
      }
    } finally {
      for (const r of restore) r();
    }
    const left = [...counts].filter(([, n]) => n !== 0);
    expect(left).to.deep.equal([]);
    expect(signals.length).to.be.greaterThan(0);
    expect(signals.every((s) => s.aborted)).to.equal(true);
    for (const el of elements) expect(shadow(el).querySelector('.cm-editor')).to.equal(null);
  });
});
