import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type {
  V1File,
  V1FileEntry,
  V1ScenarioResult,
  V1Workspace,
} from '../../shared/v1-workspace.js';
import { Status } from '../../shared/status.js';
import { basicSetup } from '../editor/basic-setup.js';
import { changeListener } from '../editor/change-listener.js';
import { contentLabel } from '../editor/content-attributes.js';
import { showDiagnostics } from '../editor/diagnostics.js';
import { loadLanguage } from '../editor/language.js';
import { editorTheme } from '../editor/theme.js';
import { backendBase } from '../script-origin.js';
import { SeErrorEvent, SeTokenExpiredEvent, type SeErrorDetail } from '../events.js';
import {
  scenarioStatusText,
  workspaceMessagesFor,
  type WorkspaceMessages,
} from '../i18n/workspace.js';
import { V1ClientError } from '../se-solve/api-client.js';
import { icon } from '../se-solve/icons.js';
import { SessionController, rememberPublicSession } from '../se-solve/session-controller.js';
import {
  SeFileChangeEvent,
  SeFileCreateEvent,
  SeFileDeleteEvent,
  SeFileOpenEvent,
  SeFileRenameEvent,
  SeFileSaveEvent,
  SeScenarioResultEvent,
  SeScenarioStartEvent,
  SeStageEvent,
  SeTerminalEvent,
  SeWorkspaceReadyEvent,
  SeWorkspaceStateEvent,
  type SeScenarioResultDetail,
  type SeTerminalDetail,
  type SeWorkspaceStateName,
} from '../workspace-events.js';
import {
  buildTree,
  languageOfPath,
  LocalEdits,
  stageMarks,
  visibleRows,
  type FileMark,
  type TreeNode,
} from './files.js';
import { styles } from './se-workspace.styles.js';
import type { TerminalSession } from './terminal-session.js';
import { WorkspaceClient } from './workspace-client.js';

export type SeWorkspaceTheme = 'light' | 'dark' | 'auto';
/** `open`: the Terminal tab is selected (and connects) at start; `collapsed`: it is there, unopened; `hidden`: no terminal. */
export type SeWorkspaceTerminal = 'open' | 'collapsed' | 'hidden';
export type SeWorkspaceExplorer = 'shown' | 'hidden';
type PanelTab = 'output' | 'tests' | 'terminal';
/** The tree's name field: a new file or folder in `parent`, or a new name for `target`. */
interface TreeEdit {
  kind: 'file' | 'dir' | 'rename';
  parent: string;
  target: string;
  value: string;
}
type Stage = V1ScenarioResult['stages'][number];

/** How long after the last keystroke a file is saved. */
const SAVE_DELAY = 1000;
/** How long before an unreachable backend is tried again. */
const RETRY_DELAY = 3000;
/** How often a running scenario is asked for its progress when its event stream is not there. */
const POLL_EVERY = 250;

/** One open file: its editor state and what the workspace holds of it. */
interface OpenDoc {
  path: string;
  state: EditorState;
  readOnly: boolean;
  /** the version of the text last read or saved */
  version: string;
  /** the text last read or saved */
  savedText: string;
  saving: boolean;
  conflict: boolean;
  offline: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** deleted from the workspace: never saved again */
  gone?: boolean;
  marks: FileMark[];
  dark: boolean;
}

let counter = 0;

function subjectOf(token: string | null): string {
  const part = token?.split('.')[1];
  if (!part) return '';
  try {
    const payload = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as {
      sub?: unknown;
    };
    return typeof payload.sub === 'string' ? payload.sub : '';
  } catch {
    return '';
  }
}

/**
 * @summary A multi-file project: file tree, editor tabs, build/run/test scenarios, tests report
 * and a terminal, on the learner's own workspace.
 *
 * @description The element talks only to the signing backend's `/v1/workspace` API (`backend`),
 * with a session from the host's server (`token`, with the `workspace` action) or one it asks for
 * a public widget (`widget`). The session's subject has one workspace per widget, created from the
 * widget's project on first use and kept. Each file is saved to the workspace about a second after
 * the last edit, at once before a scenario runs and on `pagehide`, with a check that the file did
 * not change elsewhere meanwhile (a conflict is shown, with "Keep my version" and "Load the saved
 * version"). Until a save succeeds the edit is also kept in `localStorage`, so it survives an
 * unreachable backend and a reload and is sent when the backend is back. A public widget's session
 * is kept in `sessionStorage`, so a reload finds the same workspace.
 *
 * Keyboard: the file tree is a tree widget (Up and Down move, Right opens a folder or enters it,
 * Left closes it or goes to its parent, Home and End, Enter or Space opens a file, F2 renames the
 * focused item and Delete deletes it after a confirmation); the tabs of the open files and of the
 * bottom panel move with Left and Right. Escape then Tab leaves the editor and the terminal. With
 * `terminal-screen-reader` (or the "Screen reader mode" switch in the terminal panel) the
 * terminal runs in xterm's screen reader mode. Scenario results are announced once in a polite
 * live region.
 *
 * Files: the buttons above the tree create a file or a folder (in the focused folder, or beside
 * the focused file), rename and delete the focused item, as `createEntry()`, `renameEntry()` and
 * `deleteEntry()` do. A name field takes the new name (Enter confirms, Escape cancels); a delete
 * asks first. Nothing read-only changes (the widget's and the project's read-only paths, and
 * everything with `readonly`); hidden paths stay hidden. Open files keep their tabs across a
 * rename, after their edits are saved (a rename waits for that and is refused when they cannot
 * be saved); a deleted file's tab closes. A refused change is shown above the tree and fires
 * `se-error`.
 *
 * Scenarios: a run's progress is pushed over the backend's event stream
 * (`GET /v1/workspace/runs/:id/events`, server-sent events read with `fetch`, as `<se-solve>`
 * follows its runs): its status as it changes, each stage once known, then the result. Only when
 * the stream cannot be opened or breaks does the element read the run every 250 ms instead.
 *
 * @tag se-workspace
 *
 * @event {SeWorkspaceReadyEvent} se-ready - The session is up and the workspace open. `detail: {widget, files, scenarios, terminal}`.
 * @event {SeWorkspaceStateEvent} se-state - The save or run state changed. `detail: {state, workspace, unsaved}`; `state` is `connecting`, `saving`, `saved`, `offline`, `conflict`, `running` or `error`.
 * @event {SeFileOpenEvent} se-file-open - A file was opened or its tab selected. `detail: {path, readOnly}`.
 * @event {SeFileChangeEvent} se-file-change - A file's text changed in the editor. `detail: {path, content, byUser}`.
 * @event {SeFileSaveEvent} se-file-save - A file was saved to the workspace. `detail: {path, version}`.
 * @event {SeFileCreateEvent} se-file-create - A file or folder was created. `detail: {path, type}` (`type` is `file` or `dir`).
 * @event {SeFileRenameEvent} se-file-rename - A file or folder was renamed or moved. `detail: {from, to, type}`.
 * @event {SeFileDeleteEvent} se-file-delete - A file, or a folder with what it held, was deleted. `detail: {path, type}`.
 * @event {SeScenarioStartEvent} se-scenario-start - The backend accepted a scenario run. `detail: {scenario, id}`.
 * @event {SeStageEvent} se-stage - A stage of the running scenario is known or changed (once per stage over the event stream). `detail: {scenario, id, stage}`.
 * @event {SeScenarioResultEvent} se-scenario-result - A scenario finished. `detail: {scenario, id, status, score, time, stages, tests}`.
 * @event {SeTerminalEvent} se-terminal - The terminal connected, its shell exited, or it disconnected. `detail: {state, code, reason}`.
 * @event {SeErrorEvent} se-error - A request failed; the widget shows why and keeps the learner's edits. `detail: {code, message, status?, details?}`.
 * @event {SeTokenExpiredEvent} se-token-expired - The session token is ending (`reason: 'expiring'`) or was refused (`'expired'`): set a new `token`.
 *
 * @csspart toolbar - The toolbar: scenario buttons, save state, Reset and Full screen.
 * @csspart scenario-button - Each scenario's button (the default one also has part `default-scenario`).
 * @csspart reset-button - The Reset button.
 * @csspart fullscreen-button - The Full screen button.
 * @csspart save-state - The saved / saving / offline / conflict indicator.
 * @csspart explorer - The file tree's box.
 * @csspart tree - The file tree (`role="tree"`).
 * @csspart file-actions - The New file, New folder, Rename and Delete buttons above the tree.
 * @csspart new-file-button - The New file button.
 * @csspart new-folder-button - The New folder button.
 * @csspart rename-button - The Rename button.
 * @csspart delete-button - The Delete button.
 * @csspart name-form - The name field of a new file or folder or of a rename.
 * @csspart name-field - Its text input.
 * @csspart delete-confirm - The button that confirms a delete.
 * @csspart explorer-message - Why a change of the tree was refused.
 * @csspart tabs - The tabs of the open files.
 * @csspart editor - The box holding the code editor.
 * @csspart panel - The bottom panel (Output, Tests, Terminal).
 * @csspart output - The Output tab's content: each stage's streams.
 * @csspart tests - The tests report table.
 * @csspart terminal - The terminal's box.
 * @csspart screen-reader-button - The terminal's "Screen reader mode" switch (`aria-pressed`).
 * @csspart announcer - The polite live region announcing scenario results.
 * @csspart message - A connection, session or conflict message.
 *
 * @cssproperty [--se-workspace-background=var(--se-color-background, #ffffff)] - Background of the widget.
 * @cssproperty [--se-workspace-foreground=var(--se-color-foreground, #1f2328)] - Text colour.
 * @cssproperty [--se-workspace-muted=var(--se-color-muted, #57606a)] - Secondary text.
 * @cssproperty [--se-workspace-surface=var(--se-color-surface, #f6f8fa)] - Toolbar, tabs and output boxes.
 * @cssproperty [--se-workspace-border-color=var(--se-color-border, #8c959f)] - Borders.
 * @cssproperty [--se-workspace-accent=var(--se-color-accent, #0b57d0)] - The default scenario's button, selected tabs.
 * @cssproperty [--se-workspace-accent-foreground=var(--se-color-accent-foreground, #ffffff)] - Text on accent buttons.
 * @cssproperty [--se-workspace-success=var(--se-color-success, #116329)] - Passed tests, success.
 * @cssproperty [--se-workspace-error=var(--se-color-error, #b3261e)] - Failed tests, errors.
 * @cssproperty [--se-workspace-warning=var(--se-color-warning, #7a4d00)] - Conflicts, offline.
 * @cssproperty [--se-workspace-selected=#dde8fb] - The selected tree item.
 * @cssproperty [--se-workspace-font=var(--se-font-family, system-ui, sans-serif)] - Text font.
 * @cssproperty [--se-workspace-font-mono=var(--se-font-family-mono, ui-monospace, monospace)] - Code, output and terminal font.
 * @cssproperty [--se-workspace-font-size=var(--se-font-size, 1rem)] - Base font size.
 * @cssproperty [--se-workspace-code-font-size=0.9em] - Font size of code and output.
 * @cssproperty [--se-workspace-radius=var(--se-radius, 6px)] - Corner radius.
 * @cssproperty [--se-workspace-height=36rem] - Height of the whole widget.
 * @cssproperty [--se-workspace-explorer-width=14rem] - Width of the file tree.
 * @cssproperty [--se-workspace-panel-height=40%] - Height of the bottom panel.
 * @cssproperty [--se-workspace-focus-ring=2px solid var(--se-workspace-foreground)] - Outline of focused controls.
 * @cssproperty [--se-workspace-code-background=var(--se-color-code-background, #ffffff)] - Editor background.
 * @cssproperty [--se-workspace-code-foreground=var(--se-color-code-foreground, #1f2328)] - Editor text.
 * @cssproperty [--se-workspace-code-gutter-background=#f6f8fa] - Line-number gutter background.
 * @cssproperty [--se-workspace-code-gutter-foreground=#57606a] - Line numbers.
 * @cssproperty [--se-workspace-code-active-line=#eef3fb] - Current line background.
 * @cssproperty [--se-workspace-code-selection=#c8dcfa] - Selection background.
 * @cssproperty [--se-workspace-code-keyword=#8128c8] - Syntax: keywords.
 * @cssproperty [--se-workspace-code-string=#0a3069] - Syntax: strings.
 * @cssproperty [--se-workspace-code-comment=#57606a] - Syntax: comments.
 * @cssproperty [--se-workspace-code-number=#0550ae] - Syntax: numbers and literals.
 * @cssproperty [--se-workspace-code-function=#6639ba] - Syntax: function and definition names.
 * @cssproperty [--se-workspace-code-type=#953800] - Syntax: types and classes.
 * @cssproperty [--se-workspace-code-meta=#a0114d] - Syntax: preprocessor and meta.
 * @cssproperty [--se-workspace-code-invalid=#b3261e] - Syntax: invalid tokens.
 */
