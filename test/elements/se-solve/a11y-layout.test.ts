import { expect, oneEvent } from '@open-wc/testing';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import type { SeSolve } from '../../../src/elements/index.js';
import { mount, part, pick, runSource, shadow, unmountAll } from '../helpers.js';
import { loadAxe, seriousFindings } from '../dom.js';

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

  it('labels the picker and the input box with visible labels', async () => {
    const el = await mount();
    const root = shadow(el);
    for (const id of ['language', 'stdin']) {
      const label = root.querySelector(`label[for="${id}"]`);
      expect(label, `a label for #${id}`).to.not.equal(null);
      expect(label?.textContent?.trim() ?? '').to.not.equal('');
      expect(root.getElementById(id)).to.not.equal(null);
    }
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

/** Any CSS colour as sRGB bytes, as the browser paints it. */
function rgb(color: string): [number, number, number] {
  const c = document.createElement('canvas');
  c.width = c.height = 1;
  const ctx = c.getContext('2d', { willReadFrequently: true })!;
  ctx.fillStyle = '#000';
  ctx.fillStyle = color;
  ctx.fillRect(0, 0, 1, 1);
  const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
  return [r, g, b];
}

function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = rgb(c).map((v) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

async function typeInto(el: SeSolve, text: string): Promise<void> {
  el.focus();
  await sendKeys({ type: text });
}

describe('<se-solve> contrast in every theme and state', () => {
  for (const theme of ['light', 'dark']) {
    it(`has no serious finding in the ${theme} theme with a host accent, results fresh and stale`, async () => {
      const box = document.createElement('div');
      box.style.setProperty('--se-color-accent', '#0b57d0');
      document.body.append(box);
      try {
        const el = await mount({ attrs: { widget: 'problem-demo', theme }, parent: box });
        await runSource(el, 'Python', 'print(1)\n', 'submit');
        expect(await seriousFindings(el), 'fresh').to.deep.equal([]);
        await typeInto(el, '# changed');
        await el.updateComplete;
        expect(part(el, 'results').classList.contains('stale')).to.equal(true);
        expect(await seriousFindings(el), 'stale').to.deep.equal([]);
      } finally {
        box.remove();
      }
    });
  }

  it('derives the text on the accent from the accent: 4.5:1 for any accent, in both themes', async () => {
    const accents = ['#0b57d0', '#8ab4f8', '#ffd400', '#e91e63', '#767676', '#00a86b', '#000080'];
    const box = document.createElement('div');
    document.body.append(box);
    try {
      for (const theme of ['light', 'dark']) {
        const el = await mount({ attrs: { widget: 'run-demo', theme }, parent: box });
        const button = part(el, 'run-button');
        for (const accent of accents) {
          box.style.setProperty('--se-color-accent', accent);
          const s = getComputedStyle(button);
          const ratio = contrast(s.color, s.backgroundColor);
          expect(ratio, `${theme} ${accent}: ${s.color} on ${s.backgroundColor}`).to.be.at.least(
            4.5,
          );
        }
        el.remove();
      }
    } finally {
      box.remove();
    }
  });

  it('draws the focus ring at 3:1 or more against the background, with a host accent', async () => {
    const box = document.createElement('div');
    box.style.setProperty('--se-color-accent', '#0b57d0');
    document.body.append(box);
    try {
      const el = await mount({ attrs: { widget: 'run-demo', theme: 'dark' }, parent: box });
      part(el, 'language-picker').focus();
      await sendKeys({ press: 'Tab' });
      const button = part(el, 'run-button');
      expect(shadow(el).activeElement).to.equal(button);
      const ring = getComputedStyle(button).outlineColor;
      const frame = getComputedStyle(shadow(el).querySelector('.frame')!).backgroundColor;
      expect(contrast(ring, frame)).to.be.at.least(3);
    } finally {
      box.remove();
    }
  });

  for (const [what, options] of [
    ['320 px wide', { parentWidth: '320px' }],
    ['600 px-high frame', { style: 'height: 600px' }],
  ] as const) {
    it(`has no serious finding at ${what}`, async () => {
      const box = document.createElement('div');
      if ('parentWidth' in options) box.style.width = options.parentWidth;
      document.body.append(box);
      try {
        const el = await mount({
          parent: box,
          ...('style' in options ? { style: options.style } : {}),
        });
        await el.run();
        await el.updateComplete;
        expect(await seriousFindings(el)).to.deep.equal([]);
      } finally {
        box.remove();
      }
    });
  }
});

/** Text of every live region of the element, as a screen reader would be told it. */
function liveTexts(el: SeSolve): string[] {
  return [...shadow(el).querySelectorAll('[aria-live], [role="status"], [role="alert"]')].map((n) =>
    (n.textContent ?? '').replace(/\s+/g, ' ').trim(),
  );
}

describe('<se-solve> announcements', () => {
  it('announces a submit twice: sent, then the final verdict', async () => {
    const el = await mount({ attrs: { widget: 'problem-demo' } });
    await pick(el, 'Python');
    el.source = 'a, b = map(int, input().split())\nprint(a + b)\n';
    await el.updateComplete;
    const heard: string[] = [];
    let last = liveTexts(el);
    const observer = new MutationObserver(() => {
      const now = liveTexts(el);
      now.forEach((t, i) => {
        if (t && t !== last[i]) heard.push(t);
      });
      last = now;
    });
    observer.observe(shadow(el), { subtree: true, childList: true, characterData: true });
    try {
      await el.submit();
      await el.updateComplete;
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      observer.disconnect();
    }
    expect(heard.length, heard.join(' | ')).to.equal(2);
    expect(heard[0]).to.equal('Sent.');
    expect(heard[1]).to.match(/^Accepted\. 8 of 8 tests passed\.$/);
  });
});

interface AxeText {
  setup(root: Node): unknown;
  teardown(): void;
  utils: { getNodeFromTree(el: Element): unknown };
  commons: { text: { accessibleTextVirtual(node: unknown): string } };
}

/** Every focusable or operable thing in the element's shadow root. */
function controls(el: SeSolve): Element[] {
  return [
    ...shadow(el).querySelectorAll(
      'button, select, textarea, input, summary, a[href], [contenteditable], [tabindex], [role="textbox"]',
    ),
  ].filter((n) => (n as HTMLElement).checkVisibility?.() !== false);
}

describe('<se-solve> names', () => {
  it('gives every control an accessible name, as axe computes it', async () => {
    const axe = (await loadAxe()) as unknown as AxeText;
    for (const attrs of [{ widget: 'run-demo' }, { widget: 'problem-demo' }]) {
      const el = await mount({ attrs });
      if (attrs.widget === 'problem-demo') (part(el, 'try') as HTMLDetailsElement).open = true;
      await el.run();
      await el.updateComplete;
      const found = controls(el);
      expect(found.length).to.be.greaterThan(4);
      axe.setup(document);
      try {
        for (const c of found) {
          const name = axe.commons.text.accessibleTextVirtual(axe.utils.getNodeFromTree(c)).trim();
          expect(name, `${c.tagName.toLowerCase()}.${c.className} has a name`).to.not.equal('');
        }
      } finally {
        axe.teardown();
      }
      el.remove();
    }
  });

  it("includes the widget's own label: two widgets on a page never share a name", async () => {
    const box = document.createElement('div');
    document.body.append(box);
    try {
      const a = await mount({
        attrs: { widget: 'run-demo', 'aria-label': 'Warm-up' },
        parent: box,
      });
      const b = await mount({ attrs: { widget: 'problem-demo' }, parent: box });
      const c = await mount({ attrs: { widget: 'run-demo' }, parent: box });
      await a.run();
      await b.updateComplete;
      expect(part(a, 'results').getAttribute('aria-label')).to.equal('Results: Warm-up');
      expect(part(b, 'results').getAttribute('aria-label')).to.equal(
        'Results: Sum of two integers',
      );
      expect(part(c, 'results').getAttribute('aria-label')).to.equal('Results: Code exercise 3');
      expect(part(a, 'language-picker').getAttribute('aria-label')).to.equal('Language: Warm-up');
      expect(shadow(a).querySelector('.cm-content')?.getAttribute('aria-label')).to.equal(
        'Source code: Warm-up',
      );
      const axe = await loadAxe();
      const r = await axe.run(box, { runOnly: ['landmark-unique', 'aria-allowed-attr'] });
      expect(r.violations.map((v) => v.id)).to.deep.equal([]);
    } finally {
      box.remove();
    }
  });
});

describe('<se-solve> read-only and device hints', () => {
  it('shows read-only and enforces it on every control but Run', async () => {
    const el = await mount({ attrs: { widget: 'run-demo', readonly: '' } });
    expect(part(el, 'read-only').checkVisibility()).to.equal(true);
    expect(part(el, 'read-only').textContent).to.contain('Read-only');
    expect((part(el, 'language-picker') as HTMLSelectElement).disabled).to.equal(true);
    expect((part(el, 'stdin') as HTMLTextAreaElement).readOnly).to.equal(true);
    expect(shadow(el).querySelector('.cm-content')?.getAttribute('aria-readonly')).to.equal('true');
    expect(shadow(el).getElementById('hint')?.textContent).to.not.contain('Esc');
    const r = await el.run();
    expect(r?.kind).to.equal('run');
  });

  it('shows no keyboard hints on a touch-only device', async () => {
    await executeServerCommand('se-touch', { on: true });
    try {
      expect(matchMedia('(any-pointer: fine)').matches).to.equal(false);
      const el = await mount();
      expect(shadow(el).getElementById('hint')).to.equal(null);
      expect(shadow(el).querySelector('.cm-content')?.hasAttribute('aria-describedby')).to.equal(
        false,
      );
    } finally {
      await executeServerCommand('se-touch', { on: false });
    }
  });
});

describe('<se-solve> after the touch emulation ends', () => {
  it('shows the keyboard hints again', async () => {
    expect(matchMedia('(any-pointer: coarse)').matches).to.equal(false);
    const el = await mount();
    expect(shadow(el).getElementById('hint')?.textContent).to.contain('Esc');
  });
});
