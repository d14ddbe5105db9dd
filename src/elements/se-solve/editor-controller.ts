import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { EditorLanguage } from '../../shared/highlighters.js';
import { changeListener } from '../editor/change-listener.js';
import { contentLabel } from '../editor/content-attributes.js';
import { showDiagnostics } from '../editor/diagnostics.js';
import { displaySetup } from '../editor/display-setup.js';
import type * as EditingKeysModule from '../editor/editing-keys.js';
import { loadLanguage } from '../editor/language.js';
import type { LineMark } from '../editor/message-lines.js';
import { submitKeymap } from '../editor/submit-keymap.js';
import { editorTheme } from '../editor/theme.js';

// The key bindings and the undo history: loaded once per page, on the first focus, press or hover
// of an editor, so a widget that is only looked at does not fetch them (7 KB brotli). Until they
// arrive, typing works (the browser's own editing, read back by CodeMirror), so do the arrows and
// Ctrl+Enter, and a Tab waits for them (it indents, as it will once they are there).
type EditingKeys = typeof EditingKeysModule;
let editingLoad: Promise<EditingKeys | null> | null = null;
let editingExt: Extension | null = null;
function loadEditing(): Promise<EditingKeys | null> {
  editingLoad ??= import('../editor/editing-keys.js').then(
    (m) => {
      editingExt = m.editingKeys();
      return m;
    },
    () => {
      editingLoad = null;
      return null;
    },
  );
  return editingLoad;
}

export interface EditorOptions {
  /** where the editor goes, once rendered */
  container(): HTMLElement | null;
  /** the shadow root, so CodeMirror measures and styles inside it */
  root(): ShadowRoot | Document;
  changed(source: string, byUser: boolean): void;
  /** Ctrl/Cmd+Enter */
  submit(): void;
}

/**
 * Hosts a CodeMirror view in the element's shadow root: created when the host renders while
 * connected, destroyed (keeping its text) on disconnect. What can change at run time (language,
 * read-only, theme, label, diagnostics gutter) lives in compartments.
 */
export class EditorController implements ReactiveController {
  view: EditorView | null = null;

