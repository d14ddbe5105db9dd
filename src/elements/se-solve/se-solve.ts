import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { editorLanguageOf } from '../../shared/highlighters.js';
import type {
  LanguagesResponse,
  V1Language,
  V1Problem,
  V1Result,
  WidgetInfo,
} from '../../shared/v1.js';
import type { LineMark } from '../editor/message-lines.js';
import type { Messages } from '../i18n/en.js';
import { catalogLoad, loadedMessagesFor } from '../i18n/lazy.js';
import {
  SeBeforeSubmitEvent,
  SeChangeEvent,
  SeErrorEvent,
  SeReadyEvent,
  SeResultEvent,
  SeStatusEvent,
  SeSubmitEvent,
  SeTokenExpiredEvent,
  type SeBeforeSubmitDetail,
  type SeErrorDetail,
  type SeTaskKind,
} from '../events.js';
import { backendBase } from '../script-origin.js';
import { V1Client } from './api-client.js';
import {
  AutosaveController,
  pageOf,
  type AutosaveScope,
  type LegacyScope,
} from './autosave-controller.js';
import { EditorController } from './editor-controller.js';
import { errorDetail, LoadController } from './load-controller.js';
import { renderFrame, renderInput, renderStatement, renderToolbar } from './controls.js';
import type * as ResultsViewModule from './results-view.js';
import { SeSolveBase, type Handover } from './se-solve-base.js';
import { SessionController } from './session-controller.js';
import { TaskController } from './task-controller.js';
import { templateFor } from './templates.js';
import {
  announcement,
  authorMustFix,
  noticeText,
  renderNotice,
  renderStatus,
  type Notice,
} from './views.js';

// What shows a result (the final status, the details, the line marks): loaded once per page with
// the first run or submission, since a widget that is only looked at never shows one.
let resultsView: typeof ResultsViewModule | null = null;
let resultsLoad: Promise<typeof ResultsViewModule> | null = null;
function loadResultsView(): Promise<typeof ResultsViewModule> {
  resultsLoad ??= import('./results-view.js').then(
    (m) => (resultsView = m),
    (err: unknown) => {
      resultsLoad = null;
      throw err;
    },
  );
  return resultsLoad;
}

export type { SeSolveLoading, SeSolveTheme } from './se-solve-base.js';

