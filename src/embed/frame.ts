/**
 * The script of the embed pages (`/embed/solve` and `/embed/workspace`, built to
 * `dist/cdn/se-embed-frame.js`): hosts one `<se-solve>` or one `<se-workspace>` (defined by the
 * script-tag bundle loaded before it), talks to the host page over a
 * private `MessageChannel` after one checked handshake (see `protocol.ts`), reports its height to
 * LMSs, and offers an "open in a new window" escape.
 *
 * It reads its settings from the page's `<script type="application/json" id="se-embed-config">`,
 * written by the server: the widget and the exact host origins allowed to frame it. The origins a
 * message claims are never trusted: only `event.origin` checked against that list.
 */
import {
  COMMANDS,
  type EmbedKind,
  envelope,
  type Envelope,
  type Fit,
  lmsResizeMessages,
  MIRRORED_EVENTS,
  parseEnvelope,
  type Theme,
  WORKSPACE_COMMANDS,
  WORKSPACE_EVENTS,
} from './protocol.js';

/** The settings the server writes into the page. */
interface PageConfig {
  /** the element the page hosts */
  kind: EmbedKind;
  widget: string;
  /** exact origins allowed to frame the page and to connect */
  origins: string[];
  /** the SDK embedded the page: wait for its handshake before starting */
  sdk: boolean;
  theme: Theme;
  locale: string;
  /** `<se-workspace>`'s `terminal` attribute, when the page was asked for one */
  terminal?: 'open' | 'collapsed' | 'hidden';
}

/** What the frame uses of `<se-workspace>` (its public API). */
interface WorkspaceElement extends HTMLElement {
  backend: string;
  widget: string;
  token: string;
  theme: Theme;
  locale: string;
  terminal: string;
  runScenario(name?: string): Promise<unknown>;
  getFileContent(path: string): Promise<string>;
  setFileContent(path: string, text: string): Promise<void>;
  openFile(path: string): Promise<void>;
  createEntry(path: string, type?: 'file' | 'dir'): Promise<void>;
  renameEntry(from: string, to: string): Promise<void>;
  deleteEntry(path: string): Promise<void>;
  getStageStream(stage: string, stream: string): string | null;
  reset(path?: string): Promise<void>;
  flush(): Promise<void>;
}

/** The widget a session token's scope names (read, not verified: the backend verifies it). */
function tokenWidget(token: string): string | null {
  try {
    const part = token.split('.')[1] ?? '';
    const claims = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as {
      scope?: { widget?: unknown };
    };
    return typeof claims.scope?.widget === 'string' ? claims.scope.widget : null;
  } catch {
    return null;
  }
}

/** What the frame uses of `<se-solve>` (the element is defined by the script-tag bundle). */
interface SolveElement extends HTMLElement {
  backend: string;
  widget: string;
  token: string;
  theme: Theme;
  locale: string;
  language: string;
  languages: string;
  loading: string;
  source: string;
  input: string;
  readonly updateComplete: Promise<boolean>;
  run(): Promise<unknown>;
  submit(): Promise<unknown>;
}

/** How long the page waits for the SDK's handshake before starting on its own. */
const HANDSHAKE_WAIT_MS = 5000;
/** How long a window opened by "open in a new window" waits for the code and session. */
const HANDOFF_WAIT_MS = 2000;
/** Resize reports are debounced by this much. */
const RESIZE_DEBOUNCE_MS = 100;
/** After reporting a height, how long the host has to apply it before the page fills the frame. */
const RESIZE_GRACE_MS = 1000;

function readConfig(): PageConfig | null {
  const node = document.getElementById('se-embed-config');
  if (!node) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(node.textContent ?? '');
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const c = raw as Record<string, unknown>;
  const themes: unknown[] = ['light', 'dark', 'auto'];
  if (
    typeof c.widget !== 'string' ||
    !Array.isArray(c.origins) ||
    !c.origins.every((o) => typeof o === 'string') ||
    typeof c.sdk !== 'boolean' ||
    !themes.includes(c.theme) ||
    typeof c.locale !== 'string' ||
    (c.kind !== undefined && c.kind !== 'solve' && c.kind !== 'workspace') ||
    (c.terminal !== undefined && !['open', 'collapsed', 'hidden'].includes(c.terminal as string))
  )
    return null;
  return {
    kind: c.kind === 'workspace' ? 'workspace' : 'solve',
    ...(c.terminal !== undefined
      ? { terminal: c.terminal as 'open' | 'collapsed' | 'hidden' }
      : {}),
    widget: c.widget,
    origins: c.origins as string[],
    sdk: c.sdk,
    theme: c.theme as Theme,
    locale: c.locale,
  };
}

