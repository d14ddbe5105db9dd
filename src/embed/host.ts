/**
 * The host side of iframe embeds: `embedSolve()` puts a backend's `/embed/solve` page in an iframe
 * (`embedWorkspace()` its `/embed/workspace` page) and talks to it over a private `MessageChannel`
 * (see `protocol.ts`).
 */
import type { StatusInfo } from '../shared/compilers.js';
import type {
  V1FileEntry,
  V1ScenarioResult,
  V1TestCase,
  V1Workspace,
} from '../shared/v1-workspace.js';
import type { V1Error, V1Language, V1Result, WidgetInfo } from '../shared/v1.js';
import {
  envelope,
  type Envelope,
  type Fit,
  parseEnvelope,
  randomNonce,
  type Theme,
} from './protocol.js';

export type { Theme as EmbedTheme } from './protocol.js';

/** Options of {@link embedSolve}. */
export interface EmbedSolveOptions {
  /** the signing backend's URL (its origin is used: the backend serves `/embed/solve` at its root) */
  backend: string;
  /** a widget id of the backend's configuration; its `origins` must list this page's and `"self"` */
  widget: string;
  /** a session token minted by your server (sent over the channel, never in a URL) */
  token?: string;
  /** colour theme of the widget (default `light`) */
  theme?: Theme;
  /** the iframe's height in pixels until the widget reports its own (default 600) */
  height?: number;
  /**
   * follow the heights the widget reports (default true); false keeps `height` and the widget
   * fills it, scrolling inside
   */
  autoResize?: boolean;
  /** language of the widget's interface: `en` or `pl` */
  locale?: string;
  /** the iframe's accessible name (default "Code exercise") */
  title?: string;
}

/** The problem of a `se-ready` event, without its statement (the host has no use for its HTML). */
export interface EmbedProblemSummary {
  id: number;
  name: string;
  type?: { id: number; name: string };
  languages?: number[];
}

/** The events every embed frame sends: the element's errors and token ends, and the frame's own. */
export interface EmbedFrameEventMap {
  'se-error': {
    code: V1Error['error']['code'] | 'network' | 'not_configured';
    message: string;
    status?: number;
  };
  'se-token-expired': { reason: 'expiring' | 'expired'; expiresAt: string | null };
  /** the frame connected (after each (re)load of the embed page) */
  connect: { widget: string };
  /** the widget reported the height its content needs (pixels) */
  resize: { height: number };
}

/**
 * What the host receives for each mirrored event: the `detail` of the element's event of the same
 * name (see the `<se-solve>` reference), as plain data.
 */
export interface EmbedEventMap extends EmbedFrameEventMap {
  'se-ready': {
    widget: WidgetInfo | null;
    languages: V1Language[];
    problem: EmbedProblemSummary | null;
  };
  'se-change': { source: string; language: string };
  /** a notification only: the host cannot cancel through the frame */
  'se-before-submit': {
    kind: 'run' | 'submission';
    compilerId: number;
    compilerVersionId?: number;
    source: string;
    input?: string;
    problemId?: number;
  };
  'se-submit': { kind: 'run' | 'submission'; id: string };
  'se-status': { kind: 'run' | 'submission'; id: string; executing: boolean; status: StatusInfo };
  'se-result': V1Result;
}

export type EmbedEventName = keyof EmbedEventMap;

