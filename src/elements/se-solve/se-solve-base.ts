import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import type { V1Result } from '../../shared/v1.js';
import { shellMessagesFor, type ShellMessages } from '../i18n/shell.js';
import { renderFrame, renderInput, renderToolbar } from './controls.js';
import { styles } from './se-solve.styles.js';

export type SeSolveTheme = 'light' | 'dark' | 'auto';

/** `lazy`: the script-tag bundle loads the editor when the widget nears the viewport or gets focus. */
export type SeSolveLoading = 'lazy' | 'eager';

/** What the placeholder hands to the loaded element. */
export interface Handover {
  /** the text of the placeholder's code box */
  text: string;
  /** the learner typed or pasted into it */
  typed: boolean;
  /** the host set `source` while the element was a placeholder */
  hostSource: boolean;
  /** the code box had the focus */
  focused: boolean;
}

/** How near the viewport (above or below) a widget starts loading. */
const NEAR = '400px 0px';

/**
 * The attributes, properties and look of `<se-solve>`, and the placeholder the script-tag bundle
 * defines the tag with. The placeholder draws the widget's frame at once (toolbar, a plain code
 * box, input box: the same template as the loaded element, so the same box) and loads the
 * element's code when the widget nears the viewport, gets focus, or is asked to do something;
 * then this very element becomes an `SeSolve` and keeps what was typed into it.
 *
 * `SeSolve` (the npm import) is this class with its code loaded from the start.
 */
export class SeSolveBase extends LitElement {
  static override styles = styles;

  /**
   * Loads the element's code (`SeSolve`). Set by the script-tag bundle's entry.
   * @internal
   */
  static loadCore: (() => Promise<typeof SeSolveBase>) | null = null;
  private static core: Promise<typeof SeSolveBase> | null = null;
  private static near: IntersectionObserver | null = null;

  /**
   * Base URL of the signing backend. Default: the origin the element's script was loaded from
   * (for the script-tag bundle, the backend that served it), else the page's origin.
   */
  @property() backend = '';

  /** Id of a public widget declared in the backend's config; the element asks for its session. */
  @property() widget = '';

  /** Session token minted by the host's server; set a new one at any time (e.g. on `se-token-expired`). */
  @property() token = '';

  /** Problem id; when unset, the problem named by the session or widget, if any. */
  @property({ type: Number }) problem: number | null = null;

  /**
   * The selected language: a compiler id (`"116"`) or, when setting it, a compiler's short name
   * (`"python3"`). Once the languages are loaded it reads back as the compiler id.
   */
  @property() language = '';

  /** Restricts the picker to these languages: compiler ids or short names, comma or space separated. */
  @property() languages = '';

  /** Colour theme: `light` (default), `dark`, or `auto` (follows the system). */
  @property({ reflect: true }) theme: SeSolveTheme = 'light';

  /** The learner cannot edit the code, pick a language or change the input; running and submitting still work. */
  @property({ type: Boolean, reflect: true }) readonly = false;

  /** Language of the interface (`en`, `pl`); default: the nearest `lang` attribute, else English. */
  @property() locale = '';

  /**
   * Autosave key of the page: pages that share it share the learner's code. Default: the page's
   * URL without query and hash.
   */
  @property({ attribute: 'save-key' }) saveKey = '';

  /**
   * With the script-tag bundle: `lazy` (default) shows a placeholder and loads the editor when the
   * widget nears the viewport or gets focus; `eager` loads it at once. Imported from npm, the
   * element has its editor from the start.
   */
  @property() loading: SeSolveLoading = 'lazy';

  /** The program input (stdin) of runs. */
  @property({ attribute: false }) input = '';

  /** The host's `aria-label`: the widget's own label, part of its controls' names. */
  @property({ attribute: 'aria-label' }) protected hostLabel: string | null = null;

  private waking: Promise<void> | null = null;
  private loadFailed = false;
  /** `source` set by the host before the element's code arrived */
  private pendingSource: string | undefined = undefined;