/** A detail as plain JSON data, trimmed where the host has no use for the bulk. */
function plainDetail(name: string, detail: unknown): unknown {
  const copy: unknown = JSON.parse(JSON.stringify(detail ?? null));
  if (name === 'se-ready' && copy && typeof copy === 'object') {
    // The statement is the problem setter's HTML: the host does not need it to follow the widget.
    const problem = (copy as { problem?: Record<string, unknown> | null }).problem;
    if (problem) delete problem.statement;
  }
  return copy;
}

class EmbedFrame {
  private el: SolveElement | null = null;
  /** the `<se-workspace>` of `/embed/workspace` */
  private ws: WorkspaceElement | null = null;
  /** why the page refused to open the widget (a token of another workspace), if it did */
  private refusal: string | null = null;
  /** the host's session token, if it gave one */
  private token = '';
  private mounted = false;
  /** resolves commands that arrived before the element existed */
  private whenMounted: (() => void) | null = null;
  private port: MessagePort | null = null;
  /** the host's exact origin, once its handshake was accepted */
  private hostOrigin: string | null = null;
  private handshakeDone = false;
  private fit: Fit = 'content';
  /** the host said how it sizes the frame: no switching between layouts */
  private fitFixed = false;
  private measuring = false;
  private lastHeight = -1;
  private naturalHeight = 0;
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly inFrame = window.parent !== window;
  /** resolves once the widget has started (se-ready) or failed to (se-error) */
  private readonly settled: Promise<void>;
  private markSettled: () => void = () => {};
  /** the commands so far, in order */
  private commands: Promise<unknown> = Promise.resolve();
  private readonly main: HTMLElement;
  /** the host asked to approve each run and submission (`se:gate.set`) */
  private gate = false;
  /** the next se-before-submit is one the host approved: let it go */
  private approved = false;
  private asks = 0;
  /** questions to the host waiting for its answer, by ask id */
  private readonly waiting = new Map<string, (allow: boolean) => void>();
  /** the outcome of the last run or submission held for the host's answer */
  private gated: Promise<unknown> | null = null;

  constructor(private readonly config: PageConfig) {
    this.main = document.querySelector('main') ?? document.body;
    this.settled = new Promise((resolve) => (this.markSettled = resolve));
  }

  start(): void {
    this.setTheme(this.config.theme);
    this.setupEscapeLink();
    if (this.inFrame) {
      window.addEventListener('message', this.onWindowMessage);
      this.announce();
      new ResizeObserver(() => this.scheduleResize()).observe(this.main);
      window.addEventListener('resize', () => this.onWindowResize());
      if (this.config.sdk) {
        setTimeout(() => this.mount(), HANDSHAKE_WAIT_MS);
      } else {
        this.mount();
      }
    } else {
      // A top-level window: the page scrolls like any other, and there is no link to open itself.
      const bar = document.getElementById('se-open')?.closest<HTMLElement>('.bar');
      if (bar) bar.hidden = true;
      if (window.opener) this.awaitHandoff();
      else this.mount();
    }
  }

  /** The parent's exact origin when the browser tells it, else every allowed origin. */
  private parentTargets(): string[] {
    if (this.hostOrigin) return [this.hostOrigin];
    const ancestor = location.ancestorOrigins?.[0];
    if (ancestor && ancestor !== 'null')
      return this.config.origins.includes(ancestor) ? [ancestor] : [];
    return this.config.origins;
  }

  private postToParent(message: unknown): void {
    for (const origin of this.parentTargets()) {
      try {
        window.parent.postMessage(message, origin);
      } catch {
        // A target that is not a valid origin: nothing to send to.
      }
    }
  }

  private announce(): void {
    this.postToParent(envelope('se:frame.announce', { widget: this.config.widget }));
  }

