import { expect } from '@open-wc/testing';
import { EditorView } from '@codemirror/view';
import { learnerToken, mount, record, shadow, unmountAll, until } from './helpers.js';

afterEach(() => unmountAll());

type Key = string;

/**
 * Counts what is live on `window` and `document` (listeners), the observers, sockets, event
 * sources, event streams (fetch) and CodeMirror views, while `fn` runs. `restore()` undoes it.
 */
function instrument() {
  const listeners = new Map<Key, number>();
  const ids = new WeakMap<object, number>();
  let nextId = 1;
  const idOf = (o: object) => {
    let id = ids.get(o);
    if (!id) ids.set(o, (id = nextId++));
    return id;
  };
  const keyOf = (
    target: EventTarget,
    type: string,
    fn: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ) =>
    `${target === window ? 'window' : 'document'}|${type}|${idOf(fn)}|${
      typeof options === 'boolean' ? options : Boolean(options?.capture)
    }`;
  const proto = EventTarget.prototype;
  const realAdd = proto.addEventListener;
  const realRemove = proto.removeEventListener;
  proto.addEventListener = function (
    this: EventTarget,
    type: string,
    fn: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ) {
    if (
      fn &&
      (this === window || this === document) &&
      !(typeof options === 'object' && options.once)
    ) {
      const key = keyOf(this, type, fn, options);
      if (!listeners.has(key)) {
        listeners.set(key, 1);
        if (typeof options === 'object' && options.signal)
          options.signal.addEventListener('abort', () => listeners.delete(key), { once: true });
      }
    }
    return realAdd.call(this, type, fn, options);
  };
  proto.removeEventListener = function (
    this: EventTarget,
    type: string,
    fn: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ) {
    if (fn && (this === window || this === document))
      listeners.delete(keyOf(this, type, fn, options));
    return realRemove.call(this, type, fn, options);
  };

  const sockets: WebSocket[] = [];
  const RealWS = window.WebSocket;
  window.WebSocket = class extends RealWS {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
    }
  } as typeof WebSocket;

  const sources: EventSource[] = [];
  const RealES = window.EventSource;
  window.EventSource = class extends RealES {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init);
      sources.push(this);
    }
  } as typeof EventSource;

  // Observers: each one created must end disconnected (or watching nothing).
  const observing = new Map<object, Set<Element>>();
  const RealRO = window.ResizeObserver;
  window.ResizeObserver = class extends RealRO {
    constructor(cb: ResizeObserverCallback) {
      super(cb);
      observing.set(this, new Set());
    }
    override observe(t: Element, o?: ResizeObserverOptions) {
      observing.get(this)?.add(t);
      super.observe(t, o);
    }
    override unobserve(t: Element) {
      observing.get(this)?.delete(t);
      super.unobserve(t);
    }
    override disconnect() {
      observing.get(this)?.clear();
      super.disconnect();
    }
  };
  const RealIO = window.IntersectionObserver;
  window.IntersectionObserver = class extends RealIO {
    constructor(cb: IntersectionObserverCallback, o?: IntersectionObserverInit) {
      super(cb, o);
      observing.set(this, new Set());
    }
    override observe(t: Element) {
      observing.get(this)?.add(t);
      super.observe(t);
    }
    override unobserve(t: Element) {
      observing.get(this)?.delete(t);
      super.unobserve(t);
    }
    override disconnect() {
      observing.get(this)?.clear();
      super.disconnect();
    }
  };

  // Event streams are fetches (the token goes in a header): each must end or be cancelled.
  const streams: Array<{ url: string; signal: AbortSignal | null; ended: boolean }> = [];
  const realFetch = window.fetch;
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!/\/events$/.test(url)) return realFetch(input, init);
    const entry = { url, signal: init?.signal ?? null, ended: false };
    streams.push(entry);
    return realFetch(input, init).then((res) => {
      if (!res.body) return res;
      // Tee-less watch: the body is passed on through a stream that notes its end or cancel.
      const reader = res.body.getReader();
      const body = new ReadableStream<Uint8Array>({
        async pull(c) {
          const { value, done } = await reader.read();
          if (done) {
            entry.ended = true;
            c.close();
          } else c.enqueue(value);
        },
        cancel(reason) {
          entry.ended = true;
          return reader.cancel(reason);
        },
      });
      return new Response(body, { status: res.status, headers: res.headers });
    });
  };

  // CodeMirror views: each one's DOM observer listens to the document's selectionchange.
  let viewsDestroyed = 0;
  const realDestroy = EditorView.prototype.destroy;
  EditorView.prototype.destroy = function (this: EditorView) {
    viewsDestroyed++;
    return realDestroy.call(this);
  };

  return {
    listeners,
    sockets,
    sources,
    streams,
    liveObservers: () => [...observing.values()].filter((s) => s.size > 0).length,
    observersMade: () => observing.size,
    get viewsDestroyed() {
      return viewsDestroyed;
    },
    restore() {
      proto.addEventListener = realAdd;
      proto.removeEventListener = realRemove;
      window.WebSocket = RealWS;
      window.EventSource = RealES;
      window.ResizeObserver = RealRO;
      window.IntersectionObserver = RealIO;
      window.fetch = realFetch;
      EditorView.prototype.destroy = realDestroy;
    },
  };
}

