/**
 * The drop-in for pages written for the hosted service's JS SDK, served by the backend at
 * `/static/sdk/sdk.js` and `/static/sdk/sdk.min.js` (built to `dist/cdn/se-sdk.js`, a classic
 * script). It keeps the hosted loader's contract: the queue arrays `window.SE` / `window.SEC` (the
 * same objects the loader made), `ready(fn)`, the `.se-widget` / `.sec-widget` / `[data-widget]`
 * placeholders (and `[data-workspace]` ones: `SE.workspace(id)`), and frames created as they near
 * the viewport. Each widget is an iframe embed
 * (`host.ts`): exact-origin messaging, a private channel, the backend's checks.
 */
import { CUSTOM_DATA_MAX } from '../shared/sdk.js';
import {
  type EmbedSolveHandle,
  type EmbedWorkspaceHandle,
  embedSolve,
  embedWorkspace,
} from './host.js';
import type {
  SdkEventName,
  SdkGlobal,
  SdkScenarioResult,
  SdkWidget,
  SdkWidgetConfig,
  SdkWorkspace,
  SdkWorkspaceEventName,
} from './sdk-types.js';

const PLACEHOLDERS = '.se-widget, .sec-widget, [data-widget], [data-workspace]';
const EVENTS: readonly SdkEventName[] = [
  'beforeSendSubmission',
  'afterSendSubmission',
  'checkStatus',
  'enterFullScreen',
  'exitFullScreen',
  'ready',
];
const WORKSPACE_EVENTS: readonly SdkWorkspaceEventName[] = [
  'afterScenarioExecution',
  'afterScenarioExecutionExt',
  'fileContent',
  'stageStream',
  'enterFullScreen',
  'exitFullScreen',
  'ready',
];
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

/** A subscriber of any event (each subclass's `events` narrows it to its own). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCallback = (data: any) => unknown;

/** What both kinds of embed handle share. */
interface Handle {
  readonly iframe: HTMLIFrameElement;
  readonly ready: Promise<void>;
  on(event: 'connect', listener: (d: { widget: string }) => void): () => void;
  destroy(): void;
}

/**
 * A placeholder's instance: its lazily created frame, its subscribers and the calls that wait for
 * the frame. `Widget` (Compilers, Problems) and `Workspace` differ in the frame they open and in
 * the events they offer.
 */
abstract class Embedded<H extends Handle> {
  protected handle: H | null = null;
  protected destroyed = false;
  private readonly subscribers = new Map<string, Set<(data: never) => unknown>>();
  private observer: IntersectionObserver | null = null;
  private warnTimer: ReturnType<typeof setTimeout> | undefined;
  private handleWaiters: Array<(h: H | null) => void> = [];
  private markReady: (ok: boolean) => void = () => {};
  private creating = false;
  private fullscreen = false;
  readonly ready: Promise<boolean>;
  /** `widget` or `workspace`: the placeholder's attribute, and the word warnings use */
  protected abstract readonly kind: 'widget' | 'workspace';
  protected abstract readonly names: readonly string[];
  readonly events: {
    subscribe(name: string, callback: AnyCallback): boolean;
    unsubscribe(name: string, callback: AnyCallback): boolean;
  } = {
    subscribe: (name: string, callback: (data: never) => unknown): boolean => {
      if (!this.usable(`events.subscribe('${String(name)}')`) || !this.known(name)) return false;
      if (typeof callback !== 'function') {
        warn(`events.subscribe('${name}'): the callback is not a function`);
        return false;
      }
      let set = this.subscribers.get(name);
      if (!set) this.subscribers.set(name, (set = new Set()));
      set.add(callback);
      return true;
    },
    unsubscribe: (name: string, callback: (data: never) => unknown): boolean =>
      this.known(name) && (this.subscribers.get(name)?.delete(callback) ?? false),
  };

  constructor(
    readonly id: string,
    readonly element: HTMLElement,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    if (typeof IntersectionObserver === 'function') {
      this.observer = new IntersectionObserver(
        (entries) => {
          if (entries.some((e) => e.isIntersecting)) this.create();
        },
        { rootMargin: NEAR },
      );
      this.observer.observe(element);
    } else {
      queueMicrotask(() => this.create());
    }
  }