/**
 * @summary Solve a programming problem (judged against its test cases), or run code with input.
 *
 * @description The element talks only to the signing backend's `/v1` API (`backend`), with a
 * session from the host's server (`token`) or one it asks for a public widget (`widget`). With a
 * problem (from the session, the widget or the `problem` attribute) it shows the statement and
 * submits to the Problems module (with a "Run with input" box, filled with the sample input, when the
 * widget allows runs); without one it shows an input box and runs through the Compilers module.
 * The learner's code is saved in `localStorage` per page (or `save-key`), widget, element (its `id`,
 * else its place among the page's copies of the widget), problem and language.
 *
 * The element's accessible names include its label: the host's `aria-label`, else the problem's
 * title, else "Code exercise N" when a page holds several.
 *
 * Keyboard: Ctrl+Enter (Cmd+Enter on macOS) runs or submits from the editor and the input box;
 * Escape then Tab leaves the editor (Ctrl-m toggles Tab-focus mode). The hints are not shown on
 * touch-only devices (no such keys there).
 *
 * @tag se-solve
 *
 * @event {SeReadyEvent} se-ready - The session is up and the languages (and problem) are loaded. `detail: {widget, languages, problem}`.
 * @event {SeChangeEvent} se-change - The learner edited the code or picked a language. `detail: {source, language}`.
 * @event {SeBeforeSubmitEvent} se-before-submit - About to send a run or a submission; cancelable: `preventDefault()` stops it. `detail: {kind, compilerId, source, input?, problemId?}`.
 * @event {SeSubmitEvent} se-submit - The backend accepted a run or submission. `detail: {kind, id}`.
 * @event {SeStatusEvent} se-status - A run or submission changed status while processed. `detail: {kind, id, executing, status}`.
 * @event {SeResultEvent} se-result - The final result (`V1Result`) of a run or submission, in `detail`.
 * @event {SeErrorEvent} se-error - A request failed; the widget shows why and keeps the code. `detail: {code, message, status?}`.
 * @event {SeTokenExpiredEvent} se-token-expired - The session token is ending (`reason: 'expiring'`) or was refused (`'expired'`): set a new `token`.
 *
 * @csspart statement - The problem statement (problem mode).
 * @csspart language-picker - The language `<select>`.
 * @csspart editor - The box holding the code editor.
 * @csspart stdin - The program input `<textarea>` (run mode).
 * @csspart run-button - The Run button (run mode), or "Run with input" (problem mode).
 * @csspart try - The "Run with input" disclosure (problem mode, when the widget allows runs).
 * @csspart read-only - The "Read-only" badge (with `readonly`).
 * @csspart submit-button - The Submit button (problem mode).
 * @csspart stop-button - The "Stop waiting" button, shown while a run or submission is pending.
 * @csspart results - The results area: status, metrics, output, per-test table.
 * @csspart status - The visible status line (progress and verdict).
 * @csspart announcer - The polite live region: announces once when a task is sent, once with its verdict.
 * @csspart message - A connection or session problem, with a retry button when it stopped the start.
 *
 * @cssproperty [--se-solve-background=var(--se-color-background, #ffffff)] - Background of the widget.
 * @cssproperty [--se-solve-foreground=var(--se-color-foreground, #1f2328)] - Text colour.
 * @cssproperty [--se-solve-muted=var(--se-color-muted, #57606a)] - Secondary text (hint, labels of metrics).
 * @cssproperty [--se-solve-surface=var(--se-color-surface, #f6f8fa)] - Background of output boxes and messages.
 * @cssproperty [--se-solve-border-color=var(--se-color-border, #8c959f)] - Borders of the frame, editor and fields.
 * @cssproperty [--se-solve-accent=var(--se-color-accent, #0b57d0)] - Buttons, links and focus ring.
 * @cssproperty [--se-solve-accent-foreground=var(--se-color-accent-foreground, black or white, whichever contrasts more with the accent)] - Text on accent buttons.
 * @cssproperty [--se-solve-success=var(--se-color-success, #116329)] - Accepted / finished.
 * @cssproperty [--se-solve-error=var(--se-color-error, #b3261e)] - Errors and failed tests.
 * @cssproperty [--se-solve-warning=var(--se-color-warning, #7a4d00)] - Notes (output cut, stale results).
 * @cssproperty [--se-solve-font=var(--se-font-family, system-ui, sans-serif)] - Text font.
 * @cssproperty [--se-solve-font-mono=var(--se-font-family-mono, ui-monospace, monospace)] - Code and output font.
 * @cssproperty [--se-solve-font-size=var(--se-font-size, 1rem)] - Base font size.
 * @cssproperty [--se-solve-code-font-size=0.9em] - Font size of code, input and output.
 * @cssproperty [--se-solve-radius=var(--se-radius, 6px)] - Corner radius.
 * @cssproperty [--se-solve-height=auto] - Height of the whole widget; with a fixed height the editor and results share it and scroll.
 * @cssproperty [--se-solve-editor-height=16rem] - Preferred editor height.
 * @cssproperty [--se-solve-statement-max-height=40%] - Largest share of a fixed height the statement takes before it scrolls.
 * @cssproperty [--se-solve-focus-ring=2px solid var(--se-solve-foreground)] - Outline of focused controls.
 * @cssproperty [--se-solve-code-background=var(--se-color-code-background, #ffffff)] - Editor background.
 * @cssproperty [--se-solve-code-foreground=var(--se-color-code-foreground, #1f2328)] - Editor text.
 * @cssproperty [--se-solve-code-gutter-background=#f6f8fa] - Line-number gutter background.
 * @cssproperty [--se-solve-code-gutter-foreground=#57606a] - Line numbers.
 * @cssproperty [--se-solve-code-active-line=#eef3fb] - Current line background.
 * @cssproperty [--se-solve-code-selection=#c8dcfa] - Selection background.
 * @cssproperty [--se-solve-code-keyword=#8128c8] - Syntax: keywords.
 * @cssproperty [--se-solve-code-string=#0a3069] - Syntax: strings.
 * @cssproperty [--se-solve-code-comment=#57606a] - Syntax: comments.
 * @cssproperty [--se-solve-code-number=#0550ae] - Syntax: numbers and literals.
 * @cssproperty [--se-solve-code-function=#6639ba] - Syntax: function and definition names.
 * @cssproperty [--se-solve-code-type=#953800] - Syntax: types and classes.
 * @cssproperty [--se-solve-code-meta=#a0114d] - Syntax: preprocessor and meta.
 * @cssproperty [--se-solve-code-invalid=#b3261e] - Syntax: invalid tokens.
 */