export class SeWorkspace extends LitElement {
  static override styles = styles;

  /**
   * Base URL of the signing backend. Default: the origin the element's script was loaded from
   * (for the script-tag bundle, the backend that served it), else the page's origin.
   */
  @property() backend = '';

  /** Id of a public workspace widget declared in the backend's config; the element asks for its session. */
  @property() widget = '';

  /** Session token minted by the host's server (with the `workspace` action); set a new one at any time. */
  @property() token = '';

  /** Colour theme: `light` (default), `dark`, or `auto` (follows the system). */
  @property({ reflect: true }) theme: SeWorkspaceTheme = 'light';

  /** Language of the interface (`en`, `pl`); default: the nearest `lang` attribute, else English. */
  @property() locale = '';

  /** The learner cannot edit files or reset; scenarios and the terminal still work. */
  @property({ type: Boolean, reflect: true }) readonly = false;

  /** The terminal tab: `open` (selected and connected at start), `collapsed` (default: there, opened on demand) or `hidden`. */
  @property() terminal: SeWorkspaceTerminal = 'collapsed';

  /**
   * The terminal in xterm's screen reader mode (its rows mirrored for assistive technology, new
   * output announced). Off by default (the mode costs some speed); the learner can also switch it
   * with the terminal's "Screen reader mode" button.
   */
  @property({ type: Boolean, reflect: true, attribute: 'terminal-screen-reader' })
  terminalScreenReader = false;

  /** The file tree: `shown` (default) or `hidden`. */
  @property() explorer: SeWorkspaceExplorer = 'shown';

  /** The file opened at start (a workspace path); default `main.*`, else the first file. */
  @property({ attribute: 'open-file' }) initialFile = '';

  /** The host's `aria-label`: the widget's own label. */
  @property({ attribute: 'aria-label' }) protected hostLabel: string | null = null;

  @state() private phase: 'connecting' | 'ready' | 'error' = 'connecting';
  @state() private failure: SeErrorDetail | null = null;
  @state() private workspace: V1Workspace | null = null;
  @state() private tabs: string[] = [];
  @state() private active: string | null = null;
  @state() private focusedNode: string | null = null;
  @state() private expanded = new Set<string>();
  @state() private panel: PanelTab = 'output';
  @state() private result: V1ScenarioResult | null = null;
  @state() private running: string | null = null;
  @state() private announcement = '';
  @state() private confirmingReset = false;
  @state() private treeEdit: TreeEdit | null = null;
  @state() private confirmingDelete: string | null = null;
  @state() private treeError = '';
  @state() private treeBusy = false;
  @state() private fullscreen = false;
  @state() private terminalNote = '';
  @state() private terminalLoading = false;
  /** bumped when a document's save state changes, to re-render */
  @state() private saveTick = 0;

  private readonly uid = `sew${++counter}`;
  private readonly session: SessionController;
  /** the session token last kept for a reload (keepSession) */
  private keptToken: string | null = null;
  private apiClient: WorkspaceClient | null = null;
  private docs = new Map<string, OpenDoc>();
  private loading = new Map<string, Promise<OpenDoc>>();
  private view: EditorView | null = null;
  /** the file the view shows */
  private viewPath: string | null = null;
  private readonly language = new Compartment();
  private readonly readOnlyC = new Compartment();
  private readonly themeC = new Compartment();
  private readonly labelC = new Compartment();
  private readonly gutter = new Compartment();
  private local: LocalEdits | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private term: TerminalSession | null = null;
  private termLoad: Promise<TerminalSession | null> | null = null;
  private lastState: string = '';
  private openAbort = new AbortController();
  private runAbort: AbortController | null = null;
  private started = false;
  private readonly onPageHide = () => this.persistAll();
  private readonly onOnline = () => void this.retrySaves();
  private readonly onFullscreen = () => {
    this.fullscreen = document.fullscreenElement === this;
  };

  constructor() {
    super();
    this.session = new SessionController(this, {
      client: () => this.client(),
      expired: (detail) => this.dispatchEvent(new SeTokenExpiredEvent(detail)),
    });
  }

  private get m(): WorkspaceMessages {
    const lang = this.locale || this.closest('[lang]')?.getAttribute('lang') || '';
    return workspaceMessagesFor(lang);
  }

