/**
 * The drop-in for pages written for the hosted service's JS SDK, served by the backend at
 * `/static/sdk/sdk.js` and `/static/sdk/sdk.min.js` (built to `dist/cdn/se-sdk.js`, a classic
 * script). It keeps the hosted loader's contract: the queue arrays `window.SE` / `window.SEC` (the
 * same objects the loader made), `ready(fn)`, the `.se-widget` / `.sec-widget` / `[data-widget]`
 * placeholders, and widgets created as they near the viewport. Each widget is an iframe embed
 * (`host.ts`): exact-origin messaging, a private channel, the backend's checks.
 */
import { type EmbedSolveHandle, embedSolve } from './host.js';
import type {
  SdkCallback,
  SdkEventData,
  SdkEventName,
  SdkGlobal,
  SdkWidget,
  SdkWidgetConfig,
} from './sdk-types.js';

const PLACEHOLDERS = '.se-widget, .sec-widget, [data-widget]';
const EVENTS: readonly SdkEventName[] = [
  'beforeSendSubmission',
  'afterSendSubmission',
  'checkStatus',
  'enterFullScreen',
  'exitFullScreen',
  'ready',
];
/** The hosted SDK keeps this much of `data-custom-data`. */
const CUSTOM_DATA_MAX = 256;
/** A frame that loaded but did not connect after this long: warn (unknown widget, origin, ...). */
const CONNECT_WARN_MS = 8000;
/** Frames are created when their placeholder comes this close to the viewport. */
const NEAR = '400px';

const warn = (message: string) => console.warn(`se-widgets SDK: ${message}`);

function scriptOrigin(): string | null {
  const own = document.currentScript as HTMLScriptElement | null;
  const src =
    own?.src ||
    document.querySelector<HTMLScriptElement>(
      'script#sphere-engine-jssdk, script#sphere-engine-compilers-jssdk, script[src*="/static/sdk/sdk"]',
    )?.src;
  try {
    return src ? new URL(src, location.href).origin : null;
  } catch {
    return null;
  }
}

const backend = scriptOrigin();

class Widget implements SdkWidget {
  private handle: EmbedSolveHandle | null = null;
  private destroyed = false;
  private readonly subscribers = new Map<SdkEventName, Set<SdkCallback<never>>>();
  private observer: IntersectionObserver | null = null;
  private warnTimer: ReturnType<typeof setTimeout> | undefined;
  private handleWaiters: Array<(h: EmbedSolveHandle | null) => void> = [];
  private markReady: (ok: boolean) => void = () => {};
  readonly ready: Promise<boolean>;
  readonly events = {
    subscribe: <K extends SdkEventName>(name: K, callback: SdkCallback<K>): boolean => {
      if (!this.usable(`events.subscribe('${String(name)}')`)) return false;
      if (!EVENTS.includes(name)) {
        warn(`unknown event '${String(name)}' (known: ${EVENTS.join(', ')})`);
        return false;
      }
      if (typeof callback !== 'function') {
        warn(`events.subscribe('${name}'): the callback is not a function`);
        return false;
      }
      let set = this.subscribers.get(name);
      if (!set) this.subscribers.set(name, (set = new Set()));
      set.add(callback as SdkCallback<never>);
      return true;
    },
    unsubscribe: <K extends SdkEventName>(name: K, callback: SdkCallback<K>): boolean => {
      if (!EVENTS.includes(name)) {
        warn(`unknown event '${String(name)}' (known: ${EVENTS.join(', ')})`);
        return false;
      }
      return this.subscribers.get(name)?.delete(callback as SdkCallback<never>) ?? false;
    },
  };

  constructor(
    readonly id: string,
    readonly element: HTMLElement,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    const custom = element.dataset.customData;
    if (custom !== undefined) this.customData = custom.slice(0, CUSTOM_DATA_MAX);
    if (typeof IntersectionObserver === 'function') {
      this.observer = new IntersectionObserver(
        (entries) => {
          if (entries.some((e) => e.isIntersecting)) this.create();
        },
        { rootMargin: NEAR },
      );
      this.observer.observe(element);
    } else {
      this.create();
    }
  }

  private usable(call: string): boolean {
    if (!this.destroyed) return true;
    warn(`${call}: widget '${this.id}' was destroyed`);
    return false;
  }

  private emit<K extends SdkEventName>(name: K, data: SdkEventData[K]): unknown[] {
    const out: unknown[] = [];
    for (const cb of [...(this.subscribers.get(name) ?? [])]) {
      try {
        out.push((cb as SdkCallback<K>)(data));
      } catch (err) {
        warn(`a ${name} callback threw: ${(err as Error)?.message ?? String(err)}`);
        out.push(name === 'beforeSendSubmission' ? false : undefined);
      }
    }
    return out;
  }