describe('<se-workspace> mount and unmount', () => {
  it('mounted and removed 50 times leaves no listener, observer, editor, socket, stream or terminal', async () => {
    const token = await learnerToken();
    // xterm.js adds one window 'message' listener when its module is first evaluated (a
    // setImmediate shim), once per page and not per terminal: loaded before the counting.
    await import('@xterm/xterm');
    const probe = instrument();
    const selectionListeners = () =>
      [...probe.listeners.keys()].filter((k) => k.startsWith('document|selectionchange|')).length;
    let viewsMade = 0;
    let terminals = 0;
    let runsCut = 0;
    try {
      for (let i = 0; i < 50; i++) {
        const withTerminal = i % 10 === 0;
        const withRun = i % 10 === 5;
        const el = await mount({ attrs: { token, terminal: withTerminal ? 'open' : 'collapsed' } });
        await until(() => shadow(el).querySelector('.cm-editor') !== null, 'the editor');
        viewsMade++;
        // Views live while mounted: one per element.
        expect(selectionListeners()).to.equal(1, `iteration ${i}: ${[...probe.listeners.keys()]}`);
        if (withTerminal) {
          const rec = record(el, ['se-terminal']);
          await until(() => rec.length > 0, 'the terminal', 30000);
          expect(shadow(el).querySelector('.xterm')).to.not.equal(null);
          terminals++;
        }
        if (withRun) {
          // Removed while its scenario runs: the event stream is open at that moment.
          await el.setFileContent('main.py', 'import time\ntime.sleep(2)\n');
          const before = probe.streams.length;
          void el.runScenario('run');
          await until(() => probe.streams.length > before, 'the event stream');
          runsCut++;
        }
        el.remove();
        unmountAll();
        const root = shadow(el);
        expect(root.querySelector('.cm-editor'), 'editor DOM').to.equal(null);
        expect(root.querySelector('.xterm'), 'terminal DOM').to.equal(null);
        expect(el.terminalText()).to.equal(null);
      }
      await until(
        () => probe.sockets.every((s) => s.readyState === WebSocket.CLOSED),
        'every socket closed',
      );
      await until(() => probe.streams.every((s) => s.ended || s.signal?.aborted), 'streams ended');
      // Real counts of what was made, and that none of it is left.
      expect(terminals).to.equal(5);
      expect(probe.sockets.length).to.be.at.least(terminals);
      expect(runsCut).to.equal(5);
      expect(probe.streams.length).to.equal(runsCut);
      expect(probe.streams.filter((s) => s.signal?.aborted).length).to.equal(runsCut);
      expect(probe.sources.filter((s) => s.readyState !== EventSource.CLOSED)).to.deep.equal([]);
      expect(probe.viewsDestroyed).to.be.at.least(viewsMade);
      expect(selectionListeners()).to.equal(0);
      expect(probe.observersMade()).to.be.greaterThan(50);
      expect(probe.liveObservers()).to.equal(0);
      expect([...probe.listeners.keys()]).to.deep.equal([]);
      expect(document.querySelectorAll('se-workspace').length).to.equal(0);
    } finally {
      probe.restore();
    }
  });
});
