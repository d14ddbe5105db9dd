import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Where the learner's code is kept in `localStorage`: one entry per widget, problem, language. */
export interface AutosaveScope {
  widget: string;
  problem: number | null;
  compilerId: number;
}

const prefix = 'se-widgets:se-solve:v1';

function keyOf(scope: AutosaveScope): string {
  return `${prefix}:${scope.widget}:${scope.problem ?? 'run'}:${scope.compilerId}`;
}

function languageKey(widget: string, problem: number | null): string {
  return `${prefix}:${widget}:${problem ?? 'run'}:language`;
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Storage disabled by the browser or an iframe policy: autosave is off, nothing breaks.
    return null;
  }
}

/**
 * Saves the learner's code shortly after each edit and at once on `pagehide`, on hiding the page
 * and on disconnect; reads it back on load. Storage errors (quota, disabled storage) are ignored.
 */
export class AutosaveController implements ReactiveController {
  private pending: { scope: AutosaveScope; source: string } | null = null;
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

  /** The saved source, or null when there is none. */
  load(scope: AutosaveScope): string | null {
    if (this.pending && keyOf(this.pending.scope) === keyOf(scope)) return this.pending.source;
    try {
      return storage()?.getItem(keyOf(scope)) ?? null;
    } catch {
      return null;
    }
  }

  /** Saves soon; a save for another scope first writes the pending one. */
  save(scope: AutosaveScope, source: string): void {
    if (this.pending && keyOf(this.pending.scope) !== keyOf(scope)) this.flush();
    this.pending = { scope, source };
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.delay);
  }

  /** Writes the pending save now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    this.pending = null;
    if (!p) return;
    try {
      storage()?.setItem(keyOf(p.scope), p.source);
    } catch {
      // quota exceeded or storage disabled
    }
  }

  /** Forgets the saved source of a scope (after `reset()`). */
  forget(scope: AutosaveScope): void {
    if (this.pending && keyOf(this.pending.scope) === keyOf(scope)) {
      this.pending = null;
      clearTimeout(this.timer);
    }
    try {
      storage()?.removeItem(keyOf(scope));
    } catch {
      // ignore
    }
  }

  /** The compiler id last chosen by the learner in this widget and problem. */
  loadLanguage(widget: string, problem: number | null): number | null {
    try {
      const v = Number(storage()?.getItem(languageKey(widget, problem)));
      return Number.isInteger(v) && v > 0 ? v : null;
    } catch {
      return null;
    }
  }

  saveLanguage(widget: string, problem: number | null, compilerId: number): void {
    try {
      storage()?.setItem(languageKey(widget, problem), String(compilerId));
    } catch {
      // ignore
    }
  }
}
