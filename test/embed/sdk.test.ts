// The drop-in for pages written for the hosted service's JS SDK (/static/sdk/sdk.min.js) in
// Chromium: pages written as the hosted documentation shows (test/embed/fixtures/hosted-*.html,
// only the SE_BASE line changed), the real backend serving the SDK and the embed pages, the real
// engine behind it.
import { expect } from '@open-wc/testing';
import { executeServerCommand, sendMouse } from '@web/test-runner-commands';
import type { SdkGlobal, SdkWidget } from '../../src/embed/index.js';
import { backendUrl, liveListeners, sleep, until, warnings } from './helpers.js';

const PROBLEM_HASH = 'feedface0feedface0feedface0feed0';
const COMPILERS_HASH = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const SUM = 'a, b = map(int, input().split())\nprint(a + b)';

type HostedWindow = Window & {
  SE: SdkGlobal;
  SEC: SdkGlobal;
  readyRan: string[];
  afterSend?: Array<{ submissionId: string }>;
};

interface FrameState {
  languages: string | null;
  options: string[];
  input: string | null;
  source: string | null;
  theme: string | null;
  text: string;
  shadowText: string | null;
}

function state(widget: string): Promise<FrameState> {
  return executeServerCommand('se-embed-frame', { action: 'state', widget }) as Promise<FrameState>;
}

const pages = new Set<HTMLIFrameElement>();
afterEach(() => {
  for (const p of pages) p.remove();
  pages.clear();
});

/** A fixture page in an iframe (on `origin`), its SDK pointed at the test backend. */
async function hostedPage(name: string, origin = location.origin): Promise<HTMLIFrameElement> {
  const iframe = document.createElement('iframe');
  iframe.setAttribute('allow', 'fullscreen');
  iframe.style.width = '800px';
  iframe.style.height = '900px';
  const url = new URL(`/test/embed/fixtures/${name}.html`, origin);
  url.searchParams.set('base', new URL(backendUrl()).host);
  const loaded = new Promise((resolve) => iframe.addEventListener('load', resolve, { once: true }));
  iframe.src = url.href;
  document.body.append(iframe);
  pages.add(iframe);
  await loaded;
  return iframe;
}

async function problemsPage(): Promise<{ win: HostedWindow; widget: SdkWidget }> {
  const iframe = await hostedPage('hosted-problems');
  const win = iframe.contentWindow as HostedWindow;
  await until(() => win.readyRan?.length === 1, 'the page’s SE.ready function');
  const widget = win.SE.widget('example-widget');
  if (!widget) throw new Error('no widget');
  // A frame that never connects fails here, not at the runner's time limit.
  expect(await Promise.race([widget.ready, sleep(20000).then(() => 'no connection')])).to.equal(
    true,
  );
  return { win, widget };
}

describe('SDK drop-in: the script', () => {
  it('is served at /static/sdk/sdk.min.js and /static/sdk/sdk.js to any origin', async () => {
    for (const name of ['sdk.min.js', 'sdk.js']) {
      const r = await fetch(new URL(`/static/sdk/${name}`, backendUrl()));
      expect(r.status, name).to.equal(200);
      expect(r.headers.get('content-type')).to.match(/javascript/);
      const text = await r.text();
      expect(text.length).to.be.greaterThan(1000);
      // A classic script: no module syntax at its top level.
      expect(text).not.to.match(/^\s*(import|export)\b/m);
    }
  });
});