  constructor() {
    super();
    // Set on the element before its tag was defined, `source` would hide the accessor.
    if (Object.prototype.hasOwnProperty.call(this, 'source')) {
      const value = (this as unknown as { source: unknown }).source;
      delete (this as unknown as { source?: unknown }).source;
      this.pendingSource = String(value ?? '');
    }
    this.addEventListener('focusin', () => void this.wake().catch(() => undefined));
  }

  /**
   * True once the element runs its full code (always for `SeSolve`).
   * @internal
   */
  protected get active(): boolean {
    return false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // A group, so that the host's aria-label names something.
    if (!this.hasAttribute('role')) this.setAttribute('role', 'group');
    if (this.active) return;
    if (this.loading === 'eager' || typeof IntersectionObserver !== 'function') {
      void this.wake().catch(() => undefined);
      return;
    }
    SeSolveBase.near ??= new IntersectionObserver(
      (entries) => {
        for (const e of entries)
          if (e.isIntersecting) void (e.target as SeSolveBase).wake().catch(() => undefined);
      },
      { rootMargin: NEAR },
    );
    SeSolveBase.near.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    SeSolveBase.near?.unobserve(this);
  }

  /** The code in the editor (in the placeholder: its code box). */
  get source(): string {
    return this.codeBox()?.value ?? this.pendingSource ?? '';
  }
  set source(value: string) {
    this.pendingSource = String(value ?? '');
    const box = this.codeBox();
    if (box) box.value = this.pendingSource;
    this.requestUpdate();
  }

  /** Runs the code with the input; loads the element first. */
  run(): Promise<V1Result | null> {
    return this.wake().then(
      () => (this.active ? this.run() : null),
      () => null,
    );
  }

  /** Submits the code to the problem; loads the element first. */
  submit(): Promise<V1Result | null> {
    return this.wake().then(
      () => (this.active ? this.submit() : null),
      () => null,
    );
  }

  /** Puts back the language's starting code; loads the element first. */
  reset(): void {
    void this.wake().then(
      () => this.active && this.reset(),
      () => undefined,
    );
  }

  /** Focuses the code editor (in the placeholder: its code box, which starts the load). */
  override focus(options?: FocusOptions): void {
    const box = this.codeBox();
    if (box) box.focus(options);
    else super.focus(options);
  }

  /**
   * Loads the element's code (once per page) and turns this placeholder into the element.
   * @internal
   */
  protected wake(): Promise<void> {
    if (this.active) return Promise.resolve();
    return (this.waking ??= this.becomeElement());
  }

  private async becomeElement(): Promise<void> {
    const load = SeSolveBase.loadCore;
    if (!load) throw new Error('se-solve: the element code is not available');
    let core: typeof SeSolveBase;
    try {
      core = await (SeSolveBase.core ??= load());
    } catch (err) {
      // Offline, or the backend is down: say so, and let a retry (or the next focus) load again.
      SeSolveBase.core = null;
      this.waking = null;
      this.loadFailed = true;
      this.requestUpdate();
      throw err;
    }
    if (this.active) return;
    SeSolveBase.near?.unobserve(this);
    const box = this.codeBox();
    const text = box?.value ?? this.pendingSource ?? '';
    const handover: Handover = {
      text,
      typed: text !== '' && text !== (this.pendingSource ?? ''),
      hostSource: this.pendingSource !== undefined,
      focused: !!box && (this.renderRoot as ShadowRoot).activeElement === box,
    };
    this.loadFailed = false;
    // From here on this element is an SeSolve: its methods, its controllers, its render.
    Object.setPrototypeOf(this, core.prototype);
    this.activate(handover);
  }

  /**
   * Called on the element right after it became an `SeSolve`.
   * @internal
   */
  protected activate(_handover: Handover): void {}

  private codeBox(): HTMLTextAreaElement | null {
    if (this.active) return null;
    return this.renderRoot?.querySelector<HTMLTextAreaElement>('textarea.code') ?? null;
  }