  private known(name: string): boolean {
    if (this.names.includes(name)) return true;
    warn(`unknown event '${String(name)}' (known: ${this.names.join(', ')})`);
    return false;
  }

  protected usable(call: string): boolean {
    if (!this.destroyed) return true;
    warn(`${call}: ${this.kind} '${this.id}' was destroyed`);
    return false;
  }

  /** What a callback of `name` is given (a workspace's get `{event, data}`). */
  protected wrap(_name: string, data: unknown): unknown {
    return data;
  }

  protected emit(name: string, data: unknown): unknown[] {
    const out: unknown[] = [];
    for (const cb of [...(this.subscribers.get(name) ?? [])]) {
      try {
        out.push((cb as (d: unknown) => unknown)(this.wrap(name, data)));
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

  /** The session token for the frame, if any. */
  protected abstract token(key: string): Promise<string | undefined>;
  /** Opens the frame and maps its events to the SDK's. */
  protected abstract open(key: string, token: string | undefined): H;

  /** Creates the frame (once). */
  create(): void {
    if (this.handle || this.creating || this.destroyed) return;
    this.observer?.disconnect();
    this.observer = null;
    const key = this.element.dataset[this.kind] ?? '';
    if (!backend) {
      warn('cannot tell which backend served the SDK (load it with a <script src>)');
      return this.giveHandle(null);
    }
    if (!key) {
      warn(`${this.kind} '${this.id}' has no data-${this.kind}`);
      return this.giveHandle(null);
    }
    this.creating = true;
    void this.token(key).then((token) => {
      if (this.destroyed) return this.giveHandle(null);
      const handle = this.open(key, token);
      this.handle = handle;
      handle.iframe.addEventListener(
        'load',
        () => {
          this.warnTimer = setTimeout(
            () =>
              warn(
                `${this.kind} '${this.id}' (data-${this.kind}="${key}") did not connect: the backend shows why in the frame (an unknown ${this.kind}, or this page's origin not allowed)`,
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
      document.addEventListener('fullscreenchange', this.onFullscreen);
      this.giveHandle(handle);
    });
  }

  private giveHandle(h: H | null): void {
    if (!h) this.markReady(false);
    for (const w of this.handleWaiters.splice(0)) w(h);
  }

  /** Runs `act` on the frame (created now if it was not yet); true when it succeeded. */
  protected async call(name: string, act: (h: H) => Promise<void>): Promise<boolean> {
    if (!this.usable(`${name}()`)) return false;
    this.create();
    const h = this.handle ?? (await new Promise<H | null>((r) => this.handleWaiters.push(r)));
    if (!h) return false;
    try {
      await act(h);
      return true;
    } catch (err) {
      warn(`${name}() on ${this.kind} '${this.id}': ${(err as Error)?.message ?? String(err)}`);
      return false;
    }
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

class Widget extends Embedded<EmbedSolveHandle> implements SdkWidget {
  protected readonly kind = 'widget';
  protected readonly names = EVENTS;
  /** `data-custom-data`, cut to the hosted SDK's 256 characters (signed with the placeholder). */
  readonly customData: string | null;
  declare readonly events: SdkWidget['events'];

  constructor(id: string, element: HTMLElement) {
    super(id, element);
    const custom = element.dataset.customData;
    this.customData = custom === undefined ? null : custom.slice(0, CUSTOM_DATA_MAX);
  }

  /**
   * A signed placeholder (`data-signature`, `data-nonce`): a session from the backend for it, or
   * undefined (unsigned, or refused: then the widget shows why, as for any widget without one).
   */
  protected async token(hash: string): Promise<string | undefined> {
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

  protected open(hash: string, token: string | undefined): EmbedSolveHandle {
    const handle = embedSolve(this.element, {
      backend: backend!,
      widget: hash,
      ...(token ? { token } : {}),
      ...themeOf(this.element),
    });
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
    return handle;
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
}

const STREAMS = ['stdout', 'stderr', 'output', 'error'];

/**
 * A workspace placeholder (`data-workspace`: a workspace widget's id or hash;
 * `data-workspace-token`: the learner's session token, minted by the host's server).
 */
class Workspace extends Embedded<EmbedWorkspaceHandle> implements SdkWorkspace {
  protected readonly kind = 'workspace';
  protected readonly names = WORKSPACE_EVENTS;
  declare readonly events: SdkWorkspace['events'];

  constructor(id: string, element: HTMLElement) {
    super(id, element);
    for (const f of (element.dataset.features ?? '').split(',').map((x) => x.trim()))
      if (f && f !== 'fullscreenmode') warn(`workspace '${id}': unknown feature '${f}'`);
  }

  protected override wrap(event: string, data: unknown): unknown {
    return { event, data };
  }

  protected token(): Promise<string | undefined> {
    return Promise.resolve(this.element.dataset.workspaceToken || undefined);
  }

  protected open(key: string, token: string | undefined): EmbedWorkspaceHandle {
    const handle = embedWorkspace(this.element, {
      backend: backend!,
      widget: key,
      ...(token ? { token } : {}),
      ...themeOf(this.element),
    });
    handle.on('se-scenario-result', (d) => {
      this.emit('afterScenarioExecution', d);
      this.emit('afterScenarioExecutionExt', d);
    });
    handle.on('se-error', (d) => {
      if (d.code === 'forbidden')
        warn(`workspace '${this.id}' (data-workspace="${key}"): ${d.message}`);
    });
    return handle;
  }

  async getFileContent(path: string): Promise<string | null> {
    let out: string | null = null;
    await this.call('getFileContent', async (h) => {
      const content = await h.getFileContent(String(path));
      out = content;
      this.emit('fileContent', { path: String(path), content });
    });
    return out;
  }

  async getStageStream(stage: string, stream: string): Promise<string | null> {
    if (!STREAMS.includes(stream)) {
      warn(`getStageStream(): unknown stream '${String(stream)}' (known: ${STREAMS.join(', ')})`);
      return null;
    }
    let out: string | null = null;
    await this.call('getStageStream', async (h) => {
      const content = await h.getStageStream(String(stage), stream as 'stdout');
      out = content;
      this.emit('stageStream', { stage: String(stage), stream, content });
    });
    return out;
  }

  async runScenario(name?: string): Promise<SdkScenarioResult | null> {
    let out: SdkScenarioResult | null = null;
    await this.call('runScenario', async (h) => void (out = await h.runScenario(name)));
    return out;
  }
}

function themeOf(el: HTMLElement): { theme?: 'light' | 'dark' | 'auto' } {
  const theme = el.dataset.theme;
  return theme === 'light' || theme === 'dark' || theme === 'auto' ? { theme } : {};
}

/** The widgets and workspaces by placeholder. */
const registry = new Map<HTMLElement, Widget | Workspace>();

function placeholderId(el: HTMLElement): string {
  return el.dataset.id ?? el.id ?? '';
}

const isWorkspace = (el: HTMLElement) => el.dataset.workspace !== undefined;

function register(el: HTMLElement): Widget | Workspace {
  let w = registry.get(el);
  if (!w) {
    const id = placeholderId(el);
    w = isWorkspace(el) ? new Workspace(id, el) : new Widget(id, el);
    registry.set(el, w);
  }
  return w;
}

function discover(): void {
  for (const el of document.querySelectorAll<HTMLElement>(PLACEHOLDERS)) register(el);
}

/** The instance of the placeholder with this id, of the kind asked for; null (with why) if none. */
function find<T extends Widget | Workspace>(id: unknown, kind: new (...a: never[]) => T): T | null {
  if (typeof id !== 'string' || id === '') return null;
  let other = false;
  const pick = (w: Widget | Workspace) => (w instanceof kind ? w : ((other = true), null));
  for (const w of registry.values())
    if (w.id === id && w.element.isConnected) {
      const got = pick(w);
      if (got) return got;
    }
  for (const el of document.querySelectorAll<HTMLElement>(PLACEHOLDERS))
    if (placeholderId(el) === id) {
      const got = pick(register(el));
      if (got) return got;
    }
  if (other)
    warn(
      `'${id}' is a ${kind === Widget ? 'workspace: use SE.workspace' : 'widget: use SE.widget'}`,
    );
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
  queue.widget = (id: string) => find(id, Widget);
  queue.workspace = (id: string) => find(id, Workspace);
  queue.create = ((id: string, element: HTMLElement) => {
    if (!(element instanceof HTMLElement)) {
      warn(`create('${String(id)}'): the second argument is not an element`);
      return null;
    }
    if (!element.dataset.id) element.dataset.id = String(id);
    return register(element);
  }) as SdkGlobal['create'];
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
