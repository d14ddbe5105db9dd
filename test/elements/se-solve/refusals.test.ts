import { expect, oneEvent } from '@open-wc/testing';
import type { SeSolve } from '../../../src/elements/index.js';
import { backendUrl, mount, part, shadow, signToken, uniqueId, unmountAll } from '../helpers.js';

afterEach(() => unmountAll());

/** Mounts an element that is expected to fail to start; resolves with its se-error detail. */
async function refused(attrs: Record<string, string>) {
  const el = document.createElement('se-solve');
  el.setAttribute('backend', backendUrl());
  el.id = uniqueId('refused');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  const error = oneEvent(el, 'se-error');
  document.body.append(el);
  const detail = (await error).detail;
  await el.updateComplete;
  return { el, detail };
}

/** Neither an editor nor a Run or Submit button is offered, and no "Try again". */
function offersNothing(el: SeSolve): void {
  for (const name of ['editor', 'language-picker'])
    expect(part(el, name).checkVisibility(), `${name} is hidden`).to.equal(false);
  const buttons = [...shadow(el).querySelectorAll('button')].filter((b) => b.checkVisibility());
  expect(buttons.map((b) => b.textContent?.trim())).to.deep.equal([]);
}

describe('<se-solve> refusals as authors meet them', () => {
  it("says that the page's origin is not in the widget's origins, and who can fix it", async () => {
    const { el, detail } = await refused({ widget: 'other-origin' });
    expect(detail.code).to.equal('origin_not_allowed');
    const text = part(el, 'message').textContent ?? '';
    expect(text).to.contain(location.origin);
    expect(text).to.contain('"other-origin"');
    expect(text).to.contain('course author');
    expect(text).to.not.contain('Cannot reach the server');
    offersNothing(el);
  });

  it('says a private widget needs a token from the course server', async () => {
    const { el, detail } = await refused({ widget: 'signed-run' });
    expect(detail.code).to.equal('forbidden');
    expect(part(el, 'message').textContent).to.match(/private.*token attribute/s);
    offersNothing(el);
  });

  it('says a mistyped widget id does not exist', async () => {
    const { el } = await refused({ widget: 'run-dmeo' });
    expect(part(el, 'message').textContent).to.contain('There is no widget "run-dmeo"');
    offersNothing(el);
  });

  it('says a garbage token was not accepted (it has not "expired")', async () => {
    const { el } = await refused({ token: 'not-a-token' });
    const text = part(el, 'message').textContent ?? '';
    expect(text).to.contain('was not accepted');
    expect(text).to.not.contain('expired');
    offersNothing(el);
  });

  it('offers "Try again" and keeps the work area hidden while the backend is unreachable', async () => {
    const { el } = await refused({ widget: 'run-demo', backend: 'http://127.0.0.1:9' });
    expect(part(el, 'editor').checkVisibility()).to.equal(false);
    const retry = part(el, 'message').querySelector('button');
    expect(retry?.textContent).to.contain('Try again');
  });
});

describe('<se-solve> limits, with the figures the server gave', () => {
  it('gives the size of the code and the limit', async () => {
    const el = await mount();
    el.source = `# ${'x'.repeat(70000)}\n`;
    const error = oneEvent(el, 'se-error');
    await el.run();
    const d = (await error).detail;
    expect(d.code).to.equal('too_large');
    await el.updateComplete;
    const text = part(el, 'message').textContent ?? '';
    expect(text).to.contain('70,003 B');
    expect(text).to.contain('65,536 B');
  });

  it('gives the seconds to wait when runs come too fast', async () => {
    const el = await mount({ attrs: { widget: 'one-run' } });
    await el.run();
    const error = oneEvent(el, 'se-error');
    await el.run();
    expect((await error).detail.code).to.equal('rate_limited');
    await el.updateComplete;
    expect(part(el, 'message').textContent).to.match(/Try again in \d+ s\./);
  });

  it('offers the editor and Run when the widget works (the check above can tell)', async () => {
    const token = await signToken({ widget: 'signed-run' });
    const el = await mount({ attrs: { token } });
    expect(part(el, 'editor').checkVisibility()).to.equal(true);
    expect(part(el, 'run-button').checkVisibility()).to.equal(true);
  });
});