describe('SDK drop-in: a page written for the hosted Problems widget', () => {
  it('keeps the loader’s queue array and ready(), finds the placeholder and connects', async () => {
    const { win, widget } = await problemsPage();
    expect(win.readyRan).to.deep.equal(['found']);
    expect(Array.isArray(win.SE)).to.equal(true);
    // A function registered later still runs (at once, now that the SDK is up).
    let later = 0;
    win.SE.ready(() => later++);
    expect(later).to.equal(1);
    // The loader's queue: a pushed function runs too.
    win.SE.push(() => later++);
    expect(later).to.equal(2);
    const frame = win.document.querySelector('.se-widget iframe') as HTMLIFrameElement;
    expect(frame.src).to.contain('/embed/solve');
    expect(frame.src).to.contain(`widget=${PROBLEM_HASH}`);
    expect(win.SE.widget('example-widget')).to.equal(widget);
    expect(win.SEC.widget('example-widget')).to.equal(widget);
    expect(win.SE.widget('no-such-widget')).to.equal(null);
  });

  it('loadSourceCode, setCompilers and config reach the widget in the frame', async () => {
    const { widget } = await problemsPage();
    expect(await widget.setCompilers([116])).to.equal(true);
    await until(() => true, 'nothing');
    let s = await state(PROBLEM_HASH);
    expect(s.languages).to.equal('116');
    expect(await widget.loadSourceCode(116, 'print("loaded")', '5 6')).to.equal(true);
    s = await state(PROBLEM_HASH);
    expect(s.source).to.equal('print("loaded")');
    expect(s.input).to.equal('5 6');
    expect(await widget.config({ theme: 'dark' })).to.equal(true);
    s = await state(PROBLEM_HASH);
    expect(s.theme).to.equal('dark');
  });

  it('a submission: beforeSendSubmission, afterSendSubmission and checkStatus', async () => {
    const { win, widget } = await problemsPage();
    const before: Array<Record<string, unknown>> = [];
    const statuses: Array<{ statusNumber: number; statusDescription: string }> = [];
    widget.events.subscribe('beforeSendSubmission', (d) => {
      before.push(d);
      return true;
    });
    widget.events.subscribe('checkStatus', (d) => statuses.push(d));
    await widget.loadSourceCode(116, SUM);
    const result = (await widget.submit()) as { result: { status: { code: number } } } | null;
    expect(result).to.not.equal(null);
    expect(before).to.have.length(1);
    expect(before[0]).to.include({ submissionLanguage: 116, submissionSource: SUM });
    await until(() => (win.afterSend?.length ?? 0) === 1, 'afterSendSubmission');
    expect(win.afterSend![0].submissionId).to.be.a('string');
    await until(() => statuses.length > 0, 'checkStatus');
    const last = statuses[statuses.length - 1]!;
    expect(last.statusNumber).to.equal(result!.result.status.code);
    expect(last.statusDescription).to.be.a('string').and.not.equal('');
  });

  it('a false from one beforeSendSubmission callback stops the submission in the frame', async () => {
    const { win, widget } = await problemsPage();
    await widget.loadSourceCode(116, SUM);
    let calls = 0;
    const yes = () => {
      calls++;
      return true;
    };
    const no = () => false;
    widget.events.subscribe('beforeSendSubmission', yes);
    // The same callback twice is kept once.
    widget.events.subscribe('beforeSendSubmission', yes);
    widget.events.subscribe('beforeSendSubmission', no);
    expect(await widget.submit()).to.equal(null);
    expect(calls).to.equal(1);
    await sleep(1500);
    expect(win.afterSend ?? []).to.have.length(0);
    widget.events.unsubscribe('beforeSendSubmission', no);
    expect(await widget.submit()).to.not.equal(null);
    await until(() => (win.afterSend?.length ?? 0) === 1, 'afterSendSubmission');
    expect(calls).to.equal(2);
  });

  it('enterFullScreen and exitFullScreen follow the widget’s frame', async () => {
    const { win, widget } = await problemsPage();
    const seen: string[] = [];
    widget.events.subscribe('enterFullScreen', () => seen.push('enter'));
    widget.events.subscribe('exitFullScreen', () => seen.push('exit'));
    const frame = win.document.querySelector('.se-widget iframe') as HTMLIFrameElement;
    // Fullscreen needs a user's gesture: a real click on a button of the page asks for it.
    const button = win.document.createElement('button');
    button.textContent = 'Full screen';
    button.onclick = () => void frame.requestFullscreen();
    win.document.body.prepend(button);
    (win.frameElement as HTMLElement).scrollIntoView();
    for (let attempt = 0; attempt < 3 && !win.document.fullscreenElement; attempt++) {
      await sleep(200);
      const outer = (win.frameElement as HTMLElement).getBoundingClientRect();
      const inner = button.getBoundingClientRect();
      await sendMouse({
        type: 'click',
        position: [Math.round(outer.x + inner.x + 5), Math.round(outer.y + inner.y + 5)],
      });
      await until(() => !!win.document.fullscreenElement, 'fullscreen', 2000).catch(() => {});
    }
    await until(() => seen.length === 1, 'enterFullScreen');
    expect(win.document.fullscreenElement).to.equal(frame);
    await win.document.exitFullscreen();
    await until(() => seen.length === 2, 'exitFullScreen');
    expect(seen).to.deep.equal(['enter', 'exit']);
  });
});

