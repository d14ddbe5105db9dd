// The iframe embed end to end in Chromium: the host SDK (from source) on the test page, the embed
// page and its script from the real backend (a different origin), the real engine behind it.
import { expect } from '@open-wc/testing';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import { embedSolve, type EmbedSolveHandle } from '../../src/embed/index.js';
import {
  backendOrigin,
  backendUrl,
  cleanup,
  container,
  frameAxeFindings,
  next,
  signToken,
  sleep,
  spyMessageListeners,
  track,
  until,
} from './helpers.js';

interface FrameLayout {
  fill: boolean;
  innerHeight: number;
  innerWidth: number;
  scrollHeight: number;
  scrollWidth: number;
  elementBottom: number | null;
  barBottom: number | null;
  theme: string | null;
  results: string | null;
  source: string | null;
  focused: string | null;
}

/** What is inside the (cross-origin) embed frame of `widget`. */
function probe(widget: string): Promise<FrameLayout> {
  return executeServerCommand('se-embed-frame', { widget }) as Promise<FrameLayout>;
}

function embed(widget = 'run-demo', extra: Partial<Parameters<typeof embedSolve>[1]> = {}) {
  return track(embedSolve(container(), { backend: backendUrl(), widget, ...extra }));
}

/** Counts the MessageChannels the SDK opens (one per accepted announce). */
function countChannels(): { count: () => number; restore: () => void } {
  const Original = window.MessageChannel;
  let n = 0;
  window.MessageChannel = class extends Original {
    constructor() {
      super();
      n++;
    }
  };
  return { count: () => n, restore: () => (window.MessageChannel = Original) };
}

afterEach(() => cleanup());

describe('embedSolve: the iframe and the handshake', () => {
  it('creates a titled iframe whose permissions are set before its address', async () => {
    const box = container();
    const h = track(embedSolve(box, { backend: backendUrl(), widget: 'run-demo' }));
    const names = h.iframe.getAttributeNames();
    expect(names).to.include('allow');
    expect(names.indexOf('allow')).to.be.lessThan(names.indexOf('src'));
    expect(h.iframe.getAttribute('allow')).to.equal('clipboard-write; fullscreen');
    expect(h.iframe.title).to.equal('Code exercise');
    expect(h.iframe.parentElement).to.equal(box);
    const src = new URL(h.iframe.src);
    expect(src.origin).to.equal(backendOrigin());
    expect(src.pathname).to.equal('/embed/solve');
    expect(src.searchParams.get('widget')).to.equal('run-demo');
  });

  it('connects to the real backend and mirrors se-ready', async () => {
    const h = embed();
    const ready = next(h, 'se-ready');
    const connect = next(h, 'connect');
    await h.ready;
    expect((await connect).widget).to.equal('run-demo');
    const detail = await ready;
    expect(detail.widget?.id).to.equal('run-demo');
    expect(detail.languages.map((l) => l.short.toLowerCase())).to.include('python3');
  });

  it('sends a host-minted token over the channel, never in the URL', async () => {
    const token = await signToken('signed-run');
    const h = embed('signed-run', { token });
    expect(h.iframe.src).to.not.include(token.split('.')[2]!);
    expect(h.iframe.src).to.not.match(/token/i);
    // signed-run has no public sessions: se-ready proves the token arrived.
    const detail = await next(h, 'se-ready');
    expect(detail.languages.length).to.be.greaterThan(0);
    await h.setToken(await signToken('signed-run'));
    await h.setCode('print(6 * 7)', 'python3');
    const result = await h.run();
    expect(result?.result.output?.text).to.equal('42\n');
  });

  it('ignores an announce from a frame of another origin', async () => {
    const channels = countChannels();
    try {
      const h = embed();
      await h.ready;
      const before = channels.count();
      expect(before).to.equal(1);
      // The right window, the wrong origin: the iframe now shows a page of the test server.
      const announced = new Promise<void>((resolve) => {
        const onMessage = (e: MessageEvent) => {
          if (e.source === h.iframe.contentWindow && e.origin === location.origin) {
            window.removeEventListener('message', onMessage);
            resolve();
          }
        };
        window.addEventListener('message', onMessage);
      });
      h.iframe.src = new URL('/test/embed/fixtures/announce.html', location.href).href;
      await announced;
      await sleep(400);
      expect(channels.count()).to.equal(before);
    } finally {
      channels.restore();
    }
  });

  it('ignores an announce from another window of the backend’s origin', async () => {
    const channels = countChannels();
    try {
      const h = embed();
      await h.ready;
      // The right origin, the wrong window: a second embed page the SDK did not create.
      const other = document.createElement('iframe');
      other.title = 'Another embed';
      const announced = new Promise<void>((resolve) => {
        const onMessage = (e: MessageEvent) => {
          if (e.source === other.contentWindow && e.origin === backendOrigin()) {
            window.removeEventListener('message', onMessage);
            resolve();
          }
        };
        window.addEventListener('message', onMessage);
      });
      other.src = `${backendUrl()}/embed/solve?widget=run-demo&sdk=1`;
      container().append(other);
      await announced;
      await sleep(300);
      expect(channels.count()).to.equal(1);
      expect(await h.getCode()).to.be.a('string');
    } finally {
      channels.restore();
    }
  });

  it('reconnects with a fresh channel when the embed page reloads', async () => {
    const h = embed();
    await next(h, 'se-ready');
    await h.setCode('print("before")', 'python3');
    const again = next(h, 'connect');
    h.iframe.contentWindow?.location.replace(h.iframe.src); // reloads; it announces again
    await again;
    expect(await h.getCode()).to.equal('print("before")'); // saved in the frame's storage
  });

  it("keeps the host's submit gate across a reload of the embed page", async () => {
    const h = embed();
    await next(h, 'se-ready');
    const asked: string[] = [];
    await h.setSubmitGate((detail) => {
      asked.push(detail.kind);
      return false;
    });
    const again = next(h, 'connect');
    const readyAgain = next(h, 'se-ready', 30000);
    h.iframe.contentWindow?.location.replace(h.iframe.src);
    await again;
    await readyAgain;
    let submitted = 0;
    h.on('se-submit', () => submitted++);
    expect(await h.run('x')).to.equal(null);
    expect(asked).to.deep.equal(['run']);
    expect(submitted).to.equal(0);
  });
});