  private readonly onWindowMessage = (e: MessageEvent): void => {
    if (this.handshakeDone) return;
    if (e.source !== window.parent || !this.config.origins.includes(e.origin)) return;
    const msg = parseEnvelope(e.data, ['se:host.connect']);
    const port = e.ports[0];
    if (!msg || e.ports.length !== 1 || !port) return;
    // Exactly one handshake: later ones, even from the same origin, are ignored.
    this.handshakeDone = true;
    window.removeEventListener('message', this.onWindowMessage);
    this.hostOrigin = e.origin;
    const p = msg.p as { nonce: string; token?: string; theme?: Theme; fit?: Fit; gate?: boolean };
    this.port = port;
    // a reloaded page keeps the host's veto (the host sends it with every handshake)
    if (p.gate) this.gate = true;
    port.onmessage = (m) => {
      const answer = parseEnvelope(m.data, ['se:submit.answer']);
      if (answer) {
        const p = answer.p as { ask: string; allow: boolean };
        this.waiting.get(p.ask)?.(p.allow);
        this.waiting.delete(p.ask);
        return;
      }
      this.onCommand(m);
    };
    if (p.theme) this.setTheme(p.theme);
    if (p.fit) {
      this.fit = p.fit;
      this.fitFixed = true;
      this.applyFit();
    }
    this.send(envelope('se:frame.ready', { nonce: p.nonce, widget: this.config.widget }));
    if (p.token) this.setToken(p.token);
    this.mount();
    this.lastHeight = -1;
    this.scheduleResize();
  };

  private send(message: Envelope): void {
    this.port?.postMessage(message);
  }

  /** Creates the element, once, after the script-tag bundle has defined it. */
  private mount(handoff?: { source?: string; language?: string }): void {
    if (this.mounted) return;
    this.mounted = true;
    if (this.config.kind === 'workspace') return this.mountWorkspace();
    void customElements.whenDefined('se-solve').then(() => {
      const el = document.createElement('se-solve') as SolveElement;
      // The frame is the widget: the host page decides when it loads, so the editor comes at once.
      el.loading = 'eager';
      el.backend = location.origin;
      el.widget = this.config.widget;
      if (this.token) el.token = this.token;
      el.theme = (document.documentElement.dataset.theme as Theme | undefined) ?? this.config.theme;
      if (this.config.locale) el.locale = this.config.locale;
      if (handoff?.language) el.language = handoff.language;
      if (handoff?.source !== undefined) el.source = handoff.source;
      // The host's veto (SDK `beforeSendSubmission`): hold each run and submission until it says.
      el.addEventListener('se-before-submit', (e) => this.onBeforeSubmit(el, e));
      this.follow(el, MIRRORED_EVENTS);
      this.el = el;
      document.getElementById('se-loading')?.remove();
      this.main.insertBefore(el, this.main.querySelector('.bar'));
      this.whenMounted?.();
    });
  }

  /**
   * Mirrors the element's `events` to the host, and starts measuring its height once it is ready
   * (or failed to be).
   */
  private follow(el: HTMLElement, events: readonly string[]): void {
    for (const name of events) {
      el.addEventListener(name, (e) =>
        this.mirror(name, (e as Event & { detail?: unknown }).detail),
      );
    }
    const start = () => this.startMeasuring();
    el.addEventListener('se-ready', start, { once: true });
    el.addEventListener('se-error', start, { once: true });
  }

  /** The widget is ready (or failed to be): its height is worth reporting from now on. */
  private startMeasuring(): void {
    this.measuring = true;
    this.markSettled();
    this.scheduleResize();
  }

  /**
   * `/embed/workspace`: creates the `<se-workspace>`, unless the host's token is for another
   * widget (the learner's workspace there is not the one this page is for): then the page says so
   * and the host gets `se-error` (`forbidden`).
   */
  private mountWorkspace(): void {
    const named = this.token ? tokenWidget(this.token) : null;
    if (named !== null && named !== this.config.widget) {
      this.refuse(this.messages().otherWorkspace(this.config.widget, named));
      return;
    }
    // The script-tag bundle loads <se-workspace>'s chunk once the page holds one: add it first.
    const el = document.createElement('se-workspace') as WorkspaceElement;
    el.backend = location.origin;
    el.widget = this.config.widget;
    if (this.token) el.token = this.token;
    el.theme = (document.documentElement.dataset.theme as Theme | undefined) ?? this.config.theme;
    if (this.config.locale) el.locale = this.config.locale;
    if (this.config.terminal) el.terminal = this.config.terminal;
    this.follow(el, WORKSPACE_EVENTS);
    this.ws = el;
    document.getElementById('se-loading')?.remove();
    this.main.insertBefore(el, this.main.querySelector('.bar'));
    void customElements.whenDefined('se-workspace').then(() => this.whenMounted?.());
  }