export class SeSolve extends SeSolveBase {
  @state() private selected!: { id: number; version: number | null } | null;
  @state() private result!: V1Result | null;
  @state() private resultMarks!: LineMark[];
  @state() private stale!: boolean;
  @state() private notice!: Notice | null;

  // Set in setUp(): by the constructor, or by activate() when the script-tag bundle's placeholder
  // becomes this element (no constructor runs then).
  private session!: SessionController;
  private loader!: LoadController;
  private task!: TaskController;
  private autosave!: AutosaveController;
  private editor!: EditorController;
  private hostSetSource!: boolean;
  /** the host set `source` since the last update: it wins over a language's saved code */
  private hostSourcePending!: boolean;
  private hostSetInput!: boolean;
  /** the learner edited the code before the languages were loaded (or typed into the placeholder) */
  private earlyEdit!: boolean;
  private quietEdit!: boolean;
  private sentSource!: string;
  private elementKey!: string | null;
  private disposers!: Array<() => void>;
  private apiClient!: V1Client | null;

  constructor() {
    super();
    this.setUp();
  }

  /** @internal */
  protected override get active(): boolean {
    return true;
  }

  private setUp(): void {
    this.selected = null;
    this.result = null;
    this.resultMarks = [];
    this.stale = false;
    this.notice = null;
    this.hostSetSource = false;
    this.hostSourcePending = false;
    this.hostSetInput = false;
    this.earlyEdit = false;
    this.quietEdit = false;
    this.sentSource = '';
    this.elementKey = null;
    this.disposers = [];
    this.apiClient = null;
    this.session = new SessionController(this, {
      client: () => this.client(),
      expired: (detail) => this.dispatchEvent(new SeTokenExpiredEvent(detail)),
    });
    this.loader = new LoadController(this, {
      client: () => this.client(),
      session: this.session,
      problemRef: () => this.problemRef(),
      restrict: (items, problem) => this.restrict(items, problem),
      loaded: (langs, allowed, problem) => this.onLoaded(langs, allowed, problem),
      failed: (detail) =>
        this.fail(detail, true, this.loader.noLanguages ? this.messages.noLanguages : undefined),
    });
    this.task = new TaskController(this, {
      client: () => this.client(),
      session: this.session,
      before: (detail) => this.onBefore(detail),
      submitted: (kind, id) => this.dispatchEvent(new SeSubmitEvent({ kind, id })),
      status: (detail) => this.dispatchEvent(new SeStatusEvent(detail)),
      finished: (result) => this.onResult(result),
      failed: (error) => this.fail(errorDetail(error), false),
    });
    this.autosave = new AutosaveController(this);
    this.editor = new EditorController(this, {
      container: () => this.renderRoot.querySelector<HTMLElement>('.editor'),
      root: () => this.renderRoot as ShadowRoot,
      changed: (source, byUser) => this.onEdit(source, byUser),
      submit: () => void this.primaryAction(),
    });
  }

  /** The code in the editor. Setting it replaces the code (and saves it); it never fires `se-change`. */
  override get source(): string {
    return this.editor.source;
  }
  override set source(value: string) {
    this.hostSetSource = true;
    this.hostSourcePending = true;
    // Saved in the next update, under the language the host asks for in the same task.
    this.setSource(String(value ?? ''), false);
    this.requestUpdate();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.watchMedia();
    if (this.loader.state !== 'ready' && this.hasUpdated) void this.load();
  }

