import { expect } from '@open-wc/testing';
import {
  editorText,
  learnerToken,
  mount,
  part,
  shadow,
  SOLUTION,
  unmountAll,
  until,
} from './helpers.js';

afterEach(() => unmountAll());

function testRows(el: HTMLElement & { shadowRoot: ShadowRoot | null }) {
  return [...(el.shadowRoot?.querySelectorAll('[part~="tests"] tbody tr') ?? [])].map((tr) => ({
    name: tr.querySelector('th')?.textContent?.trim() ?? '',
    status: tr.querySelector('td')?.textContent?.trim() ?? '',
  }));
}

describe('<se-workspace> scenarios', () => {
  it('test on the template names the failing tests; with the solution every test passes', async () => {
    const el = await mount();
    await until(() => editorText(el).includes('def word_counts'), 'the editor');
    const failing = await el.runScenario('test');
    expect(failing?.status.code).to.equal(14);
    await el.updateComplete;
    const panelTab = shadow(el).querySelector('[role="tab"][data-panel="tests"]');
    expect(panelTab?.getAttribute('aria-selected')).to.equal('true');
    const rows = testRows(el);
    expect(rows.length).to.be.greaterThan(0);
    const failed = rows.filter((r) => r.status === 'Failed' || r.status === 'Error');
    expect(failed.length).to.be.greaterThan(0);
    for (const r of failed)
      expect(failing?.tests?.some((t) => r.name.endsWith(t.name) && t.status !== 'ok')).to.equal(
        true,
      );
    expect(part(el, 'tests').querySelector('caption')?.textContent).to.match(/of \d+ tests passed/);
    expect(part(el, 'announcer').textContent).to.contain('Test: Tests failed.');

    await el.setFileContent('main.py', SOLUTION);
    const passing = await el.runScenario('test');
    expect(passing?.status.code).to.equal(15);
    await el.updateComplete;
    const after = testRows(el);
    expect(after.length).to.equal(rows.length);
    expect(after.every((r) => r.status === 'Passed')).to.equal(true, JSON.stringify(after));
    expect(part(el, 'announcer').textContent).to.contain(`${after.length} of ${after.length}`);
  });

  it('run shows the run stage output per stage; getStageStream reads it', async () => {
    const el = await mount();
    await el.setFileContent(
      'main.py',
      'import sys\nprint("to out")\nprint("to err", file=sys.stderr)\n',
    );
    const r = await el.runScenario();
    expect(r?.scenario).to.equal('run');
    await el.updateComplete;
    expect(el.getStageStream('run', 'stdout')).to.equal('to out\n');
    expect(el.getStageStream('run', 'stderr')).to.equal('to err\n');
    expect(el.getStageStream('no-such-stage', 'stdout')).to.equal(null);
    // Skipped stages are not drawn.
    for (const s of r?.stages ?? [])
      expect(part(el, 'output').querySelector(`[data-stage="${s.name}"]`) !== null).to.equal(
        !s.skipped,
        s.name,
      );
    const stage = part(el, 'output').querySelector('[data-stage="run"]');
    expect(stage?.querySelector('pre.stdout')?.textContent).to.equal('to out\n');
    expect(stage?.querySelector('pre.stderr')?.textContent).to.equal('to err\n');
  });

  it('marks an error line of the run stage (a Python traceback) in the editor', async () => {
    const el = await mount();
    await el.setFileContent('main.py', 'x = 1\ny = 2\nprint(undefined_name)\n');
    const r = await el.runScenario('run');
    expect(r?.status.code).to.equal(12);
    await until(
      () => shadow(el).querySelector('.cm-lintRange-error, .cm-lint-marker-error') !== null,
      'a diagnostic in the editor',
    );
    const marker = shadow(el).querySelectorAll('.cm-gutterElement .cm-lint-marker-error');
    expect(marker.length).to.equal(1);
    // The marker is on line 3.
    const lines = [...shadow(el).querySelectorAll('.cm-lineNumbers .cm-gutterElement')];
    const gutter = marker[0].closest('.cm-gutterElement') as HTMLElement;
    const row = lines.find(
      (l) => Math.abs(l.getBoundingClientRect().top - gutter.getBoundingClientRect().top) < 2,
    );
    expect(row?.textContent).to.equal('3');
  });

  it('marks a gcc error of the build stage on its file and line (C project)', async () => {
    const token = await learnerToken(undefined, 'workspace-c');
    const el = await mount({ attrs: { token } });
    const root = shadow(el);
    // The project's own read-only file is marked so.
    expect(
      root.querySelector('[role="treeitem"][data-path="Makefile"] .badge')?.textContent,
    ).to.equal('read-only');
    await until(() => editorText(el).length > 0, 'main.c');
    expect(
      root.querySelector('[role="tab"][aria-selected="true"]')?.getAttribute('data-path'),
    ).to.equal('main.c');
    await el.setFileContent(
      'main.c',
      '#include <stdio.h>\nint main(void) {\n  int x = ;\n  return 0;\n}\n',
    );
    const r = await el.runScenario('run');
    expect(r?.status.code).to.equal(11);
    expect(el.getStageStream('build', 'stderr') ?? '').to.match(/main\.c:3:\d+: error/);
    await until(
      () => root.querySelector('.cm-gutterElement .cm-lint-marker-error') !== null,
      'the error marker',
    );
    await until(() => root.querySelector('.cm-lintRange-error') !== null, 'the error range');
    const range = root.querySelector('.cm-lintRange-error');
    const lineEls = [...root.querySelectorAll('.cm-content .cm-line')];
    expect(lineEls.indexOf(range!.closest('.cm-line')!) + 1).to.equal(
      3,
      el.getStageStream('build', 'stderr') ?? '',
    );
    // Fixed: the next build clears the mark.
    await el.setFileContent('main.c', '#include <stdio.h>\nint main(void) {\n  return 0;\n}\n');
    await el.runScenario('run');
    await until(
      () => root.querySelector('.cm-gutterElement .cm-lint-marker-error') === null,
      'the marker cleared',
    );
  });
});