  private messages() {
    const pl = this.config.locale === 'pl';
    return {
      otherWorkspace: (want: string, got: string) =>
        pl
          ? `Ten obszar roboczy („${want}”) nie należy do tej sesji: token dotyczy widżetu „${got}”.`
          : `This workspace (“${want}”) is not the learner's: the session token is for widget “${got}”.`,
    };
  }

  /** Shows why the widget is not opened (text only), and tells the host as `se-error`. */
  private refuse(message: string): void {
    this.refusal = message;
    const p = document.createElement('p');
    p.className = 'loading';
    p.setAttribute('role', 'alert');
    p.textContent = message;
    document.getElementById('se-loading')?.replaceWith(p);
    this.mirror('se-error', { code: 'forbidden', message, status: 403 });
    this.startMeasuring();
    this.whenMounted?.();
  }

  private onBeforeSubmit(el: SolveElement, e: Event): void {
    if (!this.gate || !this.port) return;
    if (this.approved) {
      this.approved = false;
      return;
    }
    e.preventDefault();
    // Not mirrored as a before-submit: the host sees it as this question, then (if allowed) again.
    e.stopImmediatePropagation();
    const detail = (e as Event & { detail?: { kind?: string } }).detail;
    const ask = `a${++this.asks}`;
    // What the run or submit command that caused this answers: the approved one's result, or null.
    this.gated = new Promise((resolve) =>
      this.waiting.set(ask, (allow) => {
        if (!allow) return resolve(null);
        this.approved = true;
        // The element dispatches se-before-submit again after its own awaits: let that one go.
        const again = detail?.kind === 'submission' ? el.submit() : el.run();
        resolve(again.finally(() => (this.approved = false)));
      }),
    );
    try {
      this.send(
        envelope('se:submit.ask', { ask, detail: plainDetail('se-before-submit', detail) }),
      );
    } catch {
      // Too large to ask about: it does not go.
      this.waiting.get(ask)?.(false);
      this.waiting.delete(ask);
    }
  }

  private mountedElement(): Promise<SolveElement> {
    return new Promise((resolve) => {
      const previous = this.whenMounted;
      this.whenMounted = () => {
        previous?.();
        resolve(this.el as SolveElement);
      };
    });
  }

  private mirror(name: string, detail: unknown): void {
    if (!this.port) return;
    try {
      this.send(envelope('se:event.emit', { name, detail: plainDetail(name, detail) }));
    } catch (err) {
      // Over the size cap: the host misses this one event rather than the channel breaking.
      console.warn(`se-widgets embed: ${name} not mirrored: ${(err as Error).message}`);
    }
  }

  private onCommand(e: MessageEvent): void {
    const msg = parseEnvelope(
      e.data,
      this.config.kind === 'workspace' ? WORKSPACE_COMMANDS : COMMANDS,
    );
    if (!msg || msg.id === undefined) return;
    const id = msg.id;
    // Commands take effect in the order they were sent; a run or submit holds the line only
    // until it has started, not until its result is in.
    const started = this.commands.then(() => this.execute(msg));
    this.commands = started.catch(() => undefined);
    void started
      .then((s) => s.result)
      .then(
        (value) =>
          envelope(
            'se:command.reply',
            value === undefined ? { ok: true } : { ok: true, value },
            id,
          ),
        (err: unknown) => {
          const text = err instanceof Error ? err.message : String(err);
          return envelope('se:command.reply', { ok: false, error: text.slice(0, 2000) }, id);
        },
      )
      .catch((err: unknown) =>
        // A reply over the size cap (e.g. huge code): say so instead.
        envelope('se:command.reply', { ok: false, error: (err as Error).message }, id),
      )
      .then((reply) => this.send(reply));
  }