describe('embedSolve: commands and events', () => {
  it('sets and gets the code, runs it, and the frame shows the output', async () => {
    const h = embed();
    await next(h, 'se-ready');
    await h.setCode('print(input()[::-1])', 'python3');
    expect(await h.getCode()).to.equal('print(input()[::-1])');
    const seen: string[] = [];
    for (const name of ['se-before-submit', 'se-submit', 'se-status', 'se-result'] as const)
      h.on(name, () => seen.push(name));
    const resultEvent = next(h, 'se-result', 30000);
    const result = await h.run('stressed');
    expect(result?.kind).to.equal('run');
    expect(result?.result.output?.text).to.equal('desserts\n');
    expect((await resultEvent).id).to.equal(result?.id);
    expect(seen[0]).to.equal('se-before-submit');
    expect(seen).to.include('se-submit');
    expect(seen[seen.length - 1]).to.equal('se-result');
    const inside = await probe('run-demo');
    expect(inside.results).to.include('desserts');
  });

  it('focuses the editor and mirrors the learner’s edits as se-change', async () => {
    const h = embed();
    await next(h, 'se-ready');
    await h.setCode('', 'python3');
    await h.focus();
    await until(() => document.activeElement === h.iframe, 'focus in the iframe');
    const change = next(h, 'se-change');
    await sendKeys({ type: 'x = 1' });
    const detail = await change;
    expect(detail.source).to.match(/^x/);
    expect((await probe('run-demo')).focused).to.include('cm-content');
  });

  it('submits to a problem and mirrors the judged result', async () => {
    const h = embed('problem-demo');
    const ready = await next(h, 'se-ready');
    expect(ready.problem?.name).to.be.a('string');
    expect(ready.problem).to.not.have.property('statement');
    await h.setCode('a, b = map(int, input().split())\nprint(a + b)', 'python3');
    const result = await h.submit();
    expect(result?.kind).to.equal('submission');
    expect(result?.result.status.code).to.equal(15);
  });

  it('sets the theme', async () => {
    const h = embed('run-demo', { theme: 'dark' });
    await next(h, 'se-ready');
    expect((await probe('run-demo')).theme).to.equal('dark');
    await h.setTheme('light');
    expect((await probe('run-demo')).theme).to.equal('light');
  });

  it('queues commands given before the handshake', async () => {
    const h = embed();
    const set = h.setCode('print("early")', 'python3');
    const got = h.getCode();
    await set;
    expect(await got).to.equal('print("early")');
  });

  it('rejects a command over the size cap before sending it', async () => {
    const h = embed();
    await h.ready;
    let error: unknown = null;
    try {
      await h.setCode('x'.repeat(1024 * 1024 + 1));
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(RangeError);
  });
});

describe('the embed page: open in a new window', () => {
  it('opens the widget in a window of its own, with the code and the session', async () => {
    // signed-run has no public sessions: the new window works only with the handed-over token.
    const h = embed('signed-run', { token: await signToken('signed-run') });
    await next(h, 'se-ready');
    await h.setCode('print("carried over")', 'python3');
    const opened = (await executeServerCommand('se-embed-frame', {
      widget: 'signed-run',
      action: 'open-window',
    })) as { url: string; source: string; barHidden: boolean };
    const url = new URL(opened.url);
    expect(url.origin).to.equal(backendOrigin());
    expect(url.pathname).to.equal('/embed/solve');
    expect(url.search).to.not.match(/token|sdk/);
    expect(opened.source).to.equal('print("carried over")');
    expect(opened.barHidden).to.equal(true);
  });
});

describe('embedSolve: sizing', () => {
  it('follows the heights the frame reports, and LMSs get lti.frameResize', async () => {
    const lti: Array<{ subject: string; height: number }> = [];
    const onMessage = (e: MessageEvent) => {
      const d = e.data as { subject?: unknown; height?: unknown };
      if (e.origin === backendOrigin() && typeof d?.subject === 'string')
        lti.push(d as { subject: string; height: number });
    };
    window.addEventListener('message', onMessage);
    try {
      const h = embed('run-demo', { height: 300 });
      const first = await next(h, 'resize');
      expect(first.height).to.be.greaterThan(300);
      expect(h.iframe.style.height).to.equal(`${first.height}px`);
      await until(
        () =>
          lti.some((m) => m.subject === 'lti.frameResize' && m.height === first.height) &&
          lti.some((m) => m.subject === 'org.imsglobal.lti.frameResize'),
        'LTI resize messages',
      );
      await until(() => h.iframe.getBoundingClientRect().height === first.height, 'the new height');
      let inside = await probe('run-demo');
      expect(inside.fill).to.equal(false);
      expect(inside.scrollHeight).to.be.at.most(inside.innerHeight);
      // More output: the content grows and the frame follows.
      await h.setCode('for i in range(12):\n    print(i)', 'python3');
      const grown = next(h, 'resize', 30000);
      await h.run();
      expect((await grown).height).to.be.greaterThan(first.height);
      // The output may arrive in more than one resize: wait (bounded) for the frame to settle.
      for (const end = Date.now() + 10000; ; await sleep(100)) {
        inside = await probe('run-demo');
        if (inside.scrollHeight <= inside.innerHeight || Date.now() > end) break;
      }
      expect(inside.scrollHeight).to.be.at.most(inside.innerHeight);
    } finally {
      window.removeEventListener('message', onMessage);
    }
  });

  it('fills a fixed 600 px frame without scrolling the page, the link in view', async () => {
    const h = embed('problem-demo', { height: 600, autoResize: false });
    let resized = 0;
    h.on('resize', () => resized++);
    await next(h, 'se-ready');
    await sleep(300);
    expect(h.iframe.getBoundingClientRect().height).to.equal(600);
    expect(resized).to.equal(0);
    const inside = await probe('problem-demo');
    expect(inside.fill).to.equal(true);
    expect(inside.innerHeight).to.equal(600);
    expect(inside.scrollHeight).to.be.at.most(600);
    expect(inside.barBottom).to.be.at.most(600);
    expect(inside.scrollWidth).to.be.at.most(inside.innerWidth);
  });

  it('fits 320 px of width', async () => {
    const h = track(
      embedSolve(container('320px'), { backend: backendUrl(), widget: 'run-demo', height: 600 }),
    );
    await next(h, 'se-ready');
    const inside = await probe('run-demo');
    expect(inside.innerWidth).to.equal(320);
    expect(inside.scrollWidth).to.be.at.most(320);
  });

  it('has no serious or critical accessibility finding inside the frame', async () => {
    const h = embed();
    await next(h, 'se-ready');
    expect(await frameAxeFindings('run-demo')).to.deep.equal([]);
  });
});

describe('embedSolve: destroy', () => {
  it('removes the frame and its listeners; pending and later calls reject', async () => {
    const creating = spyMessageListeners();
    let h: EmbedSolveHandle;
    try {
      h = embedSolve(container(), { backend: backendUrl(), widget: 'run-demo' });
    } finally {
      creating.stop();
    }
    await h.ready;
    let events = 0;
    h.on('se-ready', () => events++);
    const pending = h.run('never');
    const destroying = spyMessageListeners();
    try {
      h.destroy();
      h.destroy();
    } finally {
      destroying.stop();
    }
    const { added } = creating;
    const { removed } = destroying;
    expect(added.length).to.equal(1);
    expect(removed).to.deep.equal(added);
    expect(h.iframe.isConnected).to.equal(false);
    let pendingError: unknown = null;
    await pending.catch((err: unknown) => (pendingError = err));
    expect(String(pendingError)).to.match(/destroyed/);
    let laterError: unknown = null;
    await h.getCode().catch((err: unknown) => (laterError = err));
    expect(String(laterError)).to.match(/destroyed/);
    await sleep(200);
    expect(events).to.equal(0);
  });

  it('leaves nothing behind after many embeds and destroys', async () => {
    const box = container();
    for (let i = 0; i < 8; i++) {
      const h = embedSolve(box, { backend: backendUrl(), widget: 'run-demo' });
      if (i % 2) await h.ready;
      h.destroy();
    }
    expect(box.querySelectorAll('iframe').length).to.equal(0);
  });
});