/** The embedded widget, as returned by {@link embedSolve}. Every method needs no other call first. */
export interface EmbedSolveHandle {
  /** the iframe (already in the container) */
  readonly iframe: HTMLIFrameElement;
  /** resolves at the first handshake; rejects if the handle is destroyed first */
  readonly ready: Promise<void>;
  /** Listens to a mirrored event; returns the function that stops listening. */
  on<K extends EmbedEventName>(event: K, listener: (detail: EmbedEventMap[K]) => void): () => void;
  /**
   * Replaces the code (optionally picking a language by id or short name first, and filling the
   * run input box).
   */
  setCode(source: string, language?: string, input?: string): Promise<void>;
  /** Restricts the language picker to these compiler ids or short names ([]: the widget's list). */
  setLanguages(languages: ReadonlyArray<string | number>): Promise<void>;
  /**
   * Makes every run and submission wait for `gate` (given the `se-before-submit` detail): it goes
   * only when the gate returns (or resolves to) true. A gate that throws says no. null removes it.
   */
  setSubmitGate(gate: SubmitGate | null): Promise<void>;
  /** The code now in the editor. */
  getCode(): Promise<string>;
  setTheme(theme: Theme): Promise<void>;
  /** Focuses the iframe and the editor inside it. */
  focus(): Promise<void>;
  /** Runs the code (with `input` as stdin when given); the result, or null when it did not run. */
  run(input?: string): Promise<V1Result | null>;
  /** Submits the code to the widget's problem; the result, or null when it was not judged. */
  submit(): Promise<V1Result | null>;
  /** Hands the widget a new session token (e.g. on `se-token-expired`). */
  setToken(token: string): Promise<void>;
  /** Removes the iframe and every listener; pending calls reject. Safe to call twice. */
  destroy(): void;
}

/** Decides whether a run or submission may go (see {@link EmbedSolveHandle.setSubmitGate}). */
export type SubmitGate = (detail: EmbedEventMap['se-before-submit']) => boolean | Promise<boolean>;

/** Options of {@link embedWorkspace}. */
export interface EmbedWorkspaceOptions {
  /** the signing backend's URL (its origin is used: the backend serves `/embed/workspace`) */
  backend: string;
  /** a widget of `"mode": "workspace"` (its id or hosted hash); its `origins` list this page's and `"self"` */
  widget: string;
  /** a session token minted by your server with the `workspace` action (sent over the channel) */
  token?: string;
  /** colour theme (default `light`) */
  theme?: Theme;
  /** the iframe's height in pixels until the widget reports its own (default 600) */
  height?: number;
  /** follow the heights the widget reports (default true); false: the widget fills `height` */
  autoResize?: boolean;
  /** language of the widget's interface: `en` or `pl` */
  locale?: string;
  /** the iframe's accessible name (default "Coding workspace") */
  title?: string;
  /** the element's `terminal`: `open`, `collapsed` (its default) or `hidden` */
  terminal?: 'open' | 'collapsed' | 'hidden';
}

type WorkspaceStage = V1ScenarioResult['stages'][number];

/**
 * What the host receives for each mirrored event of `<se-workspace>`: the `detail` of the
 * element's event of the same name (see the `<se-workspace>` reference), as plain data.
 */
export interface EmbedWorkspaceEventMap extends EmbedFrameEventMap {
  'se-ready': {
    widget: WidgetInfo | null;
    files: V1FileEntry[];
    scenarios: V1Workspace['scenarios'];
    terminal: boolean;
  };
  'se-state': {
    state: 'connecting' | 'saving' | 'saved' | 'offline' | 'conflict' | 'running' | 'error';
    workspace: string | null;
    unsaved: string[];
  };
  'se-file-open': { path: string; readOnly: boolean };
  'se-file-change': { path: string; content: string; byUser: boolean };
  'se-file-save': { path: string; version: string };
  'se-file-create': { path: string; type: 'file' | 'dir' };
  'se-file-rename': { from: string; to: string; type: 'file' | 'dir' };
  'se-file-delete': { path: string; type: 'file' | 'dir' };
  'se-scenario-start': { scenario: string; id: string };
  'se-stage': { scenario: string; id: string; stage: WorkspaceStage };
  'se-scenario-result': {
    scenario: string;
    id: string;
    status: { code: number; name: string };
    score: number;
    time: number;
    stages: WorkspaceStage[];
    tests: V1TestCase[] | null;
  };
  'se-terminal': { state: 'open' | 'exit' | 'closed'; code: number | null; reason: string };
}