  /**
   * The script-tag bundle's placeholder has just become this element: set up what the constructor
   * would have, take over what was typed into the placeholder, and start.
   * @internal
   */
  protected override activate(handover: Handover): void {
    this.setUp();
    if (handover.hostSource) {
      this.hostSetSource = true;
      this.hostSourcePending = true;
    }
    this.earlyEdit = handover.typed;
    this.editor.handover(handover.text, handover.focused);
    this.session.configure(this.widget || null, this.token || null);
    if (this.isConnected) {
      this.watchMedia();
      // After this update, so the state the load sets schedules a fresh one; unless a call that
      // woke the element (run(), submit()) has started it already.
      void this.updateComplete.then(() => {
        if (this.loader.state === 'idle') void this.load();
      });
    }
    this.requestUpdate();
  }

  private watchMedia(): void {
    for (const query of ['(prefers-color-scheme: dark)', '(any-pointer: coarse)']) {
      const media = globalThis.matchMedia?.(query);
      if (!media) continue;
      const onChange = () => this.requestUpdate();
      media.addEventListener('change', onChange);
      this.disposers.push(() => media.removeEventListener('change', onChange));
    }
  }

  override disconnectedCallback(): void {
    // Removed in the task that set the source: save it now (the autosave flushes on disconnect).
    this.saveHostSource();
    super.disconnectedCallback();
    for (const dispose of this.disposers.splice(0)) dispose();
  }

  /** Runs the code with the input (Compilers module). Resolves to the result, or null if cancelled or failed. */
  override run(): Promise<V1Result | null> {
    return this.send('run');
  }

  /** Submits the code to the problem (Problems module). Resolves to the result, or null if cancelled or failed. */
  override submit(): Promise<V1Result | null> {
    return this.send('submission');
  }

  /** Puts back the language's starting code and forgets the saved code of this language. */
  override reset(): void {
    const scope = this.scope();
    if (scope) this.autosave.forget(scope);
    this.hostSetSource = false;
    this.setSource(this.template(), false);
    void this.editor.mark([]);
  }

  /** Focuses the code editor. */
  override focus(options?: FocusOptions): void {
    if (this.editor.view) this.editor.focus();
    else super.focus(options);
  }

  private get messages(): Messages {
    return loadedMessagesFor(this.resolvedLocale);
  }

  /** A widget in a locale whose catalog is not loaded yet renders once it is (in its own words). */
  protected override scheduleUpdate(): void | Promise<unknown> {
    const catalog = catalogLoad(this.resolvedLocale);
    return catalog ? catalog.then(() => super.scheduleUpdate()) : super.scheduleUpdate();
  }

  private get dark(): boolean {
    if (this.theme === 'dark') return true;
    return (
      this.theme === 'auto' &&
      Boolean(globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches)
    );
  }

  private get mode(): 'run' | 'problem' {
    return this.problemRef() !== null ? 'problem' : 'run';
  }

  /** The widget's own label: the host's aria-label, the problem's title, or its number on the page. */
  private get label(): string {
    if (this.hostLabel) return this.hostLabel;
    if (this.loader.problem) return this.loader.problem.name;
    return this.numberedLabel();
  }

  private client(): V1Client {
    const base = backendBase(this.backend);
    if (this.apiClient?.backend !== base) this.apiClient = new V1Client(base);
    return this.apiClient;
  }

  /** The problem named by the attribute, the widget or the token (id or code). */
  private problemRef(): number | string | null {
    if (this.problem !== null && Number.isFinite(this.problem)) return this.problem;
    return this.session.widget?.problemId ?? this.session.claimedProblem ?? null;
  }

  /** The numeric problem id, once known. */
  private problemId(): number | null {
    if (this.loader.problem) return this.loader.problem.id;
    const ref = this.problemRef();
    return typeof ref === 'number' ? ref : null;
  }

  private widgetInfo(): WidgetInfo | null {
    return this.session.widget;
  }

  private widgetName(): string {
    return this.widget || this.session.widget?.id || 'default';
  }