  /** Applies a command; `result` settles with its answer. */
  private async execute(msg: Envelope): Promise<{ result: Promise<unknown> }> {
    const done = (value?: unknown) => ({ result: Promise.resolve(value) });
    if (this.config.kind === 'workspace') return this.executeWorkspace(msg);
    const el = this.el ?? (await this.mountedElement());
    const p = msg.p as Record<string, string | undefined>;
    // The code is the restored one only once the widget has loaded its languages.
    if (msg.t.startsWith('se:code.')) await this.settled;
    switch (msg.t) {
      case 'se:code.set':
        if (p.language) {
          // The language first: picking one loads that language's saved code.
          el.language = p.language;
          await el.updateComplete;
        }
        el.source = p.source ?? '';
        if (p.input !== undefined) el.input = p.input;
        return done();
      case 'se:code.get':
        return done({ source: el.source, language: el.language });
      case 'se:code.run':
        if (p.input !== undefined) el.input = p.input;
        this.gated = null;
        return { result: el.run().then((r) => this.outcome(r)) };
      case 'se:code.submit':
        this.gated = null;
        return { result: el.submit().then((r) => this.outcome(r)) };
      case 'se:theme.set':
        this.setTheme(p.theme as Theme);
        return done();
      case 'se:editor.focus':
        el.focus();
        return done();
      case 'se:token.set':
        this.setToken(p.token ?? '');
        return done();
      case 'se:languages.set':
        el.languages = (msg.p as { languages: string[] }).languages.join(',');
        return done();
      case 'se:gate.set':
        this.gate = (msg.p as { on: boolean }).on;
        return done();
    }
    throw new Error(`Unknown command ${msg.t}.`);
  }

  /** Applies a command of `/embed/workspace` (each maps to one method of `<se-workspace>`). */
  private async executeWorkspace(msg: Envelope): Promise<{ result: Promise<unknown> }> {
    const done = (value?: unknown) => ({ result: Promise.resolve(value) });
    if (!this.ws && !this.refusal) await this.mountedElement();
    // Theme and token apply to the page even when the widget was refused.
    const p = msg.p as Record<string, string | undefined>;
    if (msg.t === 'se:theme.set') {
      this.setTheme(p.theme as Theme);
      return done();
    }
    if (this.refusal) throw new Error(this.refusal);
    const el = this.ws as WorkspaceElement;
    await customElements.whenDefined('se-workspace');
    // File commands act on the open workspace: wait until it opened (or failed to).
    if (msg.t !== 'se:editor.focus' && msg.t !== 'se:token.set') await this.settled;
    switch (msg.t) {
      case 'se:scenario.run':
        return { result: el.runScenario(p.scenario).then((r) => plainDetail('', r)) };
      case 'se:file.get':
        return done({ content: await el.getFileContent(p.path ?? '') });
      case 'se:file.set':
        await el.setFileContent(p.path ?? '', p.content ?? '');
        return done();
      case 'se:file.open':
        await el.openFile(p.path ?? '');
        return done();
      case 'se:file.create':
        await el.createEntry(p.path ?? '', p.type === 'dir' ? 'dir' : 'file');
        return done();
      case 'se:file.rename':
        await el.renameEntry(p.path ?? '', p.to ?? '');
        return done();
      case 'se:file.delete':
        await el.deleteEntry(p.path ?? '');
        return done();
      case 'se:stage.get':
        return done({ content: el.getStageStream(p.stage ?? '', p.stream ?? 'stdout') });
      case 'se:workspace.reset':
        await el.reset(p.path);
        return done();
      case 'se:workspace.flush':
        await el.flush();
        return done();
      case 'se:editor.focus':
        el.focus();
        return done();
      case 'se:token.set': {
        const named = tokenWidget(p.token ?? '');
        if (named !== null && named !== this.config.widget)
          throw new Error(this.messages().otherWorkspace(this.config.widget, named));
        this.setToken(p.token ?? '');
        return done();
      }
    }
    throw new Error(`Unknown command ${msg.t}.`);
  }

  /** A run or submit command's answer: its result, or that of the run the host approved. */
  private async outcome(first: unknown): Promise<unknown> {
    const held = this.gated;
    this.gated = null;
    const r = first ?? (held ? await held : null);
    return plainDetail('se-result', r);
  }