  private readonly onFullscreen = (): void => {
    const iframe = this.handle?.iframe;
    if (!iframe) return;
    const inside = document.fullscreenElement === iframe;
    if (inside === this.fullscreen) return;
    this.fullscreen = inside;
    this.emit(inside ? 'enterFullScreen' : 'exitFullScreen', {});
  };
  private fullscreen = false;

  /** Creates the frame (once). */
  create(): void {
    if (this.handle || this.creating || this.destroyed) return;
    this.observer?.disconnect();
    this.observer = null;
    const hash = this.element.dataset.widget ?? '';
    if (!backend) {
      warn('cannot tell which backend served the SDK (load it with a <script src>)');
      return this.giveHandle(null);
    }
    if (!hash) {
      warn(`widget '${this.id}' has no data-widget (the widget hash or id)`);
      return this.giveHandle(null);
    }
    this.creating = true;
    void this.signedToken(hash).then((token) => {
      if (this.destroyed) return this.giveHandle(null);
      this.attach(hash, token);
    });
  }

  private creating = false;

  /**
   * A signed placeholder (`data-signature`, `data-nonce`): a session from the backend for it, or
   * undefined (unsigned, or refused: then the widget shows why, as for any widget without one).
   */
  private async signedToken(hash: string): Promise<string | undefined> {
    const d = this.element.dataset;
    if (d.signature === undefined && d.nonce === undefined) return undefined;
    const body = {
      widget: hash,
      id: d.id ?? '',
      userId: d.userId ?? '',
      customData: this.customData ?? '',
      nonce: d.nonce ?? '',
      signature: d.signature ?? '',
    };
    try {
      const r = await fetch(new URL('/v1/sdk/sessions', backend!), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'omit',
      });
      const answer = (await r.json().catch(() => null)) as {
        token?: string;
        error?: { message?: string };
      } | null;
      if (r.ok && typeof answer?.token === 'string') return answer.token;
      warn(
        `widget '${this.id}': the backend refused its signature: ${answer?.error?.message ?? `HTTP ${r.status}`}`,
      );
    } catch (err) {
      warn(`widget '${this.id}': no session for its signature: ${(err as Error).message}`);
    }
    return undefined;
  }

  private attach(hash: string, token: string | undefined): void {
    const theme = this.element.dataset.theme;
    const handle = embedSolve(this.element, {
      backend: backend!,
      widget: hash,
      ...(token ? { token } : {}),
      ...(theme === 'light' || theme === 'dark' || theme === 'auto' ? { theme } : {}),
    });
    this.handle = handle;
    handle.iframe.addEventListener(
      'load',
      () => {
        this.warnTimer = setTimeout(
          () =>
            warn(
              `widget '${this.id}' (data-widget="${hash}") did not connect: the backend shows why in the widget (an unknown widget hash, or this page's origin not allowed)`,
            ),
          CONNECT_WARN_MS,
        );
      },
      { once: true },
    );
    handle.ready.then(
      () => {
        clearTimeout(this.warnTimer);
        this.markReady(true);
      },
      () => this.markReady(false),
    );
    handle.on('connect', (d) => this.emit('ready', { widget: d.widget }));
    handle.on('se-submit', (d) =>
      this.emit('afterSendSubmission', { kind: d.kind, submissionId: d.id }),
    );
    handle.on('se-status', (d) =>
      this.emit('checkStatus', {
        kind: d.kind,
        submissionId: d.id,
        executing: d.executing,
        statusNumber: d.status.code,
        statusDescription: d.status.name,
      }),
    );
    handle.on('se-result', (d) =>
      this.emit('checkStatus', {
        kind: d.kind,
        submissionId: d.id,
        executing: false,
        statusNumber: d.result.status.code,
        statusDescription: d.result.status.name,
      }),
    );
    void handle
      .setSubmitGate(async (d) => {
        const results = this.emit('beforeSendSubmission', {
          kind: d.kind,
          submissionLanguage: d.compilerId,
          submissionSource: d.source,
          ...(d.input !== undefined ? { submissionInput: d.input } : {}),
          ...(d.problemId !== undefined ? { problemId: d.problemId } : {}),
        });
        // The callbacks' results ANDed; a promise counts by what it resolves to.
        const values = await Promise.all(results.map((r) => Promise.resolve(r).catch(() => false)));
        return values.every((v) => v !== false);
      })
      .catch(() => {});
    document.addEventListener('fullscreenchange', this.onFullscreen);
    this.giveHandle(handle);
  }

  /** `data-custom-data`, cut to the hosted SDK's 256 characters (signed with the placeholder). */
  customData: string | null = null;

  private giveHandle(h: EmbedSolveHandle | null): void {
    if (!h) this.markReady(false);
    for (const w of this.handleWaiters.splice(0)) w(h);
  }

  /** Runs `act` on the frame (created now if it was not yet); true when it succeeded. */
  private async call(name: string, act: (h: EmbedSolveHandle) => Promise<void>): Promise<boolean> {
    if (!this.usable(`${name}()`)) return false;
    this.create();
    const h =
      this.handle ??
      (await new Promise<EmbedSolveHandle | null>((r) => this.handleWaiters.push(r)));
    if (!h) return false;
    try {
      await act(h);
      return true;
    } catch (err) {
      warn(`${name}() on widget '${this.id}': ${(err as Error)?.message ?? String(err)}`);
      return false;
    }
  }

  loadSourceCode(compilerId: number | string, source: string, input?: string): Promise<boolean> {
    return this.call('loadSourceCode', (h) => h.setCode(String(source), String(compilerId), input));
  }

  setCompilers(compilers: Array<number | string>): Promise<boolean> {
    if (!Array.isArray(compilers)) {
      warn('setCompilers() wants a list of compiler ids');
      return Promise.resolve(false);
    }
    return this.call('setCompilers', (h) => h.setLanguages(compilers));
  }

  config(settings: SdkWidgetConfig): Promise<boolean> {
    const s = (settings ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(s))
      if (key !== 'theme' && key !== 'compilers') warn(`config(): unknown setting '${key}'`);
    return this.call('config', async (h) => {
      if (s.theme !== undefined) await h.setTheme(s.theme as 'light' | 'dark' | 'auto');
      if (Array.isArray(s.compilers)) await h.setLanguages(s.compilers as number[]);
    });
  }

  async run(input?: string): Promise<unknown> {
    let out: unknown = null;
    await this.call('run', async (h) => void (out = await h.run(input)));
    return out;
  }

  async submit(): Promise<unknown> {
    let out: unknown = null;
    await this.call('submit', async (h) => void (out = await h.submit()));
    return out;
  }

  destroy(): Promise<boolean> {
    if (!this.usable('destroy()')) return Promise.resolve(false);
    this.destroyed = true;
    this.observer?.disconnect();
    this.observer = null;
    clearTimeout(this.warnTimer);
    document.removeEventListener('fullscreenchange', this.onFullscreen);
    this.handle?.destroy();
    this.handle = null;
    this.giveHandle(null);
    this.subscribers.clear();
    registry.delete(this.element);
    return Promise.resolve(true);
  }
}