describe('SDK drop-in: widgets added later, destroy and bad input', () => {
  it('two widgets added after load (SE.create), each its own frame, lazily', async () => {
    const { win } = await problemsPage();
    const a = win.document.createElement('div');
    a.dataset.widget = COMPILERS_HASH;
    const b = win.document.createElement('div');
    b.dataset.widget = 'run-demo';
    // b is far below the fold: no frame until it nears the viewport.
    b.style.marginTop = '5000px';
    win.document.body.prepend(a);
    win.document.body.append(b);
    const wa = win.SE.create('first', a)!;
    const wb = win.SE.create('second', b)!;
    expect(await wa.ready).to.equal(true);
    await sleep(300);
    expect(b.querySelector('iframe')).to.equal(null);
    b.scrollIntoView();
    expect(await wb.ready).to.equal(true);
    expect(b.querySelector('iframe')).to.not.equal(null);
    expect(win.SE.widget('first')).to.equal(wa);
    expect(win.SE.widget('second')).to.equal(wb);
    await wa.loadSourceCode(116, 'print("a")');
    await wb.loadSourceCode(116, 'print("b")');
    expect((await state(COMPILERS_HASH)).source).to.equal('print("a")');
    expect((await state('run-demo')).source).to.equal('print("b")');
  });

  it('destroy() leaves no listener and no frame; calls after it warn and do nothing', async () => {
    const { win } = await problemsPage();
    const live = liveListeners(win);
    const el = win.document.createElement('div');
    el.dataset.widget = COMPILERS_HASH;
    win.document.body.prepend(el);
    const w = win.SE.create('temp', el)!;
    expect(await w.ready).to.equal(true);
    expect(live.get('message')).to.equal(1);
    expect(live.get('fullscreenchange')).to.equal(1);
    const seen = warnings(win);
    expect(await w.destroy()).to.equal(true);
    expect(el.querySelector('iframe')).to.equal(null);
    for (const [type, n] of live) expect(n, type).to.equal(0);
    expect(await w.loadSourceCode(116, 'x')).to.equal(false);
    expect(await w.destroy()).to.equal(false);
    expect(w.events.subscribe('ready', () => {})).to.equal(false);
    expect(seen.some((s) => s.includes("widget 'temp' was destroyed"))).to.equal(true);
  });

  it('an unknown widget hash: a warning naming it, and the backend’s message in the widget', async () => {
    const { win } = await problemsPage();
    const seen = warnings(win);
    const el = win.document.createElement('div');
    el.dataset.widget = 'no-such-hash';
    win.document.body.prepend(el);
    const w = win.SE.create('unknown', el)!;
    await until(
      () => seen.some((s) => s.includes('data-widget="no-such-hash"')),
      'the warning',
      20000,
    );
    expect((await state('no-such-hash')).text).to.contain('There is no widget “no-such-hash”');
    void w.destroy();
  });

  it('an unknown event name warns and throws nothing', async () => {
    const { win, widget } = await problemsPage();
    const seen = warnings(win);
    expect(widget.events.subscribe('noSuchEvent' as 'ready', () => {})).to.equal(false);
    expect(widget.events.unsubscribe('noSuchEvent' as 'ready', () => {})).to.equal(false);
    expect(seen.filter((s) => s.includes("unknown event 'noSuchEvent'"))).to.have.length(2);
  });
});