  private text = '';
  /** the script-tag placeholder's code box had the focus: the new view takes it, caret at the end */
  private takeFocus = false;
  private caretAtEnd = false;
  private languageKey: EditorLanguage = 'plain';
  private languageExt: Extension = [];
  private languageLoad = 0;
  private readOnlyOn = false;
  private dark = false;
  private labelText = '';
  private hintId = '';
  private readonly language = new Compartment();
  private readonly readOnly = new Compartment();
  private readonly theme = new Compartment();
  private readonly label = new Compartment();
  private readonly gutter = new Compartment();
  private readonly editing = new Compartment();
  private editingAsked = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: EditorOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    // A re-attached element renders no update by itself; ask for one so hostUpdated recreates the view.
    this.host.requestUpdate();
  }

  hostUpdated(): void {
    if (this.view) return;
    const parent = this.options.container();
    if (!parent || !parent.isConnected) return;
    this.view = new EditorView({
      parent,
      root: this.options.root(),
      state: EditorState.create({
        doc: this.text,
        ...(this.caretAtEnd ? { selection: { anchor: this.text.length } } : {}),
        extensions: [
          displaySetup(),
          this.editing.of(editingExt ?? []),
          EditorView.domEventHandlers({
            focus: () => this.wakeEditing(),
            mousedown: () => this.wakeEditing(),
            mouseover: () => this.wakeEditing(),
            touchstart: () => this.wakeEditing(),
            keydown: (e, view) => this.earlyKey(e, view),
          }),
          submitKeymap(() => this.options.submit()),
          changeListener((source, byUser) => {
            this.text = source;
            this.options.changed(source, byUser);
          }),
          this.language.of(this.languageExt),
          this.readOnly.of(EditorState.readOnly.of(this.readOnlyOn)),
          this.theme.of(editorTheme(this.dark)),
          this.label.of(contentLabel(this.labelText, this.hintId)),
          this.gutter.of([]),
        ],
      }),
    });
    this.caretAtEnd = false;
    if (this.takeFocus) {
      this.wakeEditing();
      this.takeFocus = false;
      this.view.focus();
    }
  }

  /** Loads the key bindings and history (once) and gives them to the view. */
  private wakeEditing(): boolean {
    if (this.editingAsked || editingExt) return false;
    this.editingAsked = true;
    void loadEditing().then(() => {
      this.editingAsked = false;
      // A view made after the load has them already; one made before gets them now.
      if (editingExt && this.view && this.editing.get(this.view.state) !== editingExt)
        this.view.dispatch({ effects: this.editing.reconfigure(editingExt) });
    });
    return false;
  }

  /** A key before the bindings are there: Tab is held back and indents once they are. */
  private earlyKey(e: KeyboardEvent, view: EditorView): boolean {
    this.wakeEditing();
    if (editingExt || e.key !== 'Tab' || e.ctrlKey || e.altKey || e.metaKey) return false;
    e.preventDefault();
    const shift = e.shiftKey;
    void loadEditing().then((m) => {
      if (m && this.view === view) (shift ? m.indentLess : m.indentMore)(view);
    });
    return true;
  }

  /** What the script-tag placeholder held: the first view starts with it, the caret at its end. */
  handover(text: string, focus: boolean): void {
    this.text = text;
    this.caretAtEnd = true;
    this.takeFocus = focus;
  }

  hostDisconnected(): void {
    if (!this.view) return;
    this.text = this.view.state.doc.toString();
    this.view.destroy();
    this.view = null;
  }

  get source(): string {
    return this.view ? this.view.state.doc.toString() : this.text;
  }

  /** Replaces the whole text (not a user edit: no change is reported as the learner's). */
  set source(value: string) {
    this.text = value;
    const view = this.view;
    if (!view || view.state.doc.toString() === value) return;
    view.dispatch({
      changes: { from: 0, to: view.state.doc.length, insert: value },
      selection: { anchor: Math.min(view.state.selection.main.head, value.length) },
    });
  }

  /** Replaces the whole text (not a user edit), the caret at the end when `caretAtEnd`. */
  replaceAll(value: string, caretAtEnd: boolean): void {
    if (!caretAtEnd || !this.view) {
      this.source = value;
      return;
    }
    this.text = value;
    this.view.dispatch({
      changes: { from: 0, to: this.view.state.doc.length, insert: value },
      selection: { anchor: value.length },
      scrollIntoView: this.view.hasFocus,
    });
  }

  /** Loads the language pack (lazily) and switches to it; a newer call wins over a slower one. */
  async setLanguage(key: EditorLanguage): Promise<void> {
    if (key === this.languageKey && this.languageLoad > 0) return;
    this.languageKey = key;
    const ticket = ++this.languageLoad;
    const ext = await loadLanguage(key);
    if (ticket !== this.languageLoad) return;
    this.languageExt = ext;
    this.view?.dispatch({ effects: this.language.reconfigure(ext) });
  }

  setReadOnly(on: boolean): void {
    if (on === this.readOnlyOn) return;
    this.readOnlyOn = on;
    this.view?.dispatch({ effects: this.readOnly.reconfigure(EditorState.readOnly.of(on)) });
  }

  setDark(dark: boolean): void {
    if (dark === this.dark) return;
    this.dark = dark;
    this.view?.dispatch({ effects: this.theme.reconfigure(editorTheme(dark)) });
  }

  setLabel(label: string, hintId: string): void {
    if (label === this.labelText && hintId === this.hintId) return;
    this.labelText = label;
    this.hintId = hintId;
    this.view?.dispatch({ effects: this.label.reconfigure(contentLabel(label, hintId)) });
  }

  /** Marks lines (compiler errors, traceback frames); an empty list clears the marks. */
  async mark(marks: LineMark[]): Promise<void> {
    const view = this.view;
    if (!view) return;
    await showDiagnostics(view, this.gutter, marks, () => this.view === view);
  }

  focus(): void {
    this.view?.focus();
  }
}