  /** This element among the page's copies of the widget: its id, else its position. */
  private identity(): string {
    if (this.id) return `#${this.id}`;
    const name = this.widgetName();
    const same = this.copies('se-solve:not([id])').filter(
      (e) => (e as SeSolve).widgetName?.() === name,
    );
    return String(Math.max(0, same.indexOf(this)));
  }

  private pageScope(): Omit<AutosaveScope, 'compilerId'> {
    this.elementKey ??= this.identity();
    return {
      page: this.saveKey || pageOf(location),
      widget: this.widgetName(),
      element: this.elementKey,
      problem: this.problemId(),
    };
  }

  /** The version-1 key of this element, and whether it was this element's alone. */
  private legacy(): LegacyScope {
    const name = this.widgetName();
    if (this.id) return { name: `${name}#${this.id}`, unambiguous: true };
    const same = this.copies('se-solve:not([id])').filter(
      (e) => (e as SeSolve).widgetName?.() === name,
    );
    return { name, unambiguous: same.length <= 1 };
  }

  private scope(): AutosaveScope | null {
    if (!this.selected) return null;
    return { ...this.pageScope(), compilerId: this.selected.id };
  }

  private template(): string {
    const lang = this.loader.available.find((l) => l.id === this.selected?.id);
    return lang ? templateFor(editorLanguageOf(lang.highlighters)) : '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('widget') || changed.has('token'))
      this.session.configure(this.widget || null, this.token || null);
    const restart =
      this.hasUpdated &&
      (changed.has('backend') ||
        changed.has('widget') ||
        changed.has('problem') ||
        changed.has('languages') ||
        changed.has('saveKey') ||
        (changed.has('token') && this.loader.state !== 'ready'));
    if (changed.has('input') && this.hasUpdated) this.hostSetInput = true;
    if (restart) {
      this.elementKey = null;
      void this.load();
    }
    if (changed.has('token') && this.notice?.code === 'token_expired' && this.token)
      this.notice = null;
    if (changed.has('language') && this.loader.state === 'ready') {
      const lang = this.findLanguage(this.language);
      if (lang && lang.id !== this.selected?.id) this.selectLanguage(lang.id, null, false);
      else if (lang) this.language = String(lang.id);
    }
    // After the language: the host's source is saved under the language it asked for.
    this.saveHostSource();
  }

  private saveHostSource(): void {
    if (!this.hostSourcePending) return;
    this.hostSourcePending = false;
    const scope = this.scope();
    if (scope) this.autosave.save(scope, this.editor.source);
  }

  protected override firstUpdated(): void {
    // After this update has finished, so the state the load sets schedules a fresh one.
    queueMicrotask(() => void this.load());
  }

  protected override updated(): void {
    const m = this.messages;
    this.editor.setReadOnly(this.readonly);
    this.editor.setDark(this.dark);
    this.editor.setLabel(m.named(m.editorLabel, this.label), this.hint() ? 'hint' : '');
  }

  private findLanguage(value: string): V1Language | undefined {
    const v = value.trim().toLowerCase();
    if (!v) return undefined;
    return this.loader.available.find((l) => String(l.id) === v || l.short.toLowerCase() === v);
  }

  private load(): Promise<void> {
    this.notice = null;
    return this.loader.load();
  }

  private onLoaded(langs: LanguagesResponse, allowed: V1Language[], problem: V1Problem | null) {
    if (problem?.sampleInput && !this.hostSetInput && !this.input) this.input = problem.sampleInput;
    const initial =
      this.findLanguage(this.language) ??
      allowed.find((l) => l.id === this.autosave.loadLanguage(this.pageScope(), this.legacy())) ??
      allowed.find((l) => l.id === langs.defaultId) ??
      allowed[0];
    this.selectLanguage(initial.id, null, false, true);
    void this.updateComplete.then(() =>
      this.dispatchEvent(
        new SeReadyEvent({ widget: this.widgetInfo(), languages: allowed, problem }),
      ),
    );
  }

