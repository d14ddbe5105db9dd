import { expect, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import {
  editorContent,
  mount,
  part,
  pick,
  runSource,
  shadow,
  signToken,
  unmountAll,
  until,
} from '../helpers.js';

afterEach(() => unmountAll());

describe('<se-solve> problem mode', () => {
  it('shows the statement and a Submit button, the input box only under "Run with input"', async () => {
    const el = await mount({ attrs: { widget: 'problem-demo' } });
    const statement = part(el, 'statement');
    expect(statement.querySelector('h2')?.textContent).to.equal('Sum of two integers');
    expect(statement.textContent).to.contain('sum');
    const tryBox = part(el, 'try') as HTMLDetailsElement;
    expect(tryBox.open).to.equal(false);
    expect(tryBox.contains(part(el, 'stdin'))).to.equal(true);
    expect(part(el, 'submit-button').textContent?.trim()).to.equal('Submit');
  });

  it("takes the widget's problem with a host-signed token that does not name it", async () => {
    const token = await signToken({ widget: 'signed-problem' });
    const ready = new Promise<CustomEvent>((resolve) => {
      document.addEventListener('se-ready', (e) => resolve(e as CustomEvent), { once: true });
    });
    const el = await mount({ attrs: { token } });
    expect((await ready).detail.widget?.id).to.equal('signed-problem');
    expect(part(el, 'statement').querySelector('h2')?.textContent).to.equal('Sum of two integers');
    expect(part(el, 'try').contains(part(el, 'stdin'))).to.equal(true);
    await pick(el, 'Python');
    el.source = 'a, b = map(int, input().split())\nprint(a + b)\n';
    const r = await el.submit();
    expect(r?.kind).to.equal('submission');
    expect(r?.result.status.name).to.equal('accepted');
  });

  it('submits by keyboard alone and shows the verdict with per-test results', async () => {
    const el = await mount({ attrs: { widget: 'problem-demo' } });
    await pick(el, 'Python');
    el.source = 'a, b = map(int, input().split())\nprint(a + b)\n';
    part(el, 'language-picker').focus();
    await sendKeys({ press: 'Tab' });
    expect(shadow(el).activeElement).to.equal(part(el, 'submit-button'));
    const result = oneEvent(el, 'se-result');
    await sendKeys({ press: 'Enter' });
    const r = (await result).detail;
    expect(r.kind).to.equal('submission');
    await el.updateComplete;
    expect(part(el, 'status').textContent).to.contain('Accepted');
    const rows = shadow(el).querySelectorAll('.tests tbody tr');
    expect(rows.length).to.equal(r.result.testcases?.length);
    expect(part(el, 'status').textContent).to.match(/(\d+) of \1 tests passed/);
  });

  it('shows expected versus produced output of a failed test', async () => {
    const el = await mount({ attrs: { widget: 'problem-demo' } });
    await runSource(el, 'Python', 'a, b = map(int, input().split())\nprint(a - b)\n', 'submit');
    expect(part(el, 'status').textContent).to.contain('Wrong answer');
    const diff = shadow(el).querySelector('details.diff');
    expect(diff?.querySelector('summary')?.textContent).to.contain('expected output');
    expect(diff?.querySelector('.expected pre')?.textContent?.length).to.be.greaterThan(0);
  });
});

describe('<se-solve> errors on their lines', () => {
  it('marks a compile error on its line and announces the line', async () => {
    const el = await mount();
    await runSource(
      el,
      'C++',
      '#include <iostream>\nint main() {\n    undeclared = 1;\n    return 0;\n}\n',
    );
    expect(part(el, 'status').textContent).to.contain('Compilation error on line 3');
    await until(
      () => shadow(el).querySelectorAll('.cm-lint-marker-error').length > 0,
      'a lint marker',
    );
    const line3 = editorContent(el).querySelectorAll('.cm-line')[2];
    expect(line3.querySelector('.cm-lintRange-error')).to.not.equal(null);
  });

  it('marks the line of a Python traceback', async () => {
    const el = await mount();
    await runSource(el, 'Python', 'x = 1\nprint(y)\n');
    expect(part(el, 'status').textContent).to.contain('Runtime error on line 2');
    await until(() => editorContent(el).querySelector('.cm-lintRange-error') !== null, 'a mark');
    expect(editorContent(el).querySelectorAll('.cm-line')[1].textContent).to.equal('print(y)');
    expect(part(el, 'results').textContent).to.contain('NameError');
  });

  it('shows the program output as text, never as HTML', async () => {
    const el = await mount();
    await runSource(el, 'Python', 'print("<img src=x onerror=alert(1)><b>bold</b>")\n');
    const output = shadow(el).querySelector('.output pre') as HTMLElement;
    expect(output.textContent).to.contain('<b>bold</b>');
    expect(output.querySelector('b, img')).to.equal(null);
  });
});