  /**
   * The few messages the placeholder shows (the element has the whole catalog).
   * @internal
   */
  protected get shellMessages(): ShellMessages {
    return shellMessagesFor(this.resolvedLocale);
  }

  /** @internal */
  protected get resolvedLocale(): string {
    return this.locale || this.closest('[lang]')?.getAttribute('lang') || 'en';
  }

  /**
   * A touch-only device (a coarse pointer and no fine one): it has no Ctrl, Esc or Tab keys to hint at.
   * @internal
   */
  protected get touchOnly(): boolean {
    const mq = (q: string) => Boolean(globalThis.matchMedia?.(q).matches);
    return mq('(any-pointer: coarse)') && !mq('(any-pointer: fine)');
  }

  /**
   * The keyboard hint for this device and mode; empty on touch-only devices.
   * @internal
   */
  protected hint(): string {
    if (this.touchOnly) return '';
    const m = this.shellMessages;
    const mac = /Mac|iPhone|iPad/.test(globalThis.navigator?.platform ?? '');
    if (this.readonly) return mac ? m.runHintMac : m.runHint;
    return mac ? m.editorHintMac : m.editorHint;
  }

  /**
   * The `se-solve` elements of this element's document or shadow root, in order.
   * @internal
   */
  protected copies(selector: string): Element[] {
    const root = this.getRootNode() as Document | ShadowRoot;
    return typeof root.querySelectorAll === 'function' ? [...root.querySelectorAll(selector)] : [];
  }

  /**
   * The label before anything is loaded: the host's aria-label, or the widget's number on the page.
   * @internal
   */
  protected numberedLabel(): string {
    if (this.hostLabel) return this.hostLabel;
    const all = this.copies('se-solve');
    return all.length > 1 ? this.shellMessages.widgetNumber(all.indexOf(this) + 1) : '';
  }

  protected override updated(): void {
    if (!this.active && this.loading === 'eager' && this.isConnected)
      void this.wake().catch(() => undefined);
  }

  /** The placeholder: the loaded widget's first frame, with a plain code box in the editor. */
  override render(): TemplateResult {
    const m = this.shellMessages;
    const label = this.numberedLabel();
    const problem = this.problem !== null && Number.isFinite(this.problem);
    const hint = this.hint();
    const primary = () => void (problem ? this.submit() : this.run());
    const key = (e: KeyboardEvent) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        primary();
      }
    };
    const failed: TemplateResult | typeof nothing = this.loadFailed
      ? html`<div part="message" class="message" role="alert">
          <span>${m.unreachable}</span>
          <button class="secondary" @click=${() => void this.wake().catch(() => undefined)}>
            ${m.retry}
          </button>
        </div>`
      : nothing;
    return renderFrame({
      locale: this.resolvedLocale,
      statement: nothing,
      notice: failed,
      failed: false,
      toolbar: renderToolbar({
        m,
        label,
        available: [],
        selected: null,
        readonly: this.readonly,
        busy: false,
        primary: problem ? 'submission' : 'run',
        pick: () => undefined,
        act: primary,
        stop: () => undefined,
      }),
      editor: html`<textarea
        class="code"
        aria-label=${m.named(m.editorLabel, label)}
        aria-describedby=${hint ? 'hint' : nothing}
        spellcheck="false"
        autocomplete="off"
        autocapitalize="off"
        ?readonly=${this.readonly}
        .value=${this.pendingSource ?? ''}
        @keydown=${key}
      ></textarea>`,
      hint,
      input: renderInput({
        m,
        label,
        value: this.input,
        readonly: this.readonly,
        problem,
        busy: false,
        input: (e) => (this.input = (e.target as HTMLTextAreaElement).value),
        key: (e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void this.run();
          }
        },
        run: () => void this.run(),
      }),
      resultsLabel: m.named(m.results, label),
      stale: false,
      status: nothing,
      details: nothing,
      announcement: '',
    });
  }
}
