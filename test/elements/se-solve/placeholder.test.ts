// The script-tag bundle's shell (src/elements/define/all.ts): the placeholder `<se-solve>` draws
// before the element's code arrives, and the moment it becomes the element. The element's code is
// held back by a gate this file opens itself. (The built bundle, its requests and the layout are
// tested end to end in test/e2e/lazy.test.ts.)
import { expect, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../../src/elements/define/all.js';
import { SeSolveBase } from '../../../src/elements/se-solve/se-solve-base.js';
import '../report-failures.js';

interface Axe {
  run(
    context: Element,
    options?: object,
  ): Promise<{ violations: Array<{ id: string; impact: string | null; help: string }> }>;
}
function loadAxe(): Promise<Axe> {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '/node_modules/axe-core/axe.min.js';
    s.onload = () => resolve((window as unknown as { axe: Axe }).axe);
    s.onerror = () => reject(new Error('axe-core did not load'));
    document.head.append(s);
  });
}

const w = window as unknown as { __SE_BACKEND__: string | null; __SE_BACKEND_ERROR__: string };
function backendUrl(): string {
  if (!w.__SE_BACKEND__)
    throw new Error(`the test backend is not running: ${w.__SE_BACKEND_ERROR__}`);
  return w.__SE_BACKEND__;
}

let open: () => void = () => {};
let loads = 0;
/** Holds the element's code back until `open()`; a fresh gate for every test. */
function holdCore(): void {
  const gate = new Promise<void>((resolve) => (open = resolve));
  (SeSolveBase as unknown as { core: unknown }).core = null;
  SeSolveBase.loadCore = async () => {
    loads++;
    await gate;
    return (await import('../../../src/elements/se-solve/se-solve.js')).SeSolve;
  };
}

const mounted: HTMLElement[] = [];
function mountShell(attrs: Record<string, string> = {}): SeSolveBase {
  const el = document.createElement('se-solve') as SeSolveBase;
  el.setAttribute('backend', backendUrl());
  el.setAttribute('widget', 'run-demo');
  el.id = `shell-${Date.now().toString(36)}-${mounted.length}`;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  document.body.append(el);
  mounted.push(el);
  return el;
}
const codeBox = (el: Element) =>
  el.shadowRoot?.querySelector<HTMLTextAreaElement>('textarea.code') ?? null;

beforeEach(() => {
  loads = 0;
  holdCore();
});
afterEach(() => {
  open();
  for (const el of mounted.splice(0)) el.remove();
});

describe('<se-solve> placeholder (script-tag shell)', () => {
  it('the tag is defined by the shell at once', () => {
    expect(customElements.get('se-solve')).to.equal(SeSolveBase);
  });

  it('is a labelled text box, reached with Tab, with no serious or critical axe finding', async () => {
    const before = document.createElement('button');
    before.textContent = 'before';
    document.body.append(before);
    mounted.push(before);
    const el = mountShell({ 'aria-label': 'Exercise 1' });
    await el.updateComplete;
    const box = codeBox(el);
    expect(box, 'the code box').to.not.equal(null);
    expect(box?.getAttribute('aria-label')).to.equal('Source code: Exercise 1');
    expect(box?.getAttribute('aria-describedby')).to.equal('hint');
    const axe = await loadAxe();
    const r = await axe.run(el, { resultTypes: ['violations'] });
    const serious = r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact}: ${v.id} ${v.help}`);
    expect(serious).to.deep.equal([]);
    before.focus();
    // The Run button, then the code box (the picker is disabled until the languages load).
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot?.activeElement).to.equal(box);
  });

  it('a host setting source before the code arrives sees it in the placeholder and in the editor', async () => {
    const el = mountShell({ 'save-key': `k-${Date.now()}` });
    await el.updateComplete;
    el.source = 'print(42)\n';
    await el.updateComplete;
    expect(codeBox(el)?.value).to.equal('print(42)\n');
    expect(el.source).to.equal('print(42)\n');
    const ready = oneEvent(el, 'se-ready');
    el.focus();
    open();
    await ready;
    expect(el instanceof SeSolveBase, 'still the defined class').to.equal(true);
    expect(el.source).to.equal('print(42)\n');
    expect(codeBox(el), 'the placeholder is gone').to.equal(null);
    expect(el.shadowRoot?.querySelector('.cm-content')).to.not.equal(null);
  });

  it('run() before the code arrives loads it and runs', async () => {
    const el = mountShell({ 'save-key': `k-${Date.now()}` });
    await el.updateComplete;
    const result = el.run();
    open();
    const r = await result;
    expect(r?.kind).to.equal('run');
    expect(loads).to.equal(1);
    expect(el.shadowRoot?.querySelector('.cm-content')).to.not.equal(null);
  });

  it('stays a placeholder out of view and without focus, and loads nothing until scrolled to', async () => {
    const spacer = document.createElement('div');
    spacer.style.height = '4000px';
    document.body.append(spacer);
    mounted.push(spacer);
    const el = mountShell();
    await el.updateComplete;
    await new Promise((r) => setTimeout(r, 300));
    expect(loads).to.equal(0);
    expect(codeBox(el)).to.not.equal(null);
    el.scrollIntoView();
    await new Promise((r) => setTimeout(r, 300));
    expect(loads).to.equal(1);
  });
});
