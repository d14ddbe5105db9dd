import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Where the learner's code is kept in `localStorage`: one entry per page, widget, element, problem
 * and language.
 */
export interface AutosaveScope {
  /** the page: an author-given `save-key`, else the page's URL without query and hash */
  page: string;
  widget: string;
  /** the element on the page: its `id`, else its position among the page's copies of the widget */
  element: string;
  problem: number | null;
  compilerId: number;
}

/** What the keys of version 1 held (widget, or `widget#id`): read once, to migrate. */
export interface LegacyScope {
  /** `widget` or `widget#id` */
  name: string;
  /** false when several elements of the page shared the old key (no `id`): nothing is migrated */
  unambiguous: boolean;
}

const v1 = 'se-widgets:se-solve:v1';
const v2 = 'se-widgets:se-solve:v2';

/** Keys hold free text (URLs): encode the separators away. */
const part = (s: string) => encodeURIComponent(s);

function base(scope: Omit<AutosaveScope, 'compilerId'>): string {
  return `${v2}:${part(scope.page)}:${part(scope.widget)}:${part(scope.element)}:${scope.problem ?? 'run'}`;
}

export function keyOf(scope: AutosaveScope): string {
  return `${base(scope)}:${scope.compilerId}`;
}

function languageKey(scope: Omit<AutosaveScope, 'compilerId'>): string {
  return `${base(scope)}:language`;
}

function legacyKey(name: string, problem: number | null, last: number | 'language'): string {
  return `${v1}:${name}:${problem ?? 'run'}:${last}`;
}

/** The page an element is on, for autosave: origin and path, never the query or the hash. */
export function pageOf(loc: Pick<Location, 'origin' | 'pathname'>): string {
  return `${loc.origin}${loc.pathname}`;
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Storage disabled by the browser or an iframe policy: autosave is off, nothing breaks.
    return null;
  }
}

function read(key: string): string | null {
  try {
    return storage()?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    storage()?.setItem(key, value);
  } catch {
    // quota exceeded or storage disabled
  }
}

function remove(key: string): void {
  try {
    storage()?.removeItem(key);
  } catch {
    // ignore
  }
}

/**
 * Saves the learner's code shortly after each edit and at once on `pagehide`, on hiding the page
 * and on disconnect; reads it back on load. Storage errors (quota, disabled storage) are ignored.
 *
 * Code saved under the version-1 keys (widget and language only) moves to the first page that
 * asks for it, and only when one element of the page could have written it: a second page, or a
 * second copy of the widget without an `id`, starts from the language's template instead of
 * showing another lesson's code.
 */
export class AutosaveController implements ReactiveController {
  private pending: { key: string; source: string } | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposers: Array<() => void> = [];

  constructor(
    host: ReactiveControllerHost,
    private readonly delay = 400,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    const flush = () => this.flush();
    const onHide = () => {
      if (document.visibilityState === 'hidden') this.flush();
    };
    window.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', onHide);
    this.disposers.push(
      () => window.removeEventListener('pagehide', flush),
      () => document.removeEventListener('visibilitychange', onHide),
    );
  }

  hostDisconnected(): void {
    this.flush();
    for (const dispose of this.disposers.splice(0)) dispose();
  }

  /** The saved source, or null when there is none (migrating a version-1 entry when it may). */
  load(scope: AutosaveScope, legacy?: LegacyScope): string | null {
    const key = keyOf(scope);
    if (this.pending?.key === key) return this.pending.source;
    const saved = read(key);
    if (saved !== null || !legacy?.unambiguous) return saved;
    const old = legacyKey(legacy.name, scope.problem, scope.compilerId);
    const moved = read(old);
    if (moved === null) return null;
    write(key, moved);
    remove(old);
    return moved;
  }

  /** Saves soon; a save for another scope first writes the pending one. */
  save(scope: AutosaveScope, source: string): void {
    const key = keyOf(scope);
    if (this.pending && this.pending.key !== key) this.flush();
    this.pending = { key, source };
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.delay);
  }

  /** Writes the pending save now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    this.pending = null;
    if (p) write(p.key, p.source);
  }

  /** Forgets the saved source of a scope (after `reset()`). */
  forget(scope: AutosaveScope): void {
    const key = keyOf(scope);
    if (this.pending?.key === key) {
      this.pending = null;
      clearTimeout(this.timer);
    }
    remove(key);
  }

  /** The compiler id last chosen by the learner in this page, widget, element and problem. */
  loadLanguage(scope: Omit<AutosaveScope, 'compilerId'>, legacy?: LegacyScope): number | null {
    const key = languageKey(scope);
    let raw = read(key);
    if (raw === null && legacy?.unambiguous) {
      const old = legacyKey(legacy.name, scope.problem, 'language');
      raw = read(old);
      if (raw !== null) {
        write(key, raw);
        remove(old);
      }
    }
    const v = Number(raw);
    return raw !== null && Number.isInteger(v) && v > 0 ? v : null;
  }

  saveLanguage(scope: Omit<AutosaveScope, 'compilerId'>, compilerId: number): void {
    write(languageKey(scope), String(compilerId));
  }
}