/** The widgets by placeholder. */
const registry = new Map<HTMLElement, Widget>();

function placeholderId(el: HTMLElement): string {
  return el.dataset.id ?? el.id ?? '';
}

function register(el: HTMLElement): Widget {
  let w = registry.get(el);
  if (!w) {
    w = new Widget(placeholderId(el), el);
    registry.set(el, w);
  }
  return w;
}

function discover(): void {
  for (const el of document.querySelectorAll<HTMLElement>(PLACEHOLDERS)) register(el);
}

function find(id: unknown): Widget | null {
  if (typeof id !== 'string' || id === '') return null;
  for (const w of registry.values()) if (w.id === id && w.element.isConnected) return w;
  for (const el of document.querySelectorAll<HTMLElement>(PLACEHOLDERS))
    if (placeholderId(el) === id) return register(el);
  return null;
}

let started = false;
const readyQueue: Array<() => void> = [];

function runSafely(fn: unknown): void {
  if (typeof fn !== 'function') return;
  try {
    (fn as () => void)();
  } catch (err) {
    warn(`a ready callback threw: ${(err as Error)?.message ?? String(err)}`);
  }
}

function start(): void {
  if (started) return;
  started = true;
  discover();
  for (const fn of readyQueue.splice(0)) runSafely(fn);
}

/** Extends the loader's array in place (pages hold references to it), or makes one. */
function install(name: 'SE' | 'SEC'): void {
  const existing: unknown = (window as unknown as Record<string, unknown>)[name];
  const queue = (Array.isArray(existing) ? existing : []) as unknown as SdkGlobal;
  const queued = [...queue];
  // The loader's own ready(fn) runs fn at the window's load; ours runs it once the widgets are
  // found, and at once (later) after that. Functions already in the queue run then too.
  queue.ready = (fn: () => void) => {
    if (started) runSafely(fn);
    else readyQueue.push(fn);
  };
  queue.widget = (id: string) => find(id);
  queue.create = (id: string, element: HTMLElement) => {
    if (!(element instanceof HTMLElement)) {
      warn(`create('${String(id)}'): the second argument is not an element`);
      return null;
    }
    if (!element.dataset.id) element.dataset.id = String(id);
    return register(element);
  };
  queue.push = (...items: unknown[]) => {
    for (const item of items) queue.ready(item as () => void);
    return queue.length;
  };
  for (const item of queued) queue.ready(item as () => void);
  (window as unknown as Record<string, unknown>)[name] = queue;
}

install('SE');
install('SEC');
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