  private restrict(items: V1Language[], problem: V1Problem | null): V1Language[] {
    let list = items;
    if (problem?.languages.length) list = list.filter((l) => problem.languages.includes(l.id));
    const wanted = this.languages
      .split(/[\s,]+/)
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    if (wanted.length)
      list = list.filter(
        (l) => wanted.includes(String(l.id)) || wanted.includes(l.short.toLowerCase()),
      );
    return list;
  }

  /** Shows a problem and reports it; `starting` marks a failed start (the widget cannot work). */
  private fail(detail: SeErrorDetail, starting: boolean, text?: string): void {
    const m = this.messages;
    this.notice = {
      code: detail.code,
      text: text ?? noticeText(m, this.resolvedLocale, detail, this.widgetName()),
      retry: starting && !authorMustFix(detail) && !this.loader.noLanguages,
    };
    this.dispatchEvent(new SeErrorEvent(detail));
  }

  private selectLanguage(
    id: number,
    version: number | null,
    byUser: boolean,
    initial = false,
  ): void {
    const lang = this.loader.available.find((l) => l.id === id);
    if (!lang) return;
    const before = this.scope();
    // The host's new source belongs to the new language, not to the one being left.
    if (before && !initial && !this.hostSourcePending)
      this.autosave.save(before, this.editor.source);
    this.autosave.flush();
    this.selected = { id, version };
    this.language = String(id);
    void this.editor.setLanguage(editorLanguageOf(lang.highlighters));
    const scope = this.scope();
    if (!scope) return;
    const early = initial && this.earlyEdit;
    this.earlyEdit = false;
    if ((initial && this.hostSetSource) || this.hostSourcePending) {
      this.autosave.save(scope, this.editor.source);
    } else if (early) {
      // Typed (or pasted) before the widget had loaded, into the placeholder or an empty editor:
      // kept, after the code saved earlier if there is some (the learner never saw the starting
      // code, so it gives way), with the caret at the end.
      const saved = this.autosave.load(scope, this.legacy());
      const typed = this.editor.source;
      const code = saved ? `${saved}${saved.endsWith('\n') ? '' : '\n'}${typed}` : typed;
      this.editor.replaceAll(code, true);
      this.autosave.save(scope, code);
      this.dispatchEvent(new SeChangeEvent({ source: code, language: String(id) }));
    } else {
      this.setSource(this.autosave.load(scope, this.legacy()) ?? this.template(), false);
    }
    if (this.result) this.stale = true;
    if (byUser) {
      this.autosave.saveLanguage(this.pageScope(), id);
      this.dispatchEvent(new SeChangeEvent({ source: this.editor.source, language: String(id) }));
    }
  }

  private setSource(value: string, save: boolean): void {
    this.quietEdit = !save;
    try {
      this.editor.source = value;
    } finally {
      this.quietEdit = false;
    }
    const scope = this.scope();
    if (save && scope) this.autosave.save(scope, value);
    if (this.result) this.stale = this.editor.source !== this.sentSource;
  }

  private onEdit(source: string, byUser: boolean): void {
    if (byUser && !this.selected) this.earlyEdit = source !== '';
    if (this.result) this.stale = true;
    const scope = this.scope();
    if (byUser) {
      if (scope) this.autosave.save(scope, source);
      this.dispatchEvent(
        new SeChangeEvent({ source, language: this.selected ? String(this.selected.id) : '' }),
      );
    } else if (!this.quietEdit && scope) {
      this.autosave.save(scope, source);
    }
  }

  private primaryAction(): Promise<V1Result | null> {
    return this.mode === 'problem' ? this.submit() : this.run();
  }

  private async send(kind: SeTaskKind): Promise<V1Result | null> {
    if (this.task.busy) return null;
    if (this.loader.state === 'loading') await this.loader.settled;
    else if (this.loader.state !== 'ready') await this.load();
    if (this.loader.state !== 'ready' || !this.selected) return null;
    try {
      await loadResultsView();
    } catch (err) {
      this.fail({ code: 'network', message: errorDetail(err).message }, false);
      return null;
    }
    if (this.task.busy) return null;
    const problemId = this.problemId();
    if (kind === 'submission' && problemId === null) {
      this.fail(
        { code: 'bad_request', message: 'This widget has no problem to submit to.' },
        false,
      );
      return null;
    }
    const sel = this.selected;
    const base = {
      kind,
      compilerId: sel.id,
      ...(sel.version !== null ? { compilerVersionId: sel.version } : {}),
      source: this.editor.source,
    };
    return this.task.send(
      kind === 'run' ? { ...base, input: this.input } : { ...base, problemId: problemId as number },
    );
  }

