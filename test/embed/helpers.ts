/** Shared by the iframe-embed browser tests: the real backend started by the test runner. */
import { executeServerCommand } from '@web/test-runner-commands';
import type { EmbedEventMap, EmbedEventName, EmbedSolveHandle } from '../../src/embed/index.js';
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

/** Resolves with the next detail of `event` on the handle. */
export function next<K extends EmbedEventName>(
  handle: EmbedSolveHandle,
  event: K,
  ms = 15000,
): Promise<EmbedEventMap[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const off = handle.on(event, (detail) => {
      clearTimeout(timer);
      off();
      resolve(detail);
    });
  });
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