export type EmbedWorkspaceEventName = keyof EmbedWorkspaceEventMap;

/**
 * The embedded workspace, as returned by {@link embedWorkspace}: each method of `<se-workspace>`
 * as a command over the channel. Calls made before the frame connected wait for it; file and
 * scenario calls wait until the workspace is open.
 */
export interface EmbedWorkspaceHandle {
  /** the iframe (already in the container) */
  readonly iframe: HTMLIFrameElement;
  /** resolves at the first handshake; rejects if the handle is destroyed first */
  readonly ready: Promise<void>;
  /** Listens to a mirrored event; returns the function that stops listening. */
  on<K extends EmbedWorkspaceEventName>(
    event: K,
    listener: (detail: EmbedWorkspaceEventMap[K]) => void,
  ): () => void;
  /** Runs a scenario (default: the widget's default) after saving; its result, or null. */
  runScenario(name?: string): Promise<EmbedWorkspaceEventMap['se-scenario-result'] | null>;
  /** A file's text: the editor's when it is open (saved or not), else the workspace's. */
  getFileContent(path: string): Promise<string>;
  /** Replaces a file's text; it is saved like an edit (`flush()` saves at once). */
  setFileContent(path: string, content: string): Promise<void>;
  /** Opens a file in a tab and selects it. */
  openFile(path: string): Promise<void>;
  /** Creates an empty file (or a folder) where the widget lets the learner change files. */
  createEntry(path: string, type?: 'file' | 'dir'): Promise<void>;
  /** Renames (or moves) a file or folder; its open tabs follow. */
  renameEntry(from: string, to: string): Promise<void>;
  /** Deletes a file, or a folder with what it holds. */
  deleteEntry(path: string): Promise<void>;
  /** The stdout (`stdout`, `output`) or stderr (`stderr`, `error`) of a stage of the last run, or null. */
  getStageStream(
    stage: string,
    stream: 'stdout' | 'stderr' | 'output' | 'error',
  ): Promise<string | null>;
  /** Puts one file (or the whole workspace) back to the project's template. */
  reset(path?: string): Promise<void>;
  /** Saves every file with unsaved changes now. */
  flush(): Promise<void>;
  setTheme(theme: Theme): Promise<void>;
  /** Focuses the iframe and the editor inside it. */
  focus(): Promise<void>;
  /** Hands the widget a new session token (e.g. on `se-token-expired`). */
  setToken(token: string): Promise<void>;
  /** Removes the iframe and every listener; pending calls reject. Safe to call twice. */
  destroy(): void;
}

/** Commands other than run and submit fail after this long without an answer. */
const COMMAND_TIMEOUT_MS = 15_000;
const FROM_FRAME = [
  'se:frame.ready',
  'se:frame.resize',
  'se:event.emit',
  'se:command.reply',
  'se:submit.ask',
];
const MIN_HEIGHT = 120;
const MAX_HEIGHT = 20_000;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  /** answers are awaited at most COMMAND_TIMEOUT_MS once sent (not run and submit) */
  bounded: boolean;
  timer?: ReturnType<typeof setTimeout>;
}

