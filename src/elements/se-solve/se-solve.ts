import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { editorLanguageOf } from '../../shared/highlighters.js';
import type { V1Language, V1Problem, V1Result, WidgetInfo } from '../../shared/v1.js';
import { lineMarks, type LineMark } from '../editor/message-lines.js';
import {
  SeBeforeSubmitEvent,
  SeChangeEvent,
  SeErrorEvent,
  SeReadyEvent,
  SeResultEvent,
  SeStatusEvent,
  SeSubmitEvent,
  SeTokenExpiredEvent,
  type SeErrorDetail,
  type SeTaskKind,
} from '../events.js';
import { messagesFor, statusText, type Messages } from '../i18n/index.js';
import { V1Client, V1ClientError } from './api-client.js';
import { AutosaveController, type AutosaveScope } from './autosave-controller.js';
import { EditorController } from './editor-controller.js';
import { icon } from './icons.js';
import { finalWords, renderDetails, statusLook, summaryOf } from './results-view.js';
import { sanitizeStatement } from './sanitize.js';
import { SessionController } from './session-controller.js';
import { styles } from './se-solve.styles.js';
import { TaskController } from './task-controller.js';
import { templateFor } from './templates.js';

/** The origin this module was loaded from: the default backend of a script-tag embed. */
const scriptOrigin = (() => {
  try {
    const u = new URL(import.meta.url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : '';
  } catch {
    return '';
  }
})();

export type SeSolveTheme = 'light' | 'dark' | 'auto';

type LoadState = 'idle' | 'loading' | 'ready' | 'error';

interface Notice {
  code: SeErrorDetail['code'];
  text: string;
  /** the widget could not start: offer to try again */
  retry: boolean;
}

/**
 * @summary Solve a programming problem (judged against its test cases), or run code with input.
 *
 * @description The element talks only to the signing backend's `/v1` API (`backend`), with a
 * session from the host's server (`token`) or one it asks for a public widget (`widget`). With a
 * problem (from the session, the widget or the `problem` attribute) it shows the statement and
 * submits to the Problems module; without one it shows an input box and runs through the Compilers
 * module. The learner's code is saved in `localStorage` per widget, problem and language.
 *
 * Keyboard: Ctrl+Enter (Cmd+Enter on macOS) runs or submits from the editor and the input box;
 * Escape then Tab leaves the editor (Ctrl-m toggles Tab-focus mode).
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
 * @csspart run-button - The Run button (run mode).
 * @csspart submit-button - The Submit button (problem mode).
 * @csspart stop-button - The "Stop waiting" button, shown while a run or submission is pending.
 * @csspart results - The results area: status, metrics, output, per-test table.
 * @csspart status - The status line, a polite live region announcing progress and verdicts.
 * @csspart message - A connection or session problem, with a retry button when it stopped the start.
 *
 * @cssproperty [--se-solve-background=var(--se-color-background, #ffffff)] - Background of the widget.
 * @cssproperty [--se-solve-foreground=var(--se-color-foreground, #1f2328)] - Text colour.
 * @cssproperty [--se-solve-muted=var(--se-color-muted, #57606a)] - Secondary text (hint, labels of metrics).
 * @cssproperty [--se-solve-surface=var(--se-color-surface, #f6f8fa)] - Background of output boxes and messages.
 * @cssproperty [--se-solve-border-color=var(--se-color-border, #8c959f)] - Borders of the frame, editor and fields.
 * @cssproperty [--se-solve-accent=var(--se-color-accent, #0b57d0)] - Buttons, links and focus ring.
 * @cssproperty [--se-solve-accent-foreground=var(--se-color-accent-foreground, #ffffff)] - Text on accent buttons.
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
 * @cssproperty [--se-solve-focus-ring=2px solid var(--se-solve-accent)] - Outline of focused controls.
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
export class SeSolve extends LitElement {
  static override styles = styles;

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

  /** The learner cannot edit the code; running and submitting still work. */
  @property({ type: Boolean, reflect: true }) readonly = false;

  /** Language of the interface (`en`, `pl`); default: the nearest `lang` attribute, else English. */
  @property() locale = '';

  /** The program input (stdin) of runs. */
  @property({ attribute: false }) input = '';

  @state() private loadState: LoadState = 'idle';
  @state() private available: V1Language[] = [];
  @state() private problemInfo: V1Problem | null = null;
  @state() private selected: { id: number; version: number | null } | null = null;
  @state() private result: V1Result | null = null;
  @state() private resultMarks: LineMark[] = [];
  @state() private stale = false;
  @state() private notice: Notice | null = null;

  private readonly session = new SessionController(this, {
    client: () => this.client(),
    expired: (detail) => this.dispatchEvent(new SeTokenExpiredEvent(detail)),
  });
  private readonly task = new TaskController(this, {
    client: () => this.client(),
    session: this.session,
    submitted: (kind, id) => this.dispatchEvent(new SeSubmitEvent({ kind, id })),
    status: (detail) => this.dispatchEvent(new SeStatusEvent(detail)),
  });
  private readonly autosave = new AutosaveController(this);
  private readonly editor = new EditorController(this, {
    container: () => this.renderRoot.querySelector<HTMLElement>('.editor'),
    root: () => this.renderRoot as ShadowRoot,
    changed: (source, byUser) => this.onEdit(source, byUser),
    submit: () => void this.primaryAction(),
  });

  private statementNode: HTMLElement | null = null;
  private loadTicket = 0;
  private loadAbort: AbortController | null = null;
  private hostSetSource = false;
  private quietEdit = false;
  private disposers: Array<() => void> = [];
  private apiClient: V1Client | null = null;

  /** The code in the editor. Setting it replaces the code (and saves it); it never fires `se-change`. */
  get source(): string {
    return this.editor.source;
  }
  set source(value: string) {
    this.hostSetSource = true;
    this.setSource(String(value ?? ''), true);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const media = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
    if (media) {
      const onScheme = () => this.requestUpdate();
      media.addEventListener('change', onScheme);
      this.disposers.push(() => media.removeEventListener('change', onScheme));
    }
    if (this.loadState !== 'ready' && this.hasUpdated) void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.loadAbort?.abort();
    this.loadAbort = null;
    if (this.loadState === 'loading') this.loadState = 'idle';
    for (const dispose of this.disposers.splice(0)) dispose();
  }

  /** Runs the code with the input (Compilers module). Resolves to the result, or null if cancelled or failed. */
  run(): Promise<V1Result | null> {
    return this.send('run');
  }

  /** Submits the code to the problem (Problems module). Resolves to the result, or null if cancelled or failed. */
  submit(): Promise<V1Result | null> {
    return this.send('submission');
  }

  /** Puts back the language's starting code and forgets the saved code of this language. */
  reset(): void {
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
    return messagesFor(this.resolvedLocale);
  }

  private get resolvedLocale(): string {
    return this.locale || this.closest('[lang]')?.getAttribute('lang') || 'en';
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

  private client(): V1Client {
    const base = this.backend || scriptOrigin || location.origin;
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
    if (this.problemInfo) return this.problemInfo.id;
    const ref = this.problemRef();
    return typeof ref === 'number' ? ref : null;
  }

  private widgetInfo(): WidgetInfo | null {
    return this.session.widget;
  }

  /** Autosave key: the widget, plus the element's id so two copies of a widget on a page differ. */
  private storageName(): string {
    const widget = this.widget || this.session.widget?.id || 'default';
    return this.id ? `${widget}#${this.id}` : widget;
  }

  private scope(): AutosaveScope | null {
    if (!this.selected) return null;
    return { widget: this.storageName(), problem: this.problemId(), compilerId: this.selected.id };
  }

  private current(): V1Language | undefined {
    return this.available.find((l) => l.id === this.selected?.id);
  }

  private template(): string {
    const lang = this.current();
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
        (changed.has('token') && this.loadState !== 'ready'));
    if (restart) void this.load();
    if (changed.has('token') && this.notice?.code === 'token_expired' && this.token)
      this.notice = null;
    if (changed.has('language') && this.loadState === 'ready') {
      const lang = this.findLanguage(this.language);
      if (lang && lang.id !== this.selected?.id) this.selectLanguage(lang.id, null, false);
      else if (lang) this.language = String(lang.id);
    }
  }

  protected override firstUpdated(): void {
    // After this update has finished, so the state the load sets schedules a fresh one.
    queueMicrotask(() => void this.load());
  }

  protected override updated(): void {
    this.editor.setReadOnly(this.readonly);
    this.editor.setDark(this.dark);
    this.editor.setLabel(this.messages.editorLabel, 'hint');
  }

  private findLanguage(value: string): V1Language | undefined {
    const v = value.trim().toLowerCase();
    if (!v) return undefined;
    return this.available.find((l) => String(l.id) === v || l.short.toLowerCase() === v);
  }

  /** Establishes the session and loads languages (and the problem); safe to call again. */
  private async load(): Promise<void> {
    const ticket = ++this.loadTicket;
    this.loadAbort?.abort();
    const abort = new AbortController();
    this.loadAbort = abort;
    this.loadState = 'loading';
    this.notice = null;
    if (!this.session.configured) {
      this.fail({ code: 'not_configured', message: 'Set the widget or token attribute.' }, true);
      return;
    }
    try {
      const client = this.client();
      let token = await this.session.ensure();
      const fetchAll = async (t: string) => {
        const ref = this.problemRef();
        if (ref !== null) {
          return Promise.all([
            client.languages(t, abort.signal),
            client.problem(t, ref, abort.signal),
          ]);
        }
        // A host-signed token need not name the widget's problem: the languages answer
        // describes the session's widget, problem included.
        const langs = await client.languages(t, abort.signal);
        if (langs.widget) this.session.widget = langs.widget;
        const named = this.problemRef();
        return [
          langs,
          named !== null ? await client.problem(t, named, abort.signal) : null,
        ] as const;
      };
      let langs, problem;
      try {
        [langs, problem] = await fetchAll(token);
      } catch (err) {
        if (!(
          err instanceof V1ClientError &&
          (err.code === 'token_expired' || err.code === 'unauthorized')
        ))
          throw err;
        token = await this.session.recover();
        [langs, problem] = await fetchAll(token);
      }
      if (ticket !== this.loadTicket) return;
      this.problemInfo = problem;
      this.statementNode = null;
      if (problem) {
        const node = document.createElement('div');
        node.className = 'statement-body';
        node.append(sanitizeStatement(problem.statement));
        this.statementNode = node;
      }
      const allowed = this.restrict(langs.items, problem);
      this.available = allowed;
      if (!allowed.length) {
        this.fail(
          { code: 'forbidden', message: 'No language is available.' },
          true,
          this.messages.noLanguages,
        );
        return;
      }
      const initial =
        this.findLanguage(this.language) ??
        allowed.find(
          (l) => l.id === this.autosave.loadLanguage(this.storageName(), this.problemId()),
        ) ??
        allowed.find((l) => l.id === langs.defaultId) ??
        allowed[0];
      this.loadState = 'ready';
      this.selectLanguage(initial.id, null, false, true);
      await this.updateComplete;
      this.dispatchEvent(
        new SeReadyEvent({ widget: this.widgetInfo(), languages: allowed, problem }),
      );
    } catch (err) {
      if (ticket !== this.loadTicket || abort.signal.aborted) return;
      this.fail(this.errorDetail(err), true);
    }
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

  private errorDetail(err: unknown): SeErrorDetail {
    if (err instanceof V1ClientError)
      return { code: err.code, message: err.message, status: err.status };
    return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
  }

  private noticeText(code: SeErrorDetail['code']): string {
    const m = this.messages;
    switch (code) {
      case 'network':
        return m.unreachable;
      case 'token_expired':
      case 'unauthorized':
        return m.sessionExpired;
      case 'forbidden':
      case 'origin_not_allowed':
        return m.forbidden;
      case 'rate_limited':
        return m.rateLimited;
      case 'too_large':
        return m.tooLarge;
      case 'not_configured':
        return m.notConfigured;
      default:
        return m.serverError;
    }
  }

  /** Shows a problem and reports it; `starting` marks a failed start (offer a retry). */
  private fail(detail: SeErrorDetail, starting: boolean, text?: string): void {
    if (starting) this.loadState = 'error';
    const code = detail.code === 'unauthorized' ? 'token_expired' : detail.code;
    this.notice = { code, text: text ?? this.noticeText(code), retry: starting };
    this.dispatchEvent(new SeErrorEvent(detail));
  }

  private selectLanguage(
    id: number,
    version: number | null,
    byUser: boolean,
    initial = false,
  ): void {
    const lang = this.available.find((l) => l.id === id);
    if (!lang) return;
    const before = this.scope();
    if (before && !initial) this.autosave.save(before, this.editor.source);
    this.autosave.flush();
    this.selected = { id, version };
    this.language = String(id);
    void this.editor.setLanguage(editorLanguageOf(lang.highlighters));
    const scope = this.scope();
    if (!scope) return;
    if (initial && this.hostSetSource) {
      this.autosave.save(scope, this.editor.source);
    } else {
      this.setSource(this.autosave.load(scope) ?? this.template(), false);
    }
    if (this.result) this.stale = true;
    if (byUser) {
      this.autosave.saveLanguage(this.storageName(), this.problemId(), id);
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
    if (this.result) this.stale = true;
  }

  private onEdit(source: string, byUser: boolean): void {
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
    if (this.loadState !== 'ready') {
      if (this.loadState === 'loading') await this.waitForLoad();
      else await this.load();
      if ((this.loadState as LoadState) !== 'ready') return null;
    }
    const sel = this.selected;
    const problemId = this.problemId();
    if (!sel) return null;
    if (kind === 'submission' && problemId === null) {
      this.fail(
        { code: 'bad_request', message: 'This widget has no problem to submit to.' },
        false,
      );
      return null;
    }
    const source = this.editor.source;
    const base = {
      compilerId: sel.id,
      ...(sel.version !== null ? { compilerVersionId: sel.version } : {}),
      source,
    };
    const detail =
      kind === 'run'
        ? { kind, ...base, input: this.input }
        : { kind, ...base, problemId: problemId as number };
    if (!this.dispatchEvent(new SeBeforeSubmitEvent(detail))) return null;
    this.autosave.flush();
    this.notice = this.notice?.retry ? this.notice : null;
    this.result = null;
    this.stale = false;
    void this.editor.mark([]);
    const body =
      kind === 'run' ? { ...base, input: this.input } : { ...base, problemId: problemId as number };
    const result = await this.task.start(kind, body);
    if (result) {
      this.result = result;
      this.stale = this.editor.source !== source;
      const marks = lineMarks(
        result.result.cmpinfo?.text ?? null,
        result.result.error?.text ?? null,
      );
      this.resultMarks = marks;
      void this.editor.mark(marks);
      this.dispatchEvent(new SeResultEvent(result));
    } else if (this.task.phase === 'failed' && this.task.error) {
      this.fail(this.errorDetail(this.task.error), false);
    }
    return result;
  }

  private async waitForLoad(): Promise<void> {
    for (let i = 0; i < 600 && this.loadState === 'loading'; i++)
      await new Promise((r) => setTimeout(r, 50));
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
      void this.primaryAction();
    }
  }

  private onAction(kind: SeTaskKind): void {
    if (this.task.busy) return;
    void this.send(kind);
  }

  private languageOptions(): TemplateResult[] {
    const out: TemplateResult[] = [];
    // "C++17 (GCC 12.2.0)" already names the language; "3.11.2" does not.
    const label = (l: V1Language, version: string) =>
      version.toLowerCase().startsWith(l.name.toLowerCase()) ? version : `${l.name} (${version})`;
    for (const l of this.available) {
      const versions = l.versions ?? [];
      if (versions.length <= 1) {
        const text = versions[0] ? label(l, versions[0].name) : l.name;
        out.push(
          html`<option value=${String(l.id)} ?selected=${this.selected?.id === l.id}>
            ${text}
          </option>`,
        );
        continue;
      }
      versions.forEach((v, i) => {
        const value = i === 0 ? String(l.id) : `${l.id}:${v.id}`;
        const sel =
          this.selected?.id === l.id &&
          (this.selected.version === null ? i === 0 : this.selected.version === v.id);
        out.push(html`<option value=${value} ?selected=${sel}>${label(l, v.name)}</option>`);
      });
    }
    return out;
  }

  private renderStatus(): TemplateResult | typeof nothing {
    const m = this.messages;
    const t = this.task;
    if (t.phase === 'sending') return html`${icon('busy')}<span>${m.sending}</span>`;
    if (t.phase === 'waiting')
      return html`${icon('busy')}<span
          >${t.status ? statusText(m, t.status.code) : m.status_0}…</span
        >`;
    if (t.phase === 'stopped') return html`${icon('alert')}<span>${m.stopped}</span>`;
    if (t.phase === 'done' && this.result) {
      const code = this.result.result.status.code;
      const look = statusLook(code);
      const summary = summaryOf(m, this.result, this.resultMarks);
      return html`<span class="tone-${look.tone}">${icon(look.icon)}</span>
        <span class="words tone-${look.tone}">${finalWords(m, this.result.kind, code)}.</span>
        ${summary ? html`<span class="summary">${summary}</span>` : nothing}`;
    }
    return nothing;
  }

  override render(): TemplateResult {
    const m = this.messages;
    const mode = this.mode;
    const busy = this.task.busy;
    const mac = /Mac|iPhone|iPad/.test(globalThis.navigator?.platform ?? '');
    const problem = this.problemInfo;
    const showResult = this.task.phase === 'done' && this.result;
    const display = problem?.display ?? this.widgetInfo()?.display;
    return html`<div class="frame" lang=${this.resolvedLocale}>
      ${
        problem
          ? html`<section
              part="statement"
              class="statement"
              aria-labelledby="statement-title"
              tabindex="0"
            >
              <h2 id="statement-title">${problem.name}</h2>
              ${this.statementNode}
            </section>`
          : nothing
      }
      ${
        this.notice
          ? html`<div part="message" class="message" role="alert">
              ${icon('alert')}<span>${this.notice.text}</span>
              ${
                this.notice.retry && this.notice.code !== 'not_configured'
                  ? html`<button class="secondary" @click=${() => void this.load()}>
                      ${m.retry}
                    </button>`
                  : nothing
              }
            </div>`
          : nothing
      }
      <div class="toolbar">
        <span class="picker">
          <label for="language">${m.language}</label>
          <select
            id="language"
            part="language-picker"
            ?disabled=${!this.available.length}
            @change=${this.onPick}
          >
            ${
              this.available.length
                ? this.languageOptions()
                : html`<option>${m.languagesLoading}</option>`
            }
          </select>
        </span>
        <span class="spacer"></span>
        ${
          busy
            ? html`<button part="stop-button" class="secondary" @click=${() => this.task.stop()}>
                ${m.stop}
              </button>`
            : nothing
        }
        ${
          mode === 'problem'
            ? html`<button
                part="submit-button"
                aria-disabled=${busy ? 'true' : 'false'}
                @click=${() => this.onAction('submission')}
              >
                ${m.submit}
              </button>`
            : html`<button
                part="run-button"
                aria-disabled=${busy ? 'true' : 'false'}
                @click=${() => this.onAction('run')}
              >
                ${m.run}
              </button>`
        }
      </div>
      <div class="editor" part="editor"></div>
      <p id="hint" class="hint">${mac ? m.editorHintMac : m.editorHint}</p>
      ${
        mode === 'run'
          ? html`<div class="stdin">
              <label for="stdin">${m.input}</label>
              <textarea
                id="stdin"
                part="stdin"
                spellcheck="false"
                .value=${this.input}
                @input=${this.onInput}
                @keydown=${this.onInputKey}
              ></textarea>
            </div>`
          : nothing
      }
      <section part="results" class="results ${this.stale ? 'stale' : ''}" aria-label=${m.results}>
        <div part="status" class="status" role="status" aria-live="polite" aria-atomic="true">
          ${this.renderStatus()}
        </div>
        ${
          showResult && this.result
            ? html`<div class="details">
                ${renderDetails(
                  {
                    m,
                    locale: this.resolvedLocale,
                    stale: this.stale,
                    expectedVsGot: display?.expectedVsGot ?? true,
                  },
                  this.result,
                )}
              </div>`
            : nothing
        }
      </section>
    </div>`;
  }
}