  private client(): WorkspaceClient {
    const base = backendBase(this.backend);
    if (!this.apiClient || this.apiClient.backend !== base)
      this.apiClient = new WorkspaceClient(base);
    return this.apiClient;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('pagehide', this.onPageHide);
    window.addEventListener('online', this.onOnline);
    document.addEventListener('fullscreenchange', this.onFullscreen);
    // Opened after the first render (not inside an update: it changes the element's state).
    void this.updateComplete.then(() => {
      if (this.started || !this.isConnected) return;
      this.started = true;
      void this.start();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.persistAll();
    window.removeEventListener('pagehide', this.onPageHide);
    window.removeEventListener('online', this.onOnline);
    document.removeEventListener('fullscreenchange', this.onFullscreen);
    this.openAbort.abort();
    this.runAbort?.abort();
    this.runAbort = null;
    clearTimeout(this.retryTimer);
    for (const d of this.docs.values()) clearTimeout(d.timer);
    this.term?.dispose();
    this.term = null;
    this.termLoad = null;
    this.view?.destroy();
    this.view = null;
    this.viewPath = null;
    this.started = false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('widget') || changed.has('token') || changed.has('backend')) {
      this.session.configure(this.widget || null, this.token || null);
      if (this.started && (changed.has('widget') || changed.has('backend'))) this.restart();
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('theme')) this.applyTheme();
    if (changed.has('readonly')) this.applyReadOnly();
    if (changed.has('terminalScreenReader') && this.term)
      this.term.term.options.screenReaderMode = this.terminalScreenReader;
    // A removed element still renders when a late answer changes its state: it makes no editor.
    if (this.isConnected) this.mountEditor();
    // A renewed public session is what a reload must find (the old token ends, and a new session
    // would be a new learner with a new workspace).
    if (this.workspace && this.session.token !== this.keptToken) this.keepSession();
  }

  // ---- opening -------------------------------------------------------------------------------

  private restart(): void {
    this.openAbort.abort();
    for (const d of this.docs.values()) clearTimeout(d.timer);
    this.view?.destroy();
    this.view = null;
    this.viewPath = null;
    this.docs.clear();
    this.tabs = [];
    this.active = null;
    this.workspace = null;
    this.term?.dispose();
    this.term = null;
    this.termLoad = null;
    void this.start();
  }

  /** Calls the backend with a token, renewing it once when refused. */
  private async call<T>(fn: (token: string) => Promise<T>): Promise<T> {
    const token = await this.session.ensure();
    try {
      return await fn(token);
    } catch (err) {
      if (
        err instanceof V1ClientError &&
        (err.code === 'unauthorized' || err.code === 'token_expired')
      )
        return fn(await this.session.recover());
      throw err;
    }
  }

  private sessionKey(): string {
    return `se-workspace-session:${this.client().backend}|${this.widget}`;
  }

  private async start(): Promise<void> {
    this.openAbort = new AbortController();
    const signal = this.openAbort.signal;
    this.phase = 'connecting';
    this.failure = null;
    this.emitState();
    if (!this.session.configured) {
      this.fail({ code: 'not_configured', message: this.m.notConfigured });
      return;
    }
    if (!this.token && this.widget) {
      try {
        const kept = JSON.parse(sessionStorage.getItem(this.sessionKey()) ?? 'null') as {
          token: string;
          expiresAt: string;
          widget: NonNullable<SessionController['widget']>;
        } | null;
        if (kept?.token) rememberPublicSession(this.client().backend, this.widget, kept);
      } catch {
        // no storage
      }
    }
    let ws: V1Workspace;
    try {
      ws = await this.call((t) => this.client().open(t, signal));
    } catch (err) {
      if (signal.aborted) return;
      this.fail(this.errorOf(err));
      return;
    }
    if (signal.aborted) return;
    this.keepSession();
    const sub = subjectOf(this.session.token);
    this.local = new LocalEdits(
      `se-workspace:${this.client().backend}|${this.widget || this.session.widget?.id || ''}|${sub}`,
    );
    this.workspace = ws;
    this.phase = 'ready';
    this.panel = this.terminal === 'open' && this.terminalOn ? 'terminal' : 'output';
    const first =
      this.initialFile && ws.files.some((f) => f.path === this.initialFile && f.type === 'file')
        ? this.initialFile
        : (ws.files.find((f) => f.type === 'file' && /^main\.[^/]+$/.test(f.path))?.path ??
          ws.files.find((f) => f.type === 'file')?.path ??
          null);
    // Folders on the way to the first file start open.
    if (first) {
      const parts = first.split('/');
      for (let i = 1; i < parts.length; i++) this.expanded.add(parts.slice(0, i).join('/'));
      this.focusedNode = first;
    } else this.focusedNode = ws.files[0]?.path ?? null;
    await this.restoreLocal();
    if (first) await this.openFile(first).catch(() => undefined);
    if (signal.aborted) return;
    this.dispatchEvent(
      new SeWorkspaceReadyEvent({
        widget: this.session.widget,
        files: ws.files,
        scenarios: ws.scenarios,
        terminal: this.terminalOn,
      }),
    );
    this.emitState();
    if (this.panel === 'terminal') void this.openTerminal();
  }

  private keepSession(): void {
    this.keptToken = this.session.token;
    if (this.token || !this.widget || !this.session.token || !this.session.widget) return;
    try {
      sessionStorage.setItem(
        this.sessionKey(),
        JSON.stringify({
          token: this.session.token,
          expiresAt: new Date(this.session.expiresAt ?? Date.now()).toISOString(),
          widget: this.session.widget,
        }),
      );
    } catch {
      // no storage
    }
  }

  /** Edits kept in this browser and never confirmed saved: put back and sent again. */
  private async restoreLocal(): Promise<void> {
    const kept = this.local?.all() ?? {};
    for (const [path, edit] of Object.entries(kept)) {
      if (!this.workspace?.files.some((f) => f.path === path && f.type === 'file')) {
        this.local?.delete(path);
        continue;
      }
      try {
        const doc = await this.loadDoc(path);
        if (docText(doc) === edit.content) {
          this.local?.delete(path);
          continue;
        }
        if (edit.base) doc.version = edit.base;
        this.replaceText(doc, edit.content);
        this.scheduleSave(doc, 0);
      } catch {
        // the file is not readable now; the edit stays kept
      }
    }
  }

  private fail(detail: SeErrorDetail): void {
    this.phase = 'error';
    this.failure = detail;
    this.dispatchEvent(new SeErrorEvent(detail));
    this.emitState();
  }

  private errorOf(err: unknown): SeErrorDetail {
    if (err instanceof V1ClientError)
      return {
        code: err.code,
        message: err.message,
        ...(err.status !== undefined ? { status: err.status } : {}),
        ...(Object.keys(err.details).length ? { details: err.details } : {}),
      };
    return { code: 'network', message: err instanceof Error ? err.message : String(err) };
  }

  private get terminalOn(): boolean {
    return this.terminal !== 'hidden' && Boolean(this.workspace?.terminal);
  }

  // ---- documents -----------------------------------------------------------------------------

  private extensions(path: string, readOnly: boolean): Extension[] {
    return [
      basicSetup(),
      // The open file's state follows the view's (selection, history, diagnostics included).
      EditorView.updateListener.of((u) => {
        const d = this.docs.get(path);
        if (d && this.viewPath === path && this.view === u.view) d.state = u.state;
      }),
      changeListener((text, byUser) => this.edited(path, text, byUser)),
      this.language.of([]),
      this.readOnlyC.of(readOnlyExt(readOnly || this.readonly)),
      this.themeC.of(editorTheme(this.isDark)),
      this.labelC.of(contentLabel(this.m.editorLabel(path), `${this.uid}-hint`)),
      // Explicitly in the tab order: the scroller around it holds a keyboard-reachable element.
      EditorView.contentAttributes.of({ tabindex: '0' }),
      this.gutter.of([]),
    ];
  }

  private get isDark(): boolean {
    return (
      this.theme === 'dark' ||
      (this.theme === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches)
    );
  }

  /** The open document of a path, reading the file first when it is not open. */
  private loadDoc(path: string): Promise<OpenDoc> {
    const open = this.docs.get(path);
    if (open) return Promise.resolve(open);
    let p = this.loading.get(path);
    if (!p) {
      p = this.call((t) => this.client().read(t, path))
        .then((f) => this.adoptFile(f))
        .finally(() => this.loading.delete(path));
      this.loading.set(path, p);
    }
    return p;
  }

  private adoptFile(f: V1File): OpenDoc {
    const doc: OpenDoc = {
      path: f.path,
      state: EditorState.create({
        doc: f.content,
        extensions: this.extensions(f.path, f.readOnly),
      }),
      readOnly: f.readOnly,
      version: f.version,
      savedText: f.content,
      saving: false,
      conflict: false,
      offline: false,
      timer: undefined,
      marks: [],
      dark: this.isDark,
    };
    this.docs.set(f.path, doc);
    void loadLanguage(languageOfPath(f.path)).then((ext) => {
      const d = this.docs.get(f.path);
      if (d !== doc) return;
      const effects = this.language.reconfigure(ext);
      if (this.view && this.viewPath === f.path) this.view.dispatch({ effects });
      else doc.state = doc.state.update({ effects }).state;
    });
    return doc;
  }

  /** Replaces a document's text as the element (not a learner's keystroke). */
  private replaceText(doc: OpenDoc, text: string): void {
    if (docText(doc) === text) return;
    const changes = { from: 0, to: doc.state.doc.length, insert: text };
    if (this.view && this.viewPath === doc.path) {
      this.view.dispatch({ changes });
      doc.state = this.view.state;
    } else {
      doc.state = doc.state.update({ changes }).state;
      this.edited(doc.path, text, false);
    }
  }

  private edited(path: string, text: string, byUser: boolean): void {
    const doc = this.docs.get(path);
    if (!doc) return;
    if (this.view && this.viewPath === path) doc.state = this.view.state;
    this.dispatchEvent(new SeFileChangeEvent({ path, content: text, byUser }));
    if (text !== doc.savedText) this.local?.set(path, { content: text, base: doc.version || null });
    this.scheduleSave(doc, SAVE_DELAY);
    this.saveTick++;
  }

  private scheduleSave(doc: OpenDoc, delay: number): void {
    clearTimeout(doc.timer);
    doc.timer = setTimeout(() => void this.save(doc), delay);
    this.emitState();
  }

  /** Saves a document now (when it has unsaved changes); resolves when done or failed. */
  private async save(doc: OpenDoc, overwrite = false): Promise<void> {
    clearTimeout(doc.timer);
    doc.timer = undefined;
    if (doc.saving || (doc.conflict && !overwrite) || doc.readOnly || doc.gone) return;
    const text = docText(doc);
    if (text === doc.savedText && !overwrite) {
      this.local?.delete(doc.path);
      this.emitState();
      return;
    }
    doc.saving = true;
    this.saveTick++;
    this.emitState();
    try {
      const f = await this.call((t) =>
        this.client().write(t, doc.path, text, overwrite ? undefined : doc.version || undefined),
      );
      doc.version = f.version;
      doc.savedText = text;
      doc.offline = false;
      doc.conflict = false;
      if (docText(doc) === text) this.local?.delete(doc.path);
      this.dispatchEvent(new SeFileSaveEvent({ path: doc.path, version: f.version }));
    } catch (err) {
      const detail = this.errorOf(err);
      if (detail.code === 'network') {
        doc.offline = true;
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => void this.retrySaves(), RETRY_DELAY);
      } else if (detail.code === 'conflict') {
        doc.conflict = true;
        this.announcement = this.m.conflict(doc.path);
        this.dispatchEvent(new SeErrorEvent(detail));
      } else {
        this.dispatchEvent(new SeErrorEvent(detail));
      }
    } finally {
      doc.saving = false;
      this.saveTick++;
      if (
        this.docs.get(doc.path) === doc &&
        !doc.conflict &&
        !doc.offline &&
        docText(doc) !== doc.savedText
      )
        this.scheduleSave(doc, SAVE_DELAY);
      this.emitState();
    }
  }