describe('SDK drop-in: signed placeholders (data-signature, data-nonce)', () => {
  async function signedWidget(
    win: HostedWindow,
    id: string,
    sign: { userId: string; ttlSeconds?: number; ageMs?: number },
    userId = sign.userId,
  ): Promise<SdkWidget> {
    const el = win.document.createElement('div');
    el.dataset.widget = 'signed-run';
    el.dataset.id = id;
    el.dataset.userId = userId;
    el.dataset.customData = 'course-7';
    const signed = (await executeServerCommand('se-sign-sdk', {
      widget: 'signed-run',
      id,
      customData: 'course-7',
      ...sign,
    })) as { nonce: string; signature: string };
    el.dataset.nonce = signed.nonce;
    el.dataset.signature = signed.signature;
    win.document.body.prepend(el);
    return win.SE.create(id, el)!;
  }

  it('a good signature gives the widget its session: it runs', async () => {
    const { win } = await problemsPage();
    const w = await signedWidget(win, 'signed-1', { userId: 'learner-1' });
    expect(await w.ready).to.equal(true);
    await w.loadSourceCode(116, 'print("signed")');
    const r = (await w.run()) as { result: { output: { text: string } } } | null;
    expect(r?.result.output.text.trim()).to.equal('signed');
  });

  it('a tampered field or an expired signature: a warning, and the widget says it has no session', async () => {
    const { win } = await problemsPage();
    const seen = warnings(win);
    const tampered = await signedWidget(win, 'tampered', { userId: 'learner-1' }, 'learner-2');
    await until(() => seen.some((s) => s.includes('signature is not valid')), 'the warning');
    const expired = await signedWidget(win, 'expired', {
      userId: 'learner-1',
      ttlSeconds: 60,
      ageMs: 10 * 60_000,
    });
    await until(() => seen.some((s) => s.includes('signature has expired')), 'the warning');
    expect(seen.find((s) => s.includes('signature is not valid'))).to.contain("'tampered'");
    expect(seen.find((s) => s.includes('signature has expired'))).to.contain("'expired'");
    // Without a session the frame shows <se-solve>'s own message for a widget that is not public.
    expect(await tampered.ready).to.equal(true);
    await until(() => false, 'x', 1500).catch(() => {});
    expect((await state('signed-run')).shadowText).to.contain('Widget "signed-run" is private');
    void expired.destroy();
  });
});

describe('SDK drop-in: a page written for the hosted Compilers widget, on a second origin', () => {
  it('loads, connects, runs with input and reports checkStatus', async () => {
    const second = location.origin.replace('//localhost:', '//127.0.0.1:');
    expect(second).to.not.equal(location.origin);
    // The test server answers on that address too (a refused connection rejects).
    await fetch(new URL('/test/embed/fixtures/hosted-compilers.html', second), { mode: 'no-cors' });
    const got: string[] = [];
    const onMessage = (e: MessageEvent) => {
      if (e.origin === second && typeof (e.data as { hosted?: unknown })?.hosted === 'string')
        got.push((e.data as { hosted: string }).hosted);
    };
    window.addEventListener('message', onMessage);
    try {
      await hostedPage('hosted-compilers', second);
      await until(() => got.some((g) => g.startsWith('ran')), 'the run', 30000).catch((err) => {
        throw new Error(`${(err as Error).message}; the page said: ${JSON.stringify(got)}`);
      });
      expect(got[0]).to.equal('ready');
      expect(got).to.include('ran 42');
      expect(got.some((g) => /^status \d+ \S/.test(g))).to.equal(true);
    } finally {
      window.removeEventListener('message', onMessage);
    }
  });
});
