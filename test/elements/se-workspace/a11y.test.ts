import { expect } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import type { SeWorkspace } from '../../../src/elements/index.js';
import { editorText, mount, shadow, unmountAll, until } from './helpers.js';

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
  const all = r.violations.map(
    (v) =>
      `${v.impact}: ${v.id} (${v.nodes.length}) ${v.help} ${JSON.stringify(v.nodes.map((n) => (n as { target: unknown }).target))}`,
  );
  return all.filter((v) => v.startsWith('serious') || v.startsWith('critical'));
}

/** A workspace with a failed test run shown, the Tests tab selected. */
async function withResults(attrs: Record<string, string> = {}): Promise<SeWorkspace> {
  const el = await mount({ attrs });
  await until(() => editorText(el).includes('def word_counts'), 'the editor');
  await el.runScenario('test');
  await el.updateComplete;
  return el;
}

afterEach(async () => {
  unmountAll();
  await setViewport({ width: 800, height: 600 });
});

describe('<se-workspace> accessibility (axe-core)', () => {
  for (const theme of ['light', 'dark']) {
    it(`has no serious or critical finding in the ${theme} theme, tests report shown`, async () => {
      const el = await withResults({ theme });
      expect(await seriousFindings(el)).to.deep.equal([]);
      // The Output tab too.
      shadow(el).querySelector<HTMLElement>('[role="tab"][data-panel="output"]')?.click();
      await el.updateComplete;
      expect(await seriousFindings(el)).to.deep.equal([]);
    });
  }

  it('has no serious or critical finding with the terminal open and with the Polish catalog', async () => {
    const el = await mount({ attrs: { locale: 'pl', terminal: 'open' } });
    await until(() => shadow(el).querySelector('.xterm') !== null, 'the terminal', 30000);
    expect(
      shadow(el).querySelector('[data-panel="terminal"]')?.getAttribute('aria-selected'),
    ).to.equal('true');
    expect(shadow(el).querySelector('[part~="scenario-button"]')?.textContent?.trim()).to.equal(
      'Uruchom',
    );
    expect(await seriousFindings(el)).to.deep.equal([]);
  });

  it('stacks the tree above the editor at 360 px, without horizontal scrolling or findings', async () => {
    await setViewport({ width: 360, height: 800 });
    const el = await withResults();
    const root = shadow(el);
    const tree = root.querySelector('[part~="explorer"]')!.getBoundingClientRect();
    const editor = root.querySelector('[part~="editor"]')!.getBoundingClientRect();
    expect(tree.bottom).to.be.at.most(editor.top + 1);
    expect(document.documentElement.scrollWidth).to.be.at.most(360);
    expect(await seriousFindings(el)).to.deep.equal([]);
  });

  it('finds the missing name when a label is taken away (the check is not blind)', async () => {
    const el = await withResults();
    const tree = shadow(el).querySelector('[role="tree"]');
    tree?.removeAttribute('aria-labelledby');
    const content = shadow(el).querySelector('.cm-content');
    content?.removeAttribute('aria-label');
    const findings = await seriousFindings(el);
    expect(
      findings.some((f) => f.includes('aria-input-field-name') || f.includes('label')),
    ).to.equal(true, findings.join('\n'));
  });
});