  private async retrySaves(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.phase === 'error' && this.failure?.code === 'network') {
      this.restart();
      return;
    }
    for (const doc of this.docs.values())
      if (doc.offline) {
        doc.offline = false;
        await this.save(doc);
      }
  }

  /** Keeps every unsaved edit in this browser; with `send`, also tries a last save. */
  private persistAll(): void {
    for (const doc of this.docs.values()) {
      const text = docText(doc);
      if (text === doc.savedText) continue;
      this.local?.set(doc.path, { content: text, base: doc.version || null });
      if (!doc.saving && !doc.conflict && this.session.token && !doc.readOnly) {
        // keepalive lets the request outlive the page.
        const body: Record<string, string> = { path: doc.path, content: text };
        if (doc.version) body.baseVersion = doc.version;
        try {
          void fetch(new URL('v1/workspace/file', this.client().backend.replace(/\/?$/, '/')), {
            method: 'PUT',
            keepalive: text.length < 60_000,
            headers: {
              'Content-Type': 'application/json',
              Authorization: `Bearer ${this.session.token}`,
            },
            body: JSON.stringify(body),
            credentials: 'omit',
            referrerPolicy: 'no-referrer',
          }).catch(() => undefined);
        } catch {
          // kept locally
        }
      }
    }
  }

  private get saveState(): SeWorkspaceStateName {
    if (this.phase === 'connecting') return 'connecting';
    if (this.phase === 'error') return 'error';
    const docs = [...this.docs.values()];
    if (docs.some((d) => d.conflict)) return 'conflict';
    if (docs.some((d) => d.offline)) return 'offline';
    if (docs.some((d) => d.saving || d.timer !== undefined)) return 'saving';
    if (this.running) return 'running';
    return docs.some((d) => docText(d) !== d.savedText) ? 'saving' : 'saved';
  }

  private unsaved(): string[] {
    return [...this.docs.values()].filter((d) => docText(d) !== d.savedText).map((d) => d.path);
  }

  private emitState(): void {
    const s = this.saveState;
    const unsaved = this.unsaved();
    const key = `${s}|${unsaved.join(',')}`;
    if (key === this.lastState) return;
    this.lastState = key;
    this.requestUpdate();
    this.dispatchEvent(
      new SeWorkspaceStateEvent({
        state: s,
        workspace: this.workspace?.state ?? null,
        unsaved,
      }),
    );
  }

  // ---- editor --------------------------------------------------------------------------------

  private mountEditor(): void {
    const box = this.renderRoot.querySelector<HTMLElement>('.editor-box');
    if (!box) {
      if (this.view) {
        this.view.destroy();
        this.view = null;
        this.viewPath = null;
      }
      return;
    }
    const doc = this.active ? this.docs.get(this.active) : undefined;
    if (!doc) return;
    if (!this.view || !box.contains(this.view.dom)) {
      this.view?.destroy();
      this.view = new EditorView({
        parent: box,
        root: this.shadowRoot ?? document,
        state: doc.state,
      });
      this.viewPath = doc.path;
      void this.applyMarks(doc);
    } else if (this.viewPath !== doc.path) {
      // The old file's state is current (the update listener keeps it); the view takes the new one.
      this.view.setState(doc.state);
      this.viewPath = doc.path;
      void this.applyMarks(doc);
    }
    if (doc.dark !== this.isDark) {
      doc.dark = this.isDark;
      this.view.dispatch({ effects: this.themeC.reconfigure(editorTheme(doc.dark)) });
      doc.state = this.view.state;
    }
  }

  private async applyMarks(doc: OpenDoc): Promise<void> {
    const view = this.view;
    if (!view || this.viewPath !== doc.path) return;
    await showDiagnostics(
      view,
      this.gutter,
      doc.marks,
      () => this.view === view && this.viewPath === doc.path,
    );
  }

  private applyTheme(): void {
    if (this.term) this.term.term.options.theme = this.terminalTheme();
  }

  private terminalTheme() {
    return this.isDark
      ? { background: '#1e1f22', foreground: '#e8eaed', cursor: '#e8eaed' }
      : { background: '#ffffff', foreground: '#1f2328', cursor: '#1f2328' };
  }

  private applyReadOnly(): void {
    for (const doc of this.docs.values()) {
      const effects = this.readOnlyC.reconfigure(readOnlyExt(doc.readOnly || this.readonly));
      if (this.view && this.viewPath === doc.path) {
        this.view.dispatch({ effects });
        doc.state = this.view.state;
      } else doc.state = doc.state.update({ effects }).state;
    }
  }

  // ---- public API ----------------------------------------------------------------------------

  /** Opens a file in a tab (reading it from the workspace when needed) and selects its tab. */
  async openFile(path: string): Promise<void> {
    if (this.view && this.active) {
      const cur = this.docs.get(this.active);
      if (cur) cur.state = this.view.state;
    }
    let doc: OpenDoc;
    try {
      doc = await this.loadDoc(path);
    } catch (err) {
      this.dispatchEvent(new SeErrorEvent(this.errorOf(err)));
      throw err;
    }
    if (!this.tabs.includes(path)) this.tabs = [...this.tabs, path];
    this.active = path;
    this.focusedNode = path;
    await this.updateComplete;
    this.dispatchEvent(new SeFileOpenEvent({ path, readOnly: doc.readOnly }));
  }

  /** The text of a file: the editor's, when it is open (saved or not), else the workspace's. */
  async getFileContent(path: string): Promise<string> {
    const doc = this.docs.get(path);
    if (doc) return docText(doc);
    const f = await this.call((t) => this.client().read(t, path));
    return f.content;
  }

  /** Replaces a file's text (opening it in the background when needed); saved like an edit. */
  async setFileContent(path: string, text: string): Promise<void> {
    const doc = await this.loadDoc(path);
    this.replaceText(doc, text);
  }

  /** The stdout (`stdout` or `output`) or stderr (`stderr` or `error`) of a stage of the last scenario run. */
  getStageStream(stage: string, stream: 'stdout' | 'stderr' | 'output' | 'error'): string | null {
    const s = this.result?.stages.find((x) => x.name === stage);
    if (!s) return null;
    return stream === 'stderr' || stream === 'error' ? s.error : s.output;
  }

  /** Saves every file with unsaved changes now; resolves when each save is done or failed. */
  async flush(): Promise<void> {
    await Promise.all([...this.loading.values()].map((p) => p.catch(() => undefined)));
    await Promise.all([...this.docs.values()].map((d) => this.save(d)));
  }

  /**
   * Runs a scenario (default: the widget's default one), after saving every file; resolves with
   * its result (also sent as `se-scenario-result`), or null when it could not run.
   */
  async runScenario(name?: string): Promise<SeScenarioResultDetail | null> {
    if (this.running) return null;
    const scenario = name ?? this.workspace?.scenarios.find((s) => s.default)?.name;
    this.running = scenario ?? '';
    this.announcement = '';
    this.emitState();
    try {
      await this.flush();
      const { id } = await this.call((t) => this.client().startScenario(t, scenario));
      const label = scenario ?? '';
      this.dispatchEvent(new SeScenarioStartEvent({ scenario: label, id }));
      const r = await this.follow(id, label);
      const detail: SeScenarioResultDetail = {
        scenario: r.scenario,
        id: r.id,
        status: r.status,
        score: r.score,
        time: r.time,
        stages: r.stages,
        tests: r.tests,
      };
      this.markErrors(r.stages);
      if (r.tests && r.tests.length) this.panel = 'tests';
      else if (this.panel !== 'terminal' || r.status.code !== Status.Accepted)
        this.panel = 'output';
      this.announcement = this.resultWords(r);
      this.dispatchEvent(new SeScenarioResultEvent(detail));
      return detail;
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'AbortError'))
        this.dispatchEvent(new SeErrorEvent(this.errorOf(err)));
      return null;
    } finally {
      this.running = null;
      this.emitState();
    }
  }

  /**
   * A scenario run to its end: pushed over the backend's event stream; read every 250 ms only
   * when the stream cannot be opened or breaks. Each stage's change fires `se-stage` once.
   */
  private async follow(id: string, label: string): Promise<V1ScenarioResult> {
    this.runAbort?.abort();
    const abort = new AbortController();
    this.runAbort = abort;
    const signal = abort.signal;
    const seen = new Map<string, string>();
    const stageSeen = (scenario: string, stage: Stage) => {
      const sig = `${stage.skipped}|${stage.exitCode}|${stage.output.length}|${stage.error.length}`;
      if (seen.get(stage.name) === sig) return;
      seen.set(stage.name, sig);
      this.dispatchEvent(new SeStageEvent({ scenario, id, stage }));
    };
    const gone = () => new DOMException('The element was removed.', 'AbortError');
    try {
      const token = await this.session.ensure();
      let progress: V1ScenarioResult = {
        id,
        scenario: label,
        executing: true,
        status: { code: 0, name: 'waiting' },
        score: 0,
        time: 0,
        stages: [],
        tests: null,
      };
      for await (const ev of this.client().scenarioEvents(token, id, signal)) {
        this.scenarioTransport = 'events';
        if (ev.type === 'status') {
          progress = { ...progress, executing: ev.data.executing, status: ev.data.status };
          this.result = progress;
        } else if (ev.type === 'stage') {
          const stages = progress.stages.filter((x) => x.name !== ev.data.stage.name);
          progress = {
            ...progress,
            scenario: ev.data.scenario,
            stages: [...stages, ev.data.stage],
          };
          this.result = progress;
          stageSeen(ev.data.scenario, ev.data.stage);
        } else {
          this.result = ev.data;
          for (const stage of ev.data.stages) stageSeen(ev.data.scenario, stage);
          return ev.data;
        }
      }
    } catch (err) {
      if (signal.aborted) throw gone();
      // A refusal of the session or of the run is final; anything else (an older backend, a
      // proxy that does not pass streams, a dropped connection) falls back to reading the run.
      if (
        err instanceof V1ClientError &&
        ['token_expired', 'unauthorized', 'forbidden'].includes(err.code)
      )
        throw err;
    }
    this.scenarioTransport = 'polling';
    for (;;) {
      if (signal.aborted) throw gone();
      const r = await this.call((t) => this.client().scenarioResult(t, id, signal));
      this.result = r;
      for (const stage of r.stages) stageSeen(r.scenario, stage);
      if (!r.executing) return r;
      await new Promise((res) => setTimeout(res, POLL_EVERY));
    }
  }

  /**
   * How the last scenario run was followed: `events` (pushed) or `polling` (the fallback).
   * @internal
   */
  scenarioTransport: 'events' | 'polling' | null = null;

  /**
   * Puts one file (or, without a path, the whole workspace) back to the project's template. The
   * learner's edits of those files are dropped.
   */
  async reset(path?: string): Promise<void> {
    const ws = await this.call((t) => this.client().reset(t, path));
    this.workspace = ws;
    const affected = [...this.docs.values()].filter(
      (d) => path === undefined || d.path === path || d.path.startsWith(`${path}/`),
    );
    for (const doc of affected) {
      clearTimeout(doc.timer);
      doc.timer = undefined;
      this.local?.delete(doc.path);
      if (!ws.files.some((f) => f.path === doc.path)) {
        this.closeTab(doc.path);
        this.docs.delete(doc.path);
        continue;
      }
      const f = await this.call((t) => this.client().read(t, doc.path));
      doc.version = f.version;
      doc.savedText = f.content;
      doc.conflict = false;
      doc.offline = false;
      this.replaceText(doc, f.content);
      clearTimeout(doc.timer);
      doc.timer = undefined;
    }
    if (path === undefined) this.local?.clear();
    this.saveTick++;
    this.emitState();
  }

  /**
   * Creates an empty file or a folder (its folder must exist); a new file opens in a tab. Rejects
   * (after `se-error`) when the widget's policy, `readonly` or the backend refuses.
   */
  createEntry(path: string, type: 'file' | 'dir' = 'file'): Promise<void> {
    return this.reported(async () => {
      this.refuseChange(path, false);
      await this.call((t) => this.client().createEntry(t, path, type));
      await this.refreshTree();
      this.revealPath(path);
      this.announcement = this.m.created(path);
      this.dispatchEvent(new SeFileCreateEvent({ path, type }));
      if (type === 'file') await this.openFile(path).catch(() => undefined);
    });
  }

  /**
   * Renames or moves a file or folder. Its open files are saved first (the rename is refused
   * while an edit of them cannot be saved, so nothing is lost) and keep their tabs.
   */
  renameEntry(from: string, to: string): Promise<void> {
    return this.reported(async () => {
      this.refuseChange(from, true);
      this.refuseChange(to, false);
      const type = this.entryType(from);
      const affected = this.docsUnder(from);
      await Promise.all(affected.map((d) => this.settle(d)));
      const dirty = affected.find((d) => d.conflict || d.offline || docText(d) !== d.savedText);
      if (dirty) throw this.refusal({ code: 'conflict', message: this.m.unsavedFirst(dirty.path) });
      await this.call((t) => this.client().rename(t, from, to));
      const moved = (p: string) => (p === from ? to : `${to}${p.slice(from.length)}`);
      for (const d of affected) this.dropDoc(d);
      const wasActive = this.active;
      this.tabs = this.tabs.map((p) => (under(p, from) ? moved(p) : p));
      if (wasActive && under(wasActive, from)) this.active = null;
      const expanded = new Set<string>();
      for (const p of this.expanded) expanded.add(under(p, from) ? moved(p) : p);
      this.expanded = expanded;
      await this.refreshTree();
      this.revealPath(to);
      this.announcement = this.m.renamed(from, to);
      this.dispatchEvent(new SeFileRenameEvent({ from, to, type }));
      if (wasActive && under(wasActive, from))
        await this.openFile(moved(wasActive)).catch(() => undefined);
    });
  }

  /** Deletes a file, or a folder with what it holds; their tabs close and their edits are dropped. */
  deleteEntry(path: string): Promise<void> {
    return this.reported(async () => {
      this.refuseChange(path, true);
      const type = this.entryType(path);
      const affected = this.docsUnder(path);
      // No autosave may land after the delete (it would bring the file back).
      for (const d of affected) {
        clearTimeout(d.timer);
        d.timer = undefined;
        d.gone = true;
      }
      try {
        await Promise.all(affected.map((d) => this.settle(d)));
        await this.call((t) => this.client().remove(t, path));
      } catch (err) {
        for (const d of affected) {
          d.gone = false;
          if (docText(d) !== d.savedText) this.scheduleSave(d, 0);
        }
        throw err;
      }
      const rows = visibleRows(buildTree(this.workspace?.files ?? []), this.expanded);
      const i = rows.findIndex((r) => r.path === path);
      const after = rows.slice(i + 1).find((r) => !under(r.path, path)) ?? rows[i - 1];
      for (const d of affected) {
        this.dropDoc(d);
        this.local?.delete(d.path);
      }
      const tabs = this.tabs.filter((p) => !under(p, path));
      const wasActive = this.active;
      const at = wasActive ? this.tabs.indexOf(wasActive) : -1;
      this.tabs = tabs;
      if (wasActive && under(wasActive, path)) {
        this.active = null;
        const next = tabs[Math.min(at, tabs.length - 1)];
        if (next) void this.openFile(next).catch(() => undefined);
      }
      await this.refreshTree();
      if (after) this.focusedNode = after.path;
      this.announcement = this.m.deleted(path);
      this.dispatchEvent(new SeFileDeleteEvent({ path, type }));
    });
  }

  /** Focuses the editor of the open file, else the file tree. */
  override focus(options?: FocusOptions): void {
    if (this.view) {
      this.view.focus();
      return;
    }
    const item = this.renderRoot.querySelector<HTMLElement>('[role="treeitem"][tabindex="0"]');
    if (item) item.focus(options);
    else super.focus(options);
  }

  // ---- diagnostics ---------------------------------------------------------------------------

  private markErrors(stages: readonly Stage[]): void {
    const files = (this.workspace?.files ?? []).filter((f) => f.type === 'file').map((f) => f.path);
    const marks: FileMark[] = [];
    for (const s of stages)
      if (s.name === 'build' || s.name === 'run')
        marks.push(...stageMarks(`${s.output}\n${s.error}`, files));
    const byPath = new Map<string, FileMark[]>();
    for (const m of marks) byPath.set(m.path, [...(byPath.get(m.path) ?? []), m]);
    for (const doc of this.docs.values()) {
      doc.marks = byPath.get(doc.path) ?? [];
      void this.applyMarks(doc);
    }
    // Marked files not open yet get their marks when opened.
    for (const [path, list] of byPath)
      if (!this.docs.has(path))
        void this.loadDoc(path).then((d) => {
          d.marks = list;
        });
  }

  private resultWords(r: V1ScenarioResult): string {
    const status = scenarioStatusText(this.m, r.status.code);
    let words = this.m.result(this.m.scenario(r.scenario), status);
    if (r.tests?.length) {
      const passed = r.tests.filter((t) => t.status === 'ok').length;
      words += ` ${this.m.testsSummary(passed, r.tests.length)}`;
    }
    return words;
  }

  // ---- terminal ------------------------------------------------------------------------------

  private async openTerminal(): Promise<TerminalSession | null> {
    if (!this.terminalOn) return null;
    if (this.term) {
      this.term.fitNow();
      if (!this.term.connected) void this.term.connect();
      return this.term;
    }
    if (this.termLoad) return this.termLoad;
    this.terminalLoading = true;
    this.termLoad = (async () => {
      const { TerminalSession } = await import('./terminal-session.js');
      await this.updateComplete;
      const box = this.renderRoot.querySelector<HTMLElement>('.terminal-box');
      if (!box || !this.isConnected) return null;
      const t = new TerminalSession(box, {
        label: this.m.terminalLabel,
        dark: this.isDark,
        screenReader: this.terminalScreenReader,
        connect: async () => {
          const ticket = await this.call((tok) => this.client().terminalTicket(tok));
          return { url: this.client().socketUrl(ticket.path), ticket: ticket.ticket };
        },
        report: (d) => this.terminalReport(d),
      });
      this.term = t;
      this.terminalLoading = false;
      await t.connect();
      return t;
    })().catch((err: unknown) => {
      this.terminalLoading = false;
      this.termLoad = null;
      this.dispatchEvent(new SeErrorEvent(this.errorOf(err)));
      return null;
    });
    return this.termLoad;
  }

  private terminalReport(d: SeTerminalDetail): void {
    if (d.state === 'open') this.terminalNote = '';
    else if (d.state === 'closed')
      this.terminalNote =
        d.code === 4008
          ? this.m.terminalTakenOver
          : d.code === 4009
            ? this.m.terminalGone
            : this.m.terminalClosed;
    this.dispatchEvent(new SeTerminalEvent(d));
  }

  /**
   * The terminal's text (its buffer, lines joined), or null before it was opened.
   * @internal
   */
  terminalText(): string | null {
    return this.term?.text() ?? null;
  }

  /**
   * Types into the terminal as the learner would (opening it first).
   * @internal
   */
  async terminalInput(text: string): Promise<void> {
    this.panel = 'terminal';
    const t = await this.openTerminal();
    t?.input(text);
  }

  // ---- file tree changes ---------------------------------------------------------------------

  private entryType(path: string): 'file' | 'dir' {
    return this.workspace?.files.find((f) => f.path === path)?.type ?? 'file';
  }

  private docsUnder(path: string): OpenDoc[] {
    return [...this.docs.values()].filter((d) => under(d.path, path));
  }

  /** Resolves when a document has no save in flight or waiting (saving what waits now). */
  private async settle(doc: OpenDoc): Promise<void> {
    if (doc.timer !== undefined && !doc.gone) await this.save(doc);
    while (doc.saving) await new Promise((r) => setTimeout(r, 25));
  }

  /** Forgets an open document (its view too); its tab is the caller's. */
  private dropDoc(doc: OpenDoc): void {
    clearTimeout(doc.timer);
    doc.timer = undefined;
    if (this.docs.get(doc.path) === doc) this.docs.delete(doc.path);
    if (this.viewPath === doc.path) {
      this.view?.destroy();
      this.view = null;
      this.viewPath = null;
    }
    this.saveTick++;
  }

  private async refreshTree(): Promise<void> {
    this.workspace = await this.call((t) => this.client().open(t));
    this.emitState();
  }

  /** Opens the folders on the way to a path and makes it the tree's focused item. */
  private revealPath(path: string): void {
    const parts = path.split('/');
    const expanded = new Set(this.expanded);
    for (let i = 1; i < parts.length; i++) expanded.add(parts.slice(0, i).join('/'));
    this.expanded = expanded;
    this.focusedNode = path;
  }

  /** Runs a change; a failure the backend answered or the network caused fires `se-error`. */
  private async reported(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (!(err as { detail?: unknown }).detail)
        this.dispatchEvent(new SeErrorEvent(this.errorOf(err)));
      throw err;
    }
  }

  private refusal(detail: SeErrorDetail): Error {
    this.dispatchEvent(new SeErrorEvent(detail));
    return Object.assign(new Error(detail.message), { detail });
  }

  /** Throws (after `se-error`) when `readonly` or a read-only mark forbids changing a path. */
  private refuseChange(path: string, existing: boolean): void {
    const readOnly =
      this.readonly ||
      (this.workspace?.files ?? []).some(
        (f) => f.readOnly && (under(path, f.path) || (existing && under(f.path, path))),
      );
    if (readOnly) throw this.refusal({ code: 'forbidden', message: this.m.notChangeable(path) });
    if (!validPath(path)) throw this.refusal({ code: 'bad_request', message: this.m.nameInvalid });
  }

  /** The words shown in the tree for a failed change. */
  private changeWords(err: unknown, path: string, making: boolean): string {
    const d = (err as { detail?: SeErrorDetail }).detail ?? this.errorOf(err);
    if (err instanceof V1ClientError) {
      if (d.code === 'conflict') return this.m.nameTaken(path);
      if (d.code === 'not_found') return making ? this.m.noFolder(path) : this.m.notFound(path);
      if (d.code === 'forbidden') return this.m.notChangeable(path);
      if (d.code === 'network') return this.m.unreachable;
      return this.m.changeFailed;
    }
    return d.code === 'network' ? this.m.unreachable : d.message;
  }

  private startTreeEdit(kind: TreeEdit['kind']): void {
    const node = this.focusedEntry();
    this.confirmingDelete = null;
    this.treeError = '';
    if (kind === 'rename') {
      if (!node) return;
      this.treeEdit = {
        kind,
        parent: parentOf(node.path),
        target: node.path,
        value: node.path.slice(node.path.lastIndexOf('/') + 1),
      };
    } else {
      const parent = !node ? '' : node.type === 'dir' ? node.path : parentOf(node.path);
      if (parent) this.expanded = new Set([...this.expanded, parent]);
      this.treeEdit = { kind, parent, target: '', value: '' };
    }
    void this.updateComplete.then(() => {
      const input = this.renderRoot.querySelector<HTMLInputElement>('.tree-form input');
      input?.focus();
      input?.select();
    });
  }

  private focusedEntry(): V1FileEntry | undefined {
    return this.workspace?.files.find((f) => f.path === this.focusedNode);
  }

  /** Puts the focus back on the tree's focused item. */
  private focusTree(): void {
    void this.updateComplete.then(() => {
      const path = this.focusedNode;
      const item =
        (path &&
          this.renderRoot.querySelector<HTMLElement>(
            `[role="treeitem"][data-path="${CSS.escape(path)}"]`,
          )) ||
        this.renderRoot.querySelector<HTMLElement>('[role="treeitem"][tabindex="0"]');
      item?.focus();
    });
  }

  private cancelTreeEdit(): void {
    this.treeEdit = null;
    this.confirmingDelete = null;
    this.focusTree();
  }

  private async submitTreeEdit(): Promise<void> {
    const edit = this.treeEdit;
    if (!edit || this.treeBusy) return;
    const name = edit.value.trim();
    const path = edit.parent ? `${edit.parent}/${name}` : name;
    if (!validPath(name)) {
      this.treeError = this.m.nameInvalid;
      return;
    }
    if (edit.kind === 'rename' && path === edit.target) {
      this.cancelTreeEdit();
      return;
    }
    this.treeBusy = true;
    this.treeError = '';
    try {
      if (edit.kind === 'rename') await this.renameEntry(edit.target, path);
      else await this.createEntry(path, edit.kind);
      this.treeEdit = null;
      this.focusTree();
    } catch (err) {
      // The field keeps what was typed, to correct it.
      this.treeError = this.changeWords(err, path, true);
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector<HTMLInputElement>('.tree-form input')?.focus(),
      );
    } finally {
      this.treeBusy = false;
    }
  }

  private askDelete(): void {
    const node = this.focusedEntry();
    if (!node) return;
    this.treeEdit = null;
    this.treeError = '';
    this.confirmingDelete = node.path;
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>('[part~="delete-confirm"]')?.focus(),
    );
  }

  private async confirmDelete(): Promise<void> {
    const path = this.confirmingDelete;
    if (!path || this.treeBusy) return;
    this.treeBusy = true;
    try {
      await this.deleteEntry(path);
      this.confirmingDelete = null;
      this.focusTree();
    } catch (err) {
      this.confirmingDelete = null;
      this.treeError = this.changeWords(err, path, false);
      this.focusTree();
    } finally {
      this.treeBusy = false;
    }
  }

  // ---- interaction ---------------------------------------------------------------------------

  private closeTab(path: string): void {
    const i = this.tabs.indexOf(path);
    if (i < 0) return;
    const doc = this.docs.get(path);
    if (doc && this.view && this.viewPath === path) doc.state = this.view.state;
    if (doc) void this.save(doc);
    const tabs = this.tabs.filter((p) => p !== path);
    this.tabs = tabs;
    if (this.active === path) {
      const next = tabs[Math.min(i, tabs.length - 1)] ?? null;
      this.active = null;
      if (next) void this.openFile(next);
    }
  }

  private onTreeKey(e: KeyboardEvent, rows: TreeNode[]): void {
    const i = rows.findIndex((r) => r.path === this.focusedNode);
    const cur = rows[i];
    if (!cur) return;
    let next: TreeNode | undefined;
    switch (e.key) {
      case 'ArrowDown':
        next = rows[i + 1];
        break;
      case 'ArrowUp':
        next = rows[i - 1];
        break;
      case 'Home':
        next = rows[0];
        break;
      case 'End':
        next = rows[rows.length - 1];
        break;
      case 'ArrowRight':
        if (cur.type === 'dir') {
          if (!this.expanded.has(cur.path)) this.toggle(cur.path);
          else next = cur.children[0];
        }
        break;
      case 'ArrowLeft':
        if (cur.type === 'dir' && this.expanded.has(cur.path)) this.toggle(cur.path);
        else if (cur.depth > 0) next = rows.find((r) => r.path === parentOf(cur.path));
        break;
      case 'Enter':
      case ' ':
        if (cur.type === 'dir') this.toggle(cur.path);
        else void this.openFile(cur.path);
        break;
      case 'F2':
      case 'Delete':
        if (this.readonly || cur.readOnly) this.treeError = this.m.notChangeable(cur.path);
        else if (e.key === 'F2') this.startTreeEdit('rename');
        else this.askDelete();
        break;
      default:
        return;
    }
    e.preventDefault();
    if (next) {
      this.focusedNode = next.path;
      void this.updateComplete.then(() =>
        this.renderRoot
          .querySelector<HTMLElement>(`[role="treeitem"][data-path="${CSS.escape(next.path)}"]`)
          ?.focus(),
      );
    }
  }

  private toggle(path: string): void {
    const s = new Set(this.expanded);
    if (s.has(path)) s.delete(path);
    else s.add(path);
    this.expanded = s;
  }

  private onTabKey(
    e: KeyboardEvent,
    list: string[],
    current: string,
    pick: (v: string) => Promise<void> | void,
  ): void {
    const i = list.indexOf(current);
    let j = -1;
    if (e.key === 'ArrowRight') j = (i + 1) % list.length;
    else if (e.key === 'ArrowLeft') j = (i - 1 + list.length) % list.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = list.length - 1;
    if (j < 0) return;
    e.preventDefault();
    const tablist = e.currentTarget as HTMLElement;
    void Promise.resolve(pick(list[j]))
      .catch(() => undefined)
      .then(() => this.updateComplete)
      .then(() =>
        tablist.querySelector<HTMLElement>('[role="tab"][aria-selected="true"]')?.focus(),
      );
  }

  private selectPanel(tab: PanelTab): void {
    this.panel = tab;
    if (tab === 'terminal') void this.openTerminal();
  }

  private async toggleFullscreen(): Promise<void> {
    if (document.fullscreenElement === this) {
      await document.exitFullscreen().catch(() => undefined);
      return;
    }
    if (this.classList.contains('se-fullscreen')) {
      this.classList.remove('se-fullscreen');
      this.fullscreen = false;
      return;
    }
    try {
      await this.requestFullscreen();
    } catch {
      this.classList.add('se-fullscreen');
      this.fullscreen = true;
    }
    this.term?.fitNow();
  }

  /** Shows or hides the Reset confirmation, the focus following (never lost with the button). */
  private confirmReset(on: boolean): void {
    this.confirmingReset = on;
    void this.updateComplete.then(() =>
      this.renderRoot
        .querySelector<HTMLElement>(on ? '[part~="reset-confirm"]' : '[part~="reset-button"]')
        ?.focus(),
    );
  }

  private async resolveConflict(doc: OpenDoc, keepMine: boolean): Promise<void> {
    if (keepMine) {
      doc.conflict = false;
      await this.save(doc, true);
      return;
    }
    const f = await this.call((t) => this.client().read(t, doc.path));
    doc.version = f.version;
    doc.savedText = f.content;
    doc.conflict = false;
    this.local?.delete(doc.path);
    this.replaceText(doc, f.content);
    clearTimeout(doc.timer);
    doc.timer = undefined;
    this.saveTick++;
    this.emitState();
  }

  // ---- rendering -----------------------------------------------------------------------------

  protected override render(): TemplateResult {
    const m = this.m;
    const label = this.hostLabel || m.workspace;
    return html`<div class="frame" role="region" aria-label=${label}>
      ${this.renderToolbar(m)}
      ${this.phase === 'error' ? this.renderFailure(m) : this.renderMain(m)}
      <div class="sr-only" role="status" aria-live="polite" part="announcer">
        ${this.announcement}
      </div>
    </div>`;
  }

  private renderToolbar(m: WorkspaceMessages): TemplateResult {
    const ws = this.workspace;
    const busy = this.running !== null;
    const s = this.saveState;
    const stateIcon =
      s === 'saving' || s === 'connecting' || s === 'running'
        ? icon('busy')
        : s === 'conflict' || s === 'offline' || s === 'error'
          ? icon('alert')
          : icon('ok');
    const stateText =
      s === 'connecting'
        ? m.connecting
        : s === 'saving'
          ? m.saving
          : s === 'offline'
            ? m.pending
            : s === 'conflict'
              ? m.pending
              : s === 'error'
                ? ''
                : s === 'running'
                  ? m.running(m.scenario(this.running ?? ''))
                  : m.saved;
    return html`<div class="toolbar" part="toolbar" role="toolbar" aria-label=${m.toolbar}>
      ${(ws?.scenarios ?? []).map(
        (sc) =>
          html`<button
            type="button"
            class=${sc.default ? 'primary' : ''}
            part=${sc.default ? 'scenario-button default-scenario' : 'scenario-button'}
            data-scenario=${sc.name}
            ?disabled=${busy}
            @click=${() => void this.runScenario(sc.name)}
          >
            ${this.running === sc.name ? icon('busy') : nothing}${m.scenario(sc.name)}
          </button>`,
      )}
      <span class="save-state ${s}" part="save-state"
        >${stateText ? html`${stateIcon}${stateText}` : nothing}</span
      >
      <span class="spacer"></span>
      ${
        this.confirmingReset
          ? html`<span role="group" aria-label=${m.reset} class="save-state">
              ${m.resetConfirm}
              <button
                type="button"
                part="reset-confirm"
                @click=${() => {
                  this.confirmReset(false);
                  void this.reset().catch((err: unknown) =>
                    this.dispatchEvent(new SeErrorEvent(this.errorOf(err))),
                  );
                }}
              >
                ${m.reset}
              </button>
              <button type="button" @click=${() => this.confirmReset(false)}>${m.cancel}</button>
            </span>`
          : html`<button
              type="button"
              part="reset-button"
              ?disabled=${!ws || this.readonly || busy}
              @click=${() => this.confirmReset(true)}
            >
              ${m.reset}
            </button>`
      }
      <button
        type="button"
        part="fullscreen-button"
        aria-pressed=${this.fullscreen ? 'true' : 'false'}
        @click=${() => void this.toggleFullscreen()}
      >
        ${this.fullscreen ? m.exitFullScreen : m.fullScreen}
      </button>
    </div>`;
  }

  private renderFailure(m: WorkspaceMessages): TemplateResult {
    const f = this.failure;
    const text =
      f?.code === 'network'
        ? m.unreachable
        : f?.code === 'not_configured'
          ? m.notConfigured
          : f?.message;
    return html`<div class="notice error" part="message" role="alert">
      ${icon('alert')}<span>${text}</span>
      ${
        f?.code !== 'not_configured'
          ? html`<button type="button" @click=${() => this.restart()}>${m.retry}</button>`
          : nothing
      }
    </div>`;
  }

  private renderMain(m: WorkspaceMessages): TemplateResult {
    const showExplorer = this.explorer !== 'hidden';
    return html`<div class="main ${showExplorer ? '' : 'no-explorer'}">
      ${showExplorer ? this.renderExplorer(m) : nothing}
      <div class="work">${this.renderTabs(m)} ${this.renderEditor(m)}</div>
      ${this.renderPanel(m)}
    </div>`;
  }

  private renderExplorer(m: WorkspaceMessages): TemplateResult {
    const roots = buildTree(this.workspace?.files ?? ([] as V1FileEntry[]));
    const rows = visibleRows(roots, this.expanded);
    const focused = rows.some((r) => r.path === this.focusedNode)
      ? this.focusedNode
      : (rows[0]?.path ?? null);
    const item = (n: TreeNode): TemplateResult => {
      const open = this.expanded.has(n.path);
      return html`<li
        role="treeitem"
        data-path=${n.path}
        aria-level=${n.depth + 1}
        aria-selected=${n.path === this.active ? 'true' : 'false'}
        aria-expanded=${n.type === 'dir' ? (open ? 'true' : 'false') : nothing}
        tabindex=${n.path === focused ? '0' : '-1'}
        @click=${(e: Event) => {
          e.stopPropagation();
          this.focusedNode = n.path;
          if (n.type === 'dir') this.toggle(n.path);
          else void this.openFile(n.path);
        }}
      >
        <span class="row" style="--depth:${n.depth}">
          <span class="twisty" aria-hidden="true"
            >${n.type === 'dir' ? (open ? '▾' : '▸') : ''}</span
          >
          <span class="name">${n.name}</span>
          ${n.readOnly ? html`<span class="badge">${m.readOnly}</span>` : nothing}
          ${this.isDirty(n.path) ? html`<span class="dirty" aria-label=${m.unsaved}>●</span>` : nothing}
        </span>
        ${
          n.type === 'dir' && open
            ? html`<ul role="group">
                ${n.children.map(item)}
              </ul>`
            : nothing
        }
      </li>`;
    };
    const entry = this.workspace?.files.find((f) => f.path === focused);
    const locked = this.readonly || !this.workspace || this.treeBusy;
    const fixed = locked || !entry || entry.readOnly;
    return html`<nav class="explorer" part="explorer" aria-labelledby="${this.uid}-files">
      <div class="explorer-head">
        <h2 id="${this.uid}-files">${m.files}</h2>
        <div class="file-actions" role="group" aria-label=${m.fileActions} part="file-actions">
          <button
            type="button"
            part="new-file-button"
            ?disabled=${locked}
            @click=${() => this.startTreeEdit('file')}
          >
            ${m.newFile}
          </button>
          <button
            type="button"
            part="new-folder-button"
            ?disabled=${locked}
            @click=${() => this.startTreeEdit('dir')}
          >
            ${m.newFolder}
          </button>
          <button
            type="button"
            part="rename-button"
            ?disabled=${fixed}
            @click=${() => this.startTreeEdit('rename')}
          >
            ${m.rename}
          </button>
          <button
            type="button"
            part="delete-button"
            ?disabled=${fixed}
            @click=${() => this.askDelete()}
          >
            ${m.delete}
          </button>
        </div>
      </div>
      ${this.renderTreeForm(m)}
      ${
        this.treeError
          ? html`<p class="tree-error" role="alert" part="explorer-message">
              ${icon('alert')}<span>${this.treeError}</span>
            </p>`
          : nothing
      }
      <p class="sr-only" id="${this.uid}-tree-hint">${m.treeHint}</p>
      <ul
        role="tree"
        part="tree"
        aria-labelledby="${this.uid}-files"
        aria-describedby="${this.uid}-tree-hint"
        @keydown=${(e: KeyboardEvent) => this.onTreeKey(e, rows)}
        @focusin=${(e: FocusEvent) => {
          const p = (e.target as HTMLElement)
            .closest?.('[role="treeitem"]')
            ?.getAttribute('data-path');
          if (p) this.focusedNode = p;
        }}
      >
        ${roots.map(item)}
      </ul>
    </nav>`;
  }

  /** The name field of a new file, folder or name, or the delete confirmation. */
  private renderTreeForm(m: WorkspaceMessages): TemplateResult | typeof nothing {
    const del = this.confirmingDelete;
    if (del) {
      const folder = this.entryType(del) === 'dir';
      return html`<div
        class="tree-confirm"
        role="group"
        aria-labelledby="${this.uid}-delete-q"
        @keydown=${(e: KeyboardEvent) => {
          if (e.key !== 'Escape') return;
          e.preventDefault();
          this.cancelTreeEdit();
        }}
      >
        <span id="${this.uid}-delete-q">${m.deleteConfirm(del, folder)}</span>
        <button
          type="button"
          part="delete-confirm"
          ?disabled=${this.treeBusy}
          @click=${() => void this.confirmDelete()}
        >
          ${m.delete}
        </button>
        <button type="button" @click=${() => this.cancelTreeEdit()}>${m.cancel}</button>
      </div>`;
    }
    const edit = this.treeEdit;
    if (!edit) return nothing;
    const label =
      edit.kind === 'rename'
        ? m.renameName(edit.target)
        : edit.kind === 'dir'
          ? m.newFolderName(edit.parent)
          : m.newFileName(edit.parent);
    return html`<form
      class="tree-form"
      part="name-form"
      @submit=${(e: Event) => {
        e.preventDefault();
        void this.submitTreeEdit();
      }}
      @keydown=${(e: KeyboardEvent) => {
        if (e.key !== 'Escape') return;
        e.preventDefault();
        this.cancelTreeEdit();
      }}
    >
      <label for="${this.uid}-name">${label}</label>
      <input
        id="${this.uid}-name"
        part="name-field"
        autocomplete="off"
        spellcheck="false"
        .value=${edit.value}
        aria-invalid=${this.treeError ? 'true' : 'false'}
        ?disabled=${this.treeBusy}
        @input=${(e: Event) => {
          edit.value = (e.target as HTMLInputElement).value;
        }}
      />
      <button type="submit" ?disabled=${this.treeBusy}>
        ${edit.kind === 'rename' ? m.rename : m.create}
      </button>
      <button type="button" @click=${() => this.cancelTreeEdit()}>${m.cancel}</button>
    </form>`;
  }

  private isDirty(path: string): boolean {
    const d = this.docs.get(path);
    return Boolean(d && docText(d) !== d.savedText);
  }

  private renderTabs(m: WorkspaceMessages): TemplateResult {
    void this.saveTick;
    return html`<div
      role="tablist"
      part="tabs"
      aria-label=${m.tabs}
      @keydown=${(e: KeyboardEvent) =>
        this.active && this.onTabKey(e, this.tabs, this.active, (p) => this.openFile(p))}
    >
      ${this.tabs.map((p) => {
        const selected = p === this.active;
        const doc = this.docs.get(p);
        return html`<button
          type="button"
          role="tab"
          id="${this.uid}-tab-${this.tabs.indexOf(p)}"
          data-path=${p}
          aria-selected=${selected ? 'true' : 'false'}
          aria-controls="${this.uid}-editor"
          tabindex=${selected ? '0' : '-1'}
          @click=${() => void this.openFile(p)}
          @auxclick=${(e: MouseEvent) => e.button === 1 && this.closeTab(p)}
        >
          ${p}${doc?.readOnly ? html`<span class="badge">${m.readOnly}</span>` : nothing}
          ${this.isDirty(p) ? html`<span class="dirty" aria-label=${m.unsaved}>●</span>` : nothing}
        </button>`;
      })}
    </div>`;
  }

  private renderEditor(m: WorkspaceMessages): TemplateResult {
    const doc = this.active ? this.docs.get(this.active) : undefined;
    const tabIndex = this.active ? this.tabs.indexOf(this.active) : -1;
    return html`<div
      id="${this.uid}-editor"
      role="tabpanel"
      aria-labelledby=${tabIndex >= 0 ? `${this.uid}-tab-${tabIndex}` : nothing}
      aria-label=${tabIndex >= 0 ? nothing : m.noFile}
      style="display:grid;grid-template-rows:auto auto minmax(0,1fr);min-height:0"
    >
      ${
        doc?.conflict
          ? html`<div class="notice" part="message" role="alert">
              ${icon('alert')}<span>${m.conflict(doc.path)}</span>
              <button
                type="button"
                part="keep-mine"
                @click=${() => void this.resolveConflict(doc, true)}
              >
                ${m.keepMine}
              </button>
              <button
                type="button"
                part="load-theirs"
                @click=${() => void this.resolveConflict(doc, false).catch(() => undefined)}
              >
                ${m.loadTheirs}
              </button>
            </div>`
          : doc?.offline
            ? html`<div class="notice" part="message" role="status">
                ${icon('alert')}<span>${m.offline}</span>
              </div>`
            : html`<div></div>`
      }
      <p class="hint" id="${this.uid}-hint">
        ${doc?.readOnly ? `${m.readOnlyFile} ` : ''}${m.editorHint}
      </p>
      ${
        doc
          ? html`<div class="editor-box" part="editor"></div>`
          : html`<p class="empty">${this.phase === 'connecting' ? m.connecting : m.noFile}</p>`
      }
    </div>`;
  }

  private renderPanel(m: WorkspaceMessages): TemplateResult {
    const tabs: PanelTab[] = [
      'output',
      'tests',
      ...(this.terminalOn ? (['terminal'] as const) : []),
    ];
    const names: Record<PanelTab, string> = {
      output: m.output,
      tests: m.tests,
      terminal: m.terminal,
    };
    const current = tabs.includes(this.panel) ? this.panel : 'output';
    return html`<section class="panel" part="panel" aria-label=${m.panel}>
      <div
        role="tablist"
        aria-label=${m.panel}
        @keydown=${(e: KeyboardEvent) =>
          this.onTabKey(e, tabs, current, (t) => this.selectPanel(t as PanelTab))}
      >
        ${tabs.map(
          (t) =>
            html`<button
              type="button"
              role="tab"
              id="${this.uid}-ptab-${t}"
              data-panel=${t}
              aria-selected=${t === current ? 'true' : 'false'}
              aria-controls="${this.uid}-panel-${t}"
              tabindex=${t === current ? '0' : '-1'}
              @click=${() => this.selectPanel(t)}
            >
              ${names[t]}
            </button>`,
        )}
      </div>
      <div
        role="tabpanel"
        id="${this.uid}-panel-output"
        aria-labelledby="${this.uid}-ptab-output"
        tabindex="0"
        part="output"
        ?hidden=${current !== 'output'}
      >
        ${this.renderOutput(m)}
      </div>
      <div
        role="tabpanel"
        id="${this.uid}-panel-tests"
        aria-labelledby="${this.uid}-ptab-tests"
        tabindex="0"
        ?hidden=${current !== 'tests'}
      >
        ${this.renderTests(m)}
      </div>
      ${
        this.terminalOn
          ? html`<div
              role="tabpanel"
              class="terminal-panel"
              id="${this.uid}-panel-terminal"
              aria-labelledby="${this.uid}-ptab-terminal"
              ?hidden=${current !== 'terminal'}
              style="display:${current === 'terminal' ? 'grid' : 'none'};grid-template-rows:auto minmax(0,1fr)"
            >
              <div class="terminal-bar">
                <p class="terminal-note" role="status">
                  ${this.terminalLoading ? m.terminalLoading : this.terminalNote}
                  ${
                    this.terminalNote && !this.terminalLoading
                      ? html`<button type="button" @click=${() => void this.term?.connect()}>
                          ${m.reconnect}
                        </button>`
                      : m.terminalHint
                  }
                </p>
                <button
                  type="button"
                  part="screen-reader-button"
                  aria-pressed=${this.terminalScreenReader ? 'true' : 'false'}
                  @click=${() => (this.terminalScreenReader = !this.terminalScreenReader)}
                >
                  ${m.screenReaderMode}
                </button>
              </div>
              <div class="terminal-box" part="terminal"></div>
            </div>`
          : nothing
      }
    </section>`;
  }

  private statusLine(m: WorkspaceMessages, r: V1ScenarioResult): TemplateResult {
    const ok = r.status.code === Status.Accepted;
    return html`<p class="status-line ${r.executing ? '' : ok ? 'ok' : 'fail'}">
      ${r.executing ? icon('busy') : ok ? icon('ok') : icon('fail')}
      ${
        r.executing
          ? m.running(m.scenario(r.scenario))
          : m.result(m.scenario(r.scenario), scenarioStatusText(m, r.status.code))
      }
      ${r.executing ? nothing : html`<span class="meta">${m.seconds(r.time.toFixed(2))}</span>`}
    </p>`;
  }

  private renderOutput(m: WorkspaceMessages): TemplateResult {
    const r = this.result;
    if (!r) return html`<p class="empty">${m.noRun}</p>`;
    return html`${this.statusLine(m, r)}
    ${r.stages
      .filter((s) => !s.skipped)
      .map(
        (s) =>
          html`<section class="stage" data-stage=${s.name}>
            <h3>
              ${m.stage(s.name)}
              <span class="meta"
                >${s.exitCode !== null ? m.exitCode(s.exitCode) : ''}
                ${m.seconds(s.time.toFixed(2))}</span
              >
            </h3>
            ${
              s.output
                ? html`<div class="stream-label">${m.stdout}</div>
                    <pre class="stdout" tabindex="0">${s.output}</pre>`
                : nothing
            }
            ${
              s.error
                ? html`<div class="stream-label">${m.stderr}</div>
                    <pre class="stderr" tabindex="0">${s.error}</pre>`
                : nothing
            }
          </section>`,
      )}`;
  }

  private renderTests(m: WorkspaceMessages): TemplateResult {
    const tests = this.result?.tests;
    if (!tests || !tests.length) return html`<p class="empty">${m.noTests}</p>`;
    const passed = tests.filter((t) => t.status === 'ok').length;
    const words = { ok: m.testOk, failure: m.testFailure, error: m.testError };
    return html`<table part="tests">
      <caption>
        ${m.testsSummary(passed, tests.length)}
      </caption>
      <thead>
        <tr>
          <th scope="col">${m.testName}</th>
          <th scope="col">${m.testStatus}</th>
          <th scope="col">${m.testTime}</th>
          <th scope="col">${m.testMessage}</th>
        </tr>
      </thead>
      <tbody>
        ${tests.map(
          (t) =>
            html`<tr data-status=${t.status}>
              <th scope="row" class="test-name">
                ${t.classname ? html`${t.classname}.<wbr />` : nothing}${t.name}
              </th>
              <td class="test-status test-${t.status}">
                ${t.status === 'ok' ? icon('ok') : t.status === 'failure' ? icon('fail') : icon('alert')}
                ${words[t.status]}
              </td>
              <td class="test-time">${m.seconds(t.time.toFixed(3))}</td>
              <td class="message">
                ${t.message ? html`<pre tabindex="0">${t.message}</pre>` : nothing}
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  }
}

/** A read-only editor: no changes, and says so to assistive technology. */
function readOnlyExt(on: boolean): Extension {
  return on
    ? [EditorState.readOnly.of(true), EditorView.contentAttributes.of({ 'aria-readonly': 'true' })]
    : EditorState.readOnly.of(false);
}

function docText(doc: OpenDoc): string {
  return doc.state.doc.toString();
}

/** A path is `path` itself or inside the folder `path`. */
function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/** A relative path the backend takes: no `.`/`..`/empty parts, no leading or trailing `/`. */
function validPath(path: string): boolean {
  return (
    path.length > 0 &&
    path.length <= 1024 &&
    !path.includes('\0') &&
    path.split('/').every((p) => p !== '' && p !== '.' && p !== '..')
  );
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}