  private onBefore(detail: SeBeforeSubmitDetail): boolean {
    if (!this.dispatchEvent(new SeBeforeSubmitEvent(detail))) return false;
    this.autosave.flush();
    this.notice = this.notice?.retry ? this.notice : null;
    this.result = null;
    this.stale = false;
    this.sentSource = detail.source;
    void this.editor.mark([]);
    return true;
  }

  private onResult(result: V1Result): void {
    // Loaded by send() before the task went out.
    if (!resultsView) return void loadResultsView().then(() => this.onResult(result));
    this.result = result;
    this.stale = this.editor.source !== this.sentSource;
    const marks = resultsView.lineMarks(
      result.result.cmpinfo?.text ?? null,
      result.result.error?.text ?? null,
    );
    this.resultMarks = marks;
    void this.editor.mark(marks);
    this.dispatchEvent(new SeResultEvent(result));
  }

  private onPick(e: Event): void {
    const [id, version] = (e.target as HTMLSelectElement).value.split(':').map(Number);
    this.selectLanguage(id, Number.isFinite(version) ? version : null, true);
  }

  private onInput(e: Event): void {
    this.input = (e.target as HTMLTextAreaElement).value;
  }

  private onInputKey(e: KeyboardEvent): void {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      // The input box runs, in problem mode too: it is the program's input, not a test's.
      void this.run();
    }
  }

  private onAction(kind: SeTaskKind): void {
    if (this.task.busy) return;
    void this.send(kind);
  }

  override render(): TemplateResult {
    const m = this.messages;
    const locale = this.resolvedLocale;
    const label = this.label;
    const problem = this.loader.problem;
    const mode = this.mode;
    const busy = this.task.busy;
    const failed = this.loader.state === 'error';
    const showResult = this.task.phase === 'done' && this.result;
    const display = problem?.display ?? this.widgetInfo()?.display;
    const canRun = this.widgetInfo()?.actions.includes('run') ?? true;
    const hint = this.hint();
    return renderFrame({
      locale,
      statement: renderStatement(problem, this.loader.statement),
      notice: renderNotice(m, this.notice, () => void this.load()),
      failed,
      toolbar: renderToolbar({
        m,
        label,
        available: this.loader.available,
        selected: this.selected,
        readonly: this.readonly,
        busy,
        primary: mode === 'problem' ? 'submission' : 'run',
        pick: (e) => this.onPick(e),
        act: (kind) => this.onAction(kind),
        stop: () => this.task.stop(),
      }),
      editor: nothing,
      hint,
      input:
        mode === 'run' || canRun
          ? renderInput({
              m,
              label,
              value: this.input,
              readonly: this.readonly,
              problem: mode === 'problem',
              busy,
              input: (e) => this.onInput(e),
              key: (e) => this.onInputKey(e),
              run: () => this.onAction('run'),
            })
          : nothing,
      resultsLabel: m.named(m.results, label),
      stale: this.stale,
      status:
        showResult && this.result && resultsView
          ? resultsView.renderFinalStatus(m, this.result, this.resultMarks)
          : renderStatus(m, this.task),
      details:
        showResult && this.result && resultsView
          ? html`<div class="details">
              ${resultsView.renderDetails(
                {
                  m,
                  locale,
                  stale: this.stale,
                  expectedVsGot: display?.expectedVsGot ?? true,
                  scored: problem ? problem.type.name !== 'binary' : false,
                },
                this.result,
              )}
            </div>`
          : nothing,
      announcement:
        showResult && this.result && resultsView
          ? resultsView.verdictText(m, locale, this.result, this.resultMarks)
          : announcement(m, this.task),
    });
  }
}
