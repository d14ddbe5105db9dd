import { expect, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { mount, part, pick, runSource, shadow, unmountAll } from '../helpers.js';

afterEach(() => unmountAll());

const sum = 'a, b = map(int, input().split())\nprint(a + b)\n';

describe('<se-solve> trying the sample before submitting', () => {
  it('offers "Run with input" with the sample input filled in, and runs it', async () => {
    const el = await mount({ attrs: { widget: 'problem-demo' } });
    await pick(el, 'Python');
    el.source = sum;
    const tryBox = part(el, 'try') as HTMLDetailsElement;
    tryBox.querySelector('summary')!.click();
    await el.updateComplete;
    const stdin = part(el, 'stdin') as HTMLTextAreaElement;
    expect(stdin.checkVisibility()).to.equal(true);
    expect(stdin.value).to.equal('1 2\n');
    const before = oneEvent(el, 'se-before-submit');
    part(el, 'run-button').click();
    expect((await before).detail.kind).to.equal('run');
    const r = await oneEvent(el, 'se-result');
    expect(r.detail.result.output?.text).to.equal('3\n');
  });

  it('runs, not submits, with Ctrl+Enter in the input box', async () => {
    const el = await mount({ attrs: { widget: 'problem-demo' } });
    (part(el, 'try') as HTMLDetailsElement).open = true;
    await el.updateComplete;
    (part(el, 'stdin') as HTMLTextAreaElement).focus();
    const before = oneEvent(el, 'se-before-submit');
    await sendKeys({ down: 'Control' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ up: 'Control' });
    expect((await before).detail.kind).to.equal('run');
  });
});

describe('<se-solve> a wrong answer a beginner can act on', () => {
  it('names the failed test from 1, shows its input, and expected and yours side by side', async () => {
    const el = await mount({ attrs: { widget: 'problem-demo' } });
    await runSource(el, 'Python', 'a, b = map(int, input().split())\nprint(a - b)\n', 'submit');
    expect(part(el, 'status').textContent).to.contain('Test 1 failed');
    const results = part(el, 'results');
    const input = results.querySelector('.test-input');
    expect(input?.querySelector('h3')?.textContent).to.contain('Test 1');
    expect(input?.querySelector('pre')?.textContent).to.equal('1 2\n');
    const diff = results.querySelector('details.diff') as HTMLDetailsElement;
    expect(diff.open, 'expected and yours start open').to.equal(true);
    const [expected, got] = [diff.querySelector('.expected')!, diff.querySelector('.got')!];
    expect(expected.getBoundingClientRect().top).to.equal(got.getBoundingClientRect().top);
    expect(expected.querySelector('mark')?.textContent).to.equal('3');
    expect(got.querySelector('mark')?.textContent).to.equal('-1');
    expect(diff.textContent).to.contain('First difference on line 1');
    expect(results.querySelector('.tests tbody th')?.textContent?.trim()).to.equal('1');
  });

  it('shows no score on a pass/fail problem', async () => {
    const el = await mount({ attrs: { widget: 'problem-demo' } });
    await pick(el, 'Python');
    el.source = sum;
    const r = await el.submit();
    expect(r?.result.score).to.not.equal(null);
    await el.updateComplete;
    expect(part(el, 'results').querySelector('.metrics')?.textContent).to.not.contain('Score');
  });
});

describe('<se-solve> limits and crashes in words', () => {
  it('says a test ran over its 1 s limit, per test, without a raw signal or an empty comparison', async () => {
    const el = await mount({ attrs: { widget: 'problem-demo' } });
    await runSource(el, 'Python', 'while True:\n    pass\n', 'submit');
    const results = part(el, 'results');
    const text = results.textContent ?? '';
    expect(part(el, 'status').textContent).to.contain('Time limit exceeded');
    expect(text).to.contain('The program ran longer than the 1 s time limit.');
    expect(results.querySelector('.tests tbody')?.textContent).to.contain('over the 1 s limit');
    expect(text).to.not.match(/Signal|SIGXCPU/);
    expect(results.querySelector('details.diff')).to.equal(null);
    expect(results.querySelector('.metrics')?.textContent).to.not.match(/^Time\b/);
  });

  it('says the program printed too much, not "Signal 9 (SIGKILL)"', async () => {
    const el = await mount();
    await runSource(el, 'Python', 'while True:\n    print("x" * 1000)\n');
    const text = part(el, 'results').textContent ?? '';
    expect(text).to.match(/printed more than [\d.,]+ [KM]?B of output/);
    expect(text).to.not.contain('SIGKILL');
    expect(part(el, 'announcer').textContent).to.contain('printed more than');
  });

  it('shows a Python syntax error as a compilation error on its line', async () => {
    const el = await mount();
    await runSource(el, 'Python', 'x = 1\nprint(x\n');
    const status = part(el, 'status').textContent ?? '';
    expect(status).to.contain('Compilation error');
    expect(status).to.not.contain('Runtime error');
    expect(part(el, 'results').querySelector('.cmpinfo pre')?.textContent).to.contain(
      'SyntaxError',
    );
  });

  it('shows no "Time 0 s, Memory 0 KB" for code that never ran', async () => {
    const el = await mount();
    await runSource(el, 'C++', 'int main() { undeclared = 1; }\n');
    expect(part(el, 'status').textContent).to.contain('Compilation error');
    expect(shadow(el).querySelector('.metrics')).to.equal(null);
  });

  it('says what a crash was, in words', async () => {
    const el = await mount();
    await runSource(el, 'C++', '#include <cstdlib>\nint main() { std::abort(); }\n');
    expect(part(el, 'results').textContent).to.contain('The program was stopped: it aborted.');
  });
});
