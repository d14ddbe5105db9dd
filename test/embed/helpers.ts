/** Shared by the iframe-embed browser tests: the real backend started by the test runner. */
import { executeServerCommand } from '@web/test-runner-commands';
import type {
  EmbedEventMap,
  EmbedEventName,
  EmbedSolveHandle,
  EmbedWorkspaceEventMap,
  EmbedWorkspaceEventName,
  EmbedWorkspaceHandle,
} from '../../src/embed/index.js';
import '../elements/report-failures.js';

const w = window as unknown as { __SE_BACKEND__: string | null; __SE_BACKEND_ERROR__: string };

/** The backend's URL; throws (failing the test, never skipping it) when it did not start. */
export function backendUrl(): string {
  if (!w.__SE_BACKEND__)
    throw new Error(`the test backend is not running: ${w.__SE_BACKEND_ERROR__}`);
  return w.__SE_BACKEND__;
}

export function backendOrigin(): string {
  return new URL(backendUrl()).origin;
}

/** A host-signed session token (the host server's job in real life). */
export async function signToken(widget: string): Promise<string> {
  const r = await executeServerCommand<{ token: string }, { widget: string }>('se-sign-session', {
    widget,
  });
  if (!r?.token) throw new Error('no token from the se-sign-session command');
  return r.token;
}

export async function until(check: () => boolean, what: string, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the next detail of `event` on an `embedSolve` handle. */
export function next<K extends EmbedEventName>(
  handle: EmbedSolveHandle,
  event: K,
  ms = 15000,
): Promise<EmbedEventMap[K]> {
  return nextOn(handle.on as On<EmbedEventMap>, event, ms);
}

/** Resolves with the next detail of `event` on an `embedWorkspace` handle. */
export function nextWorkspace<K extends EmbedWorkspaceEventName>(
  handle: EmbedWorkspaceHandle,
  event: K,
  ms = 30000,
): Promise<EmbedWorkspaceEventMap[K]> {
  return nextOn(handle.on as On<EmbedWorkspaceEventMap>, event, ms);
}

type On<M> = <K extends keyof M>(event: K, listener: (detail: M[K]) => void) => () => void;

function nextOn<M, K extends keyof M>(on: On<M>, event: K, ms: number): Promise<M[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${String(event)} within ${ms} ms`));
    }, ms);
    const off = on(event, (detail) => {
      clearTimeout(timer);
      off();
      resolve(detail);
    });
  });
}

/**
 * Records the `message` listeners the page adds to and removes from `window` until `stop()`
 * (a destroyed handle must remove exactly what it added).
 */
export function spyMessageListeners(): { added: unknown[]; removed: unknown[]; stop(): void } {
  const added: unknown[] = [];
  const removed: unknown[] = [];
  const add = window.addEventListener;
  const remove = window.removeEventListener;
  window.addEventListener = function (this: Window, type: string, fn: never, o?: never) {
    if (type === 'message') added.push(fn);
    return add.call(this, type, fn, o);
  } as typeof window.addEventListener;
  window.removeEventListener = function (this: Window, type: string, fn: never, o?: never) {
    if (type === 'message') removed.push(fn);
    return remove.call(this, type, fn, o);
  } as typeof window.removeEventListener;
  return {
    added,
    removed,
    stop() {
      window.addEventListener = add;
      window.removeEventListener = remove;
    },
  };
}

/** The serious and critical axe findings inside the embed frame of `widget`. */
export async function frameAxeFindings(widget: string): Promise<string[]> {
  const findings = (await executeServerCommand('se-embed-frame', {
    widget,
    action: 'axe',
  })) as string[];
  return findings.filter((f) => /^(serious|critical)/.test(f));
}

/** A container on the page, removed by `cleanup()`. */
const containers = new Set<HTMLElement>();
export function container(width = '720px'): HTMLElement {
  const div = document.createElement('div');
  div.style.width = width;
  document.body.append(div);
  containers.add(div);
  return div;
}

const handles = new Set<EmbedSolveHandle>();
export function track(h: EmbedSolveHandle): EmbedSolveHandle {
  handles.add(h);
  return h;
}

export function cleanup(): void {
  for (const h of handles) h.destroy();
  handles.clear();
  for (const c of containers) c.remove();
  containers.clear();
}

/** Records the console warnings of `win`. */
export function warnings(win: Window): string[] {
  const seen: string[] = [];
  const c = (win as Window & { console: Console }).console;
  const original = c.warn.bind(c);
  c.warn = (...args: unknown[]) => {
    seen.push(args.map(String).join(' '));
    original(...args);
  };
  return seen;
}

/** Counts, per event type, the listeners on `win` and its document added and not yet removed. */
export function liveListeners(win: Window): Map<string, number> {
  const live = new Map<string, number>();
  for (const target of [win, win.document] as EventTarget[]) {
    const add = target.addEventListener.bind(target);
    const remove = target.removeEventListener.bind(target);
    target.addEventListener = (type: string, ...rest: [never, never?]) => {
      live.set(type, (live.get(type) ?? 0) + 1);
      add(type, ...rest);
    };
    target.removeEventListener = (type: string, ...rest: [never, never?]) => {
      live.set(type, (live.get(type) ?? 0) - 1);
      remove(type, ...rest);
    };
  }
  return live;
}
