import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { decode, FRAME } from '../../../src/shared/terminal.js';
import type { SeWorkspace } from '../../../src/elements/index.js';
import { learnerToken, mount, part, record, shadow, unmountAll, until } from './helpers.js';

afterEach(() => unmountAll());

const xtermLoaded = () =>
  performance.getEntriesByType('resource').some((e) => e.name.includes('@xterm'));

function openTerminalTab(el: SeWorkspace): void {
  const tab = shadow(el).querySelector<HTMLElement>('[role="tab"][data-panel="terminal"]');
  if (!tab) throw new Error('no terminal tab');
  tab.click();
}

const count = (text: string, what: string) => text.split(what).length - 1;

describe('<se-workspace> terminal', () => {
  it('loads xterm.js only when the Terminal tab opens, and echoes what is typed', async () => {
    const el = await mount();
    expect(xtermLoaded()).to.equal(false);
    expect(shadow(el).querySelector('.xterm')).to.equal(null);
    expect(el.terminalText()).to.equal(null);
    const rec = record(el, ['se-terminal']);
    openTerminalTab(el);
    await until(() => rec.length > 0, 'the terminal to connect', 30000);
    expect(xtermLoaded()).to.equal(true);
    const box = part(el, 'terminal');
    expect(box.querySelector('.xterm')).to.not.equal(null);
    // Fit to the panel: more than xterm's default 80x24 would leave blank, fewer than it holds.
    const screen = box.querySelector<HTMLElement>('.xterm-screen');
    expect(screen?.getBoundingClientRect().width ?? 0).to.be.at.most(box.clientWidth + 1);
    // Typed through xterm (its textarea has the focus), echoed by the shell through the backend.
    const input = box.querySelector<HTMLTextAreaElement>('textarea');
    expect(input?.getAttribute('aria-label')).to.equal('Terminal');
    input?.focus();
    await sendKeys({ type: 'echo hi-$((6*7))' });
    await sendKeys({ press: 'Enter' });
    await until(() => /^hi-42$/m.test(el.terminalText() ?? ''), 'the echo in xterm', 20000);
  });

  it('a second element takes the terminal over; the first says so and resumes from where it stopped', async () => {
    const token = await learnerToken();
    const first = await mount({ attrs: { token } });
    const rec = record(first, ['se-terminal']);
    openTerminalTab(first);
    await until(() => rec.length > 0, 'the first terminal', 30000);
    await first.terminalInput('echo marker-$((2+3))\r');
    await until(() => /^marker-5$/m.test(first.terminalText() ?? ''), 'the first echo', 20000);

    const second = await mount({ attrs: { token } });
    const rec2 = record(second, ['se-terminal']);
    openTerminalTab(second);
    await until(() => rec2.length > 0, 'the second terminal', 30000);
    await until(
      () => rec.some((e) => (e.detail as { code: number }).code === 4008),
      'the first to be taken over',
    );
    await first.updateComplete;
    expect(shadow(first).querySelector('.terminal-note')?.textContent).to.contain(
      'opened in another window',
    );
    // The second sees the output so far (the terminal's ring buffer).
    await until(() => /^marker-5$/m.test(second.terminalText() ?? ''), 'the replay', 20000);
    second.remove();
    // Reconnecting the first: it asks only for what it has not seen (`from`), no repeat.
    const before = count(first.terminalText() ?? '', 'marker-5');
    const hellos: Array<{ from?: number; ticket?: string }> = [];
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket, data) {
      const f = decode(new Uint8Array(data as ArrayBuffer));
      if (f.type === FRAME.HELLO) hellos.push(f.hello);
      send.call(this, data);
    };
    const reconnect = [
      ...shadow(first).querySelectorAll('.terminal-note button'),
    ][0] as HTMLElement;
    reconnect.click();
    await until(
      () => rec.filter((e) => (e.detail as { state: string }).state === 'open').length >= 2,
      'the first to reconnect',
      30000,
    );
    WebSocket.prototype.send = send;
    // A new ticket, and `from` past the output already shown.
    expect(hellos.length).to.equal(1);
    expect(hellos[0].ticket).to.be.a('string');
    expect(hellos[0].from ?? 0).to.be.greaterThan(0);
    await first.terminalInput('echo again-$((3+4))\r');
    await until(
      () => /^again-7$/m.test(first.terminalText() ?? ''),
      'the echo after reconnecting',
      20000,
    );
    expect(count(first.terminalText() ?? '', 'marker-5')).to.equal(before);
  });

  it("acknowledges what xterm drew: output far over the server's high-water mark keeps flowing", async () => {
    const el = await mount();
    const rec = record(el, ['se-terminal']);
    openTerminalTab(el);
    await until(() => rec.length > 0, 'the terminal', 30000);
    // About 230 KB: the server stops reading the shell at 100 KB unacknowledged.
    await el.terminalInput('seq 1 40000; echo done-$((40*1000))\r');
    await until(
      () => /^done-40000$/m.test(el.terminalText() ?? ''),
      'the end of the output',
      60000,
    );
  });

  it('Escape then Tab leaves the terminal; Tab alone stays in it', async () => {
    const el = await mount();
    const rec = record(el, ['se-terminal']);
    openTerminalTab(el);
    await until(() => rec.length > 0, 'the terminal', 30000);
    const input = part(el, 'terminal').querySelector<HTMLTextAreaElement>('textarea');
    input?.focus();
    await sendKeys({ press: 'Tab' });
    expect(shadow(el).activeElement).to.equal(input);
    await sendKeys({ press: 'Escape' });
    await sendKeys({ press: 'Tab' });
    expect(shadow(el).activeElement).to.not.equal(input);
  });

  it('terminal-screen-reader: xterm mirrors its rows for assistive technology', async () => {
    const el = await mount({ attrs: { terminal: 'open', 'terminal-screen-reader': '' } });
    const rec = record(el, ['se-terminal']);
    await until(
      () => rec.some((e) => (e.detail as { state: string }).state === 'open'),
      'open',
      30000,
    );
    const box = part(el, 'terminal');
    const tree = () => box.querySelector('.xterm-accessibility-tree');
    expect(tree()).to.not.equal(null);
    expect(part(el, 'screen-reader-button').getAttribute('aria-pressed')).to.equal('true');
    box.querySelector<HTMLTextAreaElement>('textarea')?.focus();
    await sendKeys({ type: 'echo sr-$((2*3))' });
    await sendKeys({ press: 'Enter' });
    await until(
      () => (tree()?.textContent ?? '').includes('sr-6'),
      'the output in the tree',
      20000,
    );
  });

  it('without it the mode is off; the switch turns it on and off from the keyboard', async () => {
    const el = await mount({ attrs: { terminal: 'open' } });
    const rec = record(el, ['se-terminal']);
    await until(
      () => rec.some((e) => (e.detail as { state: string }).state === 'open'),
      'open',
      30000,
    );
    const box = part(el, 'terminal');
    const tree = () => box.querySelector('.xterm-accessibility-tree');
    expect(tree()).to.equal(null);
    const button = part(el, 'screen-reader-button');
    expect(button.getAttribute('aria-pressed')).to.equal('false');
    expect(button.textContent?.trim()).to.equal('Screen reader mode');
    button.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(el.hasAttribute('terminal-screen-reader')).to.equal(true);
    expect(button.getAttribute('aria-pressed')).to.equal('true');
    await until(() => tree() !== null, 'the accessibility tree');
    await sendKeys({ press: ' ' });
    await el.updateComplete;
    expect(el.terminalScreenReader).to.equal(false);
    await until(() => tree() === null, 'no accessibility tree');
  });

  it('has no terminal tab with terminal="hidden"', async () => {
    const el = await mount({ attrs: { token: await learnerToken(), terminal: 'hidden' } });
    expect(shadow(el).querySelector('[data-panel="terminal"]')).to.equal(null);
  });
});