function backendOrigin(backend: string, caller: string): string {
  let url: URL;
  try {
    url = new URL(backend, location.href);
  } catch {
    throw new TypeError(`${caller}: backend '${backend}' is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TypeError(`${caller}: backend '${backend}' is not an http(s) URL`);
  return url.origin;
}

/** The options both kinds of embed share. */
interface FrameOptions {
  backend: string;
  widget: string;
  token?: string;
  theme?: Theme;
  height?: number;
  autoResize?: boolean;
  locale?: string;
  title?: string;
}

/** The channel to one embed page, shared by {@link embedSolve} and {@link embedWorkspace}. */
interface Frame {
  iframe: HTMLIFrameElement;
  ready: Promise<void>;
  on(event: string, listener: (detail: never) => void): () => void;
  /** sends a command (queued until the handshake); `bounded`: fails after COMMAND_TIMEOUT_MS */
  command(t: string, p: Record<string, unknown>, bounded: boolean): Promise<unknown>;
  setTheme(theme: Theme): Promise<void>;
  setToken(token: string): Promise<void>;
  focus(): Promise<void>;
  destroy(): void;
}

/**
 * Creates the iframe of `path` and runs the handshake: the frame is answered only after it
 * announced itself from the iframe's window and the backend's exact origin, with one end of a
 * fresh `MessageChannel` transferred to that origin. `ask` answers `se:submit.ask` (embedSolve's
 * gate); `query` adds page parameters.
 */
function openFrame(
  container: HTMLElement,
  options: FrameOptions,
  page: {
    caller: string;
    path: string;
    title: string;
    query?: Record<string, string>;
    ask?: (detail: unknown) => Promise<boolean>;
    /** whether the host holds a gate now: sent with each handshake, so a reloaded page keeps it */
    gated?: () => boolean;
  },
): Frame {
  const origin = backendOrigin(options.backend, page.caller);
  if (typeof options.widget !== 'string' || options.widget === '')
    throw new TypeError(`${page.caller}: widget is required`);
  const autoResize = options.autoResize !== false;
  const initialHeight = Math.max(MIN_HEIGHT, Math.round(options.height ?? 600));

  let token = options.token;
  let theme = options.theme;
  let port: MessagePort | null = null;
  let nonce = '';
  let connected = false;
  let destroyed = false;
  let seq = 0;
  const pending = new Map<string, Pending>();
  /** commands given before the handshake, sent once it is done */
  const queue: Envelope[] = [];
  const listeners = new Map<string, Set<(detail: never) => void>>();

  let markReady: () => void = () => {};
  let failReady: (err: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  // A handle nobody awaits must not report an unhandled rejection when destroyed early.
  ready.catch(() => {});

  const iframe = document.createElement('iframe');
  // Permissions first: `allow` is read when the navigation starts.
  iframe.setAttribute('allow', 'clipboard-write; fullscreen');
  iframe.title = options.title ?? page.title;
  // The backend learns the host's origin (it checks it anyway), never the page's path.
  iframe.referrerPolicy = 'origin';
  iframe.style.display = 'block';
  iframe.style.width = '100%';
  iframe.style.border = '0';
  iframe.style.height = `${initialHeight}px`;

  function emit(name: string, detail: unknown): void {
    for (const listener of [...(listeners.get(name) ?? [])]) {
      try {
        (listener as (d: unknown) => void)(detail);
      } catch (err) {
        // One faulty listener must not stop the others or the channel.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  function failPending(reason: string): void {
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(reason));
    }
    pending.clear();
  }

  function onPortMessage(e: MessageEvent): void {
    if (destroyed) return;
    const msg = parseEnvelope(e.data, FROM_FRAME);
    if (!msg) return;
    const p = msg.p as Record<string, unknown>;
    switch (msg.t) {
      case 'se:frame.ready': {
        if (p.nonce !== nonce || connected) return;
        connected = true;
        for (const queued of queue.splice(0)) post(queued);
        markReady();
        emit('connect', { widget: p.widget as string });
        return;
      }
      case 'se:frame.resize': {
        if (!connected) return;
        const height = p.height as number;
        if (autoResize)
          iframe.style.height = `${Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, height))}px`;
        emit('resize', { height });
        return;
      }
      case 'se:submit.ask': {
        if (!connected || !page.ask) return;
        const ask = p.ask as string;
        void page.ask(p.detail).then((allow) => {
          if (!destroyed) port?.postMessage(envelope('se:submit.answer', { ask, allow }));
        });
        return;
      }
      case 'se:event.emit':
        if (!connected) return;
        emit(p.name as string, p.detail);
        return;
      case 'se:command.reply': {
        const waiting = msg.id === undefined ? undefined : pending.get(msg.id);
        if (!waiting || msg.id === undefined) return;
        pending.delete(msg.id);
        clearTimeout(waiting.timer);
        if (p.ok) waiting.resolve(p.value);
        else waiting.reject(new Error(String(p.error ?? 'The widget refused the command.')));
        return;
      }
    }
  }

  /** A (new) embed page announced itself: give it a fresh channel. */
  function connect(): void {
    port?.close();
    if (connected) failPending('The embedded page reloaded.');
    connected = false;
    const channel = new MessageChannel();
    port = channel.port1;
    port.onmessage = onPortMessage;
    nonce = randomNonce();
    const p: Record<string, unknown> = { nonce, fit: (autoResize ? 'content' : 'fill') as Fit };
    if (token) p.token = token;
    if (theme) p.theme = theme;
    if (page.gated?.()) p.gate = true;
    iframe.contentWindow?.postMessage(envelope('se:host.connect', p), origin, [channel.port2]);
  }

  function onWindowMessage(e: MessageEvent): void {
    if (destroyed || e.source === null || e.source !== iframe.contentWindow) return;
    if (e.origin !== origin) return;
    if (!parseEnvelope(e.data, ['se:frame.announce'])) return;
    connect();
  }

  function post(message: Envelope): void {
    const id = message.id;
    const entry = id === undefined ? undefined : pending.get(id);
    if (!entry || !port || id === undefined) return;
    port.postMessage(message);
    if (entry.bounded) {
      entry.timer = setTimeout(() => {
        pending.delete(id);
        entry.reject(new Error(`The embedded widget did not answer ${message.t}.`));
      }, COMMAND_TIMEOUT_MS);
    }
  }

  function command(t: string, p: Record<string, unknown>, bounded: boolean): Promise<unknown> {
    if (destroyed) return Promise.reject(new Error('The embedded widget was destroyed.'));
    const id = `c${++seq}`;
    let message: Envelope;
    try {
      message = envelope(t, p, id);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject, bounded });
      if (connected) post(message);
      else queue.push(message);
    });
  }

  window.addEventListener('message', onWindowMessage);
  const url = new URL(page.path, origin);
  url.searchParams.set('widget', options.widget);
  url.searchParams.set('sdk', '1');
  if (theme) url.searchParams.set('theme', theme);
  if (options.locale) url.searchParams.set('locale', options.locale);
  for (const [k, v] of Object.entries(page.query ?? {})) url.searchParams.set(k, v);
  iframe.src = url.href;
  container.append(iframe);

  return {
    iframe,
    ready,
    command,
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => {
        listeners.get(event)?.delete(listener);
      };
    },
    async setTheme(next) {
      theme = next;
      await command('se:theme.set', { theme: next }, true);
    },
    async setToken(next) {
      token = next;
      await command('se:token.set', { token: next }, true);
    },
    async focus() {
      iframe.focus();
      await command('se:editor.focus', {}, true);
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      window.removeEventListener('message', onWindowMessage);
      port?.close();
      port = null;
      queue.length = 0;
      failPending('The embedded widget was destroyed.');
      failReady(new Error('The embedded widget was destroyed before it connected.'));
      listeners.clear();
      iframe.remove();
    },
  };
}

/**
 * Embeds a `<se-solve>` widget in an iframe served by the signing backend, in `container`.
 *
 * The iframe gets `allow="clipboard-write; fullscreen"` and a title before its `src`. The handle
 * talks to the frame only after the frame announced itself from the iframe's window and the
 * backend's exact origin; it then transfers one end of a `MessageChannel` to that origin with a
 * random nonce (and the token, if any). Everything else, both ways, goes over that channel.
 */
export function embedSolve(container: HTMLElement, options: EmbedSolveOptions): EmbedSolveHandle {
  let gate: SubmitGate | null = null;
  const f = openFrame(container, options, {
    caller: 'embedSolve',
    path: '/embed/solve',
    title: 'Code exercise',
    gated: () => gate !== null,
    async ask(detail) {
      const current = gate;
      try {
        return current
          ? (await current(detail as EmbedEventMap['se-before-submit'])) === true
          : true;
      } catch {
        return false;
      }
    },
  });
  const { command } = f;
  return {
    iframe: f.iframe,
    ready: f.ready,
    on: (event, listener) => f.on(event, listener as (detail: never) => void),
    async setCode(source, language, input) {
      const p: Record<string, unknown> = { source: String(source) };
      if (language !== undefined) p.language = String(language);
      if (input !== undefined) p.input = String(input);
      await command('se:code.set', p, true);
    },
    async setLanguages(languages) {
      await command('se:languages.set', { languages: [...languages].map(String) }, true);
    },
    async setSubmitGate(next) {
      const on = next !== null;
      gate = next;
      await command('se:gate.set', { on }, true);
    },
    async getCode() {
      const value = (await command('se:code.get', {}, true)) as { source?: unknown } | undefined;
      return typeof value?.source === 'string' ? value.source : '';
    },
    setTheme: f.setTheme,
    focus: f.focus,
    async run(input) {
      const p: Record<string, unknown> = input === undefined ? {} : { input: String(input) };
      return ((await command('se:code.run', p, false)) ?? null) as V1Result | null;
    },
    async submit() {
      return ((await command('se:code.submit', {}, false)) ?? null) as V1Result | null;
    },
    setToken: f.setToken,
    destroy: f.destroy,
  };
}

/**
 * Embeds a `<se-workspace>` (a widget of `"mode": "workspace"`) in an iframe served by the
 * signing backend (`/embed/workspace`), in `container`: the handshake, channel and checks of
 * {@link embedSolve}. Each method of the element is a command over the channel.
 */
export function embedWorkspace(
  container: HTMLElement,
  options: EmbedWorkspaceOptions,
): EmbedWorkspaceHandle {
  if (options.terminal !== undefined && !['open', 'collapsed', 'hidden'].includes(options.terminal))
    throw new TypeError(
      `embedWorkspace: terminal '${String(options.terminal)}' is not open, collapsed or hidden`,
    );
  const f = openFrame(container, options, {
    caller: 'embedWorkspace',
    path: '/embed/workspace',
    title: 'Coding workspace',
    query: options.terminal ? { terminal: options.terminal } : {},
  });
  const { command } = f;
  return {
    iframe: f.iframe,
    ready: f.ready,
    on: (event, listener) => f.on(event, listener as (detail: never) => void),
    async runScenario(name) {
      const p = name === undefined ? {} : { scenario: String(name) };
      return ((await command('se:scenario.run', p, false)) ?? null) as
        EmbedWorkspaceEventMap['se-scenario-result'] | null;
    },
    async getFileContent(path) {
      const v = (await command('se:file.get', { path: String(path) }, true)) as
        { content?: unknown } | undefined;
      return typeof v?.content === 'string' ? v.content : '';
    },
    async setFileContent(path, content) {
      await command('se:file.set', { path: String(path), content: String(content) }, true);
    },
    async openFile(path) {
      await command('se:file.open', { path: String(path) }, true);
    },
    async createEntry(path, type = 'file') {
      await command('se:file.create', { path: String(path), type }, true);
    },
    async renameEntry(from, to) {
      await command('se:file.rename', { path: String(from), to: String(to) }, true);
    },
    async deleteEntry(path) {
      await command('se:file.delete', { path: String(path) }, true);
    },
    async getStageStream(stage, stream) {
      const v = (await command('se:stage.get', { stage: String(stage), stream }, true)) as
        { content?: unknown } | undefined;
      return typeof v?.content === 'string' ? v.content : null;
    },
    async reset(path) {
      await command('se:workspace.reset', path === undefined ? {} : { path: String(path) }, false);
    },
    async flush() {
      await command('se:workspace.flush', {}, false);
    },
    setTheme: f.setTheme,
    focus: f.focus,
    setToken: f.setToken,
    destroy: f.destroy,
  };
}