  private setToken(token: string): void {
    this.token = token;
    if (this.el) this.el.token = token;
    if (this.ws) this.ws.token = token;
  }

  private setTheme(theme: Theme): void {
    document.documentElement.dataset.theme = theme;
    if (this.el) this.el.theme = theme;
    if (this.ws) this.ws.theme = theme;
  }

  private applyFit(): void {
    document.documentElement.classList.toggle('fill', this.fit === 'fill');
  }

  private scheduleResize(): void {
    clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(() => this.reportHeight(), RESIZE_DEBOUNCE_MS);
  }

  /** Tells the host (SDK and LMS conventions) the height the content needs. */
  private reportHeight(): void {
    if (!this.inFrame || !this.measuring || this.fit !== 'content') return;
    const height = Math.ceil(this.main.getBoundingClientRect().height);
    this.naturalHeight = height;
    if (height === this.lastHeight) return;
    this.lastHeight = height;
    for (const m of lmsResizeMessages(height)) this.postToParent(m);
    if (this.port) this.send(envelope('se:frame.resize', { height }));
    // Hosts that ignore resizes (Moodle) keep a fixed height: then fill it and scroll inside.
    clearTimeout(this.graceTimer);
    if (!this.fitFixed) {
      this.graceTimer = setTimeout(() => {
        if (this.fit === 'content' && window.innerHeight + 1 < this.naturalHeight) {
          this.fit = 'fill';
          this.applyFit();
        }
      }, RESIZE_GRACE_MS);
    }
  }

  private onWindowResize(): void {
    if (this.fitFixed) return;
    if (this.fit === 'fill' && window.innerHeight >= this.naturalHeight) {
      // The host gave the room the content needs after all: back to the natural layout.
      this.fit = 'content';
      this.applyFit();
      this.lastHeight = -1;
    }
    this.scheduleResize();
  }

  /**
   * "Open in a new window": the link works on its own (a fresh page on this backend); with script
   * the new window also gets the current code and session, over a message to this same origin.
   */
  private setupEscapeLink(): void {
    const link = document.getElementById('se-open') as HTMLAnchorElement | null;
    if (!link) return;
    link.addEventListener('click', (e) => {
      const el = this.el ?? this.ws;
      if (!el) return;
      const opened = window.open(link.href, '_blank');
      if (!opened) return;
      e.preventDefault();
      const onMessage = (m: MessageEvent) => {
        if (m.source !== opened || m.origin !== location.origin) return;
        if (!parseEnvelope(m.data, ['se:frame.announce'])) return;
        window.removeEventListener('message', onMessage);
        // A workspace keeps its files on the backend: the new window needs only the session.
        const p: Record<string, string> =
          'source' in el
            ? { source: el.source, language: el.language, theme: el.theme }
            : { theme: el.theme };
        if (el.token) p.token = el.token;
        try {
          opened.postMessage(envelope('se:handoff.init', p), location.origin);
        } catch {
          // Too large to hand over: the new window starts from its own saved code.
        }
      };
      window.addEventListener('message', onMessage);
      setTimeout(() => window.removeEventListener('message', onMessage), 60_000);
    });
  }

  /** In a window opened by the escape link: take the code and session from the opener. */
  private awaitHandoff(): void {
    const opener = window.opener as Window;
    const timer = setTimeout(() => {
      window.removeEventListener('message', onMessage);
      this.mount();
    }, HANDOFF_WAIT_MS);
    const onMessage = (m: MessageEvent) => {
      if (m.source !== opener || m.origin !== location.origin) return;
      const msg = parseEnvelope(m.data, ['se:handoff.init']);
      if (!msg) return;
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
      const p = msg.p as { token?: string; source?: string; language?: string; theme?: Theme };
      if (p.theme) this.setTheme(p.theme);
      if (p.token) this.setToken(p.token);
      this.mount(p);
    };
    window.addEventListener('message', onMessage);
    try {
      opener.postMessage(
        envelope('se:frame.announce', { widget: this.config.widget }),
        location.origin,
      );
    } catch {
      // An opener we cannot reach: start on our own when the wait ends.
    }
  }
}

const config = readConfig();
if (config) new EmbedFrame(config).start();
else console.error('se-widgets embed: the page has no valid #se-embed-config');
