/** Shared by the browser tests of the elements: the real backend started by the test runner. */
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/elements/define/se-solve.js';
import './report-failures.js';
import { mountElement, part, shadow, unmountAll, until, type MountOptions } from './dom.js';
import type { SeSolve } from '../../src/elements/index.js';
import type { V1Result } from '../../src/shared/v1.js';

const w = window as unknown as { __SE_BACKEND__: string | null; __SE_BACKEND_ERROR__: string };

/** The backend's URL; throws (failing the test, never skipping it) when it did not start. */
export function backendUrl(): string {
  if (!w.__SE_BACKEND__)
    throw new Error(`the test backend is not running: ${w.__SE_BACKEND_ERROR__}`);
  return w.__SE_BACKEND__;
}

/** A host-signed session token from the backend's secret (the host server's job in real life). */
export async function signToken(payload: {
  widget: string;
  ttlSeconds?: number;
  problem?: number | string;
}): Promise<string> {
  const r = await executeServerCommand<{ token: string }, typeof payload>(
    'se-sign-session',
    payload,
  );
  if (!r?.token) throw new Error('no token from the se-sign-session command');
  return r.token;
}

let n = 0;

/** A unique widget-local storage name, so tests do not see each other's autosaves. */
export function uniqueId(prefix = 'solve'): string {
  return `${prefix}-${Date.now().toString(36)}-${n++}`;
}

export type { MountOptions };
export { part, shadow, unmountAll, until };

/** Creates an `<se-solve>` on the real backend, appends it and (by default) waits for se-ready. */
export function mount(options: MountOptions = {}): Promise<SeSolve> {
  const attrs = { id: uniqueId(), ...(options.attrs ?? { widget: 'run-demo' }) };
  return mountElement<SeSolve>('se-solve', backendUrl(), attrs, options);
}

export function editorContent(el: SeSolve): HTMLElement {
  const found = shadow(el).querySelector<HTMLElement>('.cm-content');
  if (!found) throw new Error('no editor content');
  return found;
}

/** Picks the first language whose option text starts with `name`, as a learner's change does. */
export async function pick(el: SeSolve, name: string): Promise<string> {
  const select = part(el, 'language-picker') as HTMLSelectElement;
  const option = [...select.options].find((o) => o.text.trim().startsWith(name));
  if (!option) throw new Error(`no language ${name} in ${[...select.options].map((o) => o.text)}`);
  select.value = option.value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
  await el.updateComplete;
  return option.value;
}

/**
 * Picks `language`, puts `source` in the editor, runs it (or submits it, with `action`) and waits
 * for the result to render; the result.
 */
export async function runSource(
  el: SeSolve,
  language: string,
  source: string,
  action: 'run' | 'submit' = 'run',
): Promise<V1Result | null> {
  await pick(el, language);
  el.source = source;
  const result = await el[action]();
  await el.updateComplete;
  // A run that failed (the backend refused it, the stream and the polling gave up) says why here,
  // rather than as an empty results view in the assertion after.
  if (!result) {
    const said = (name: string) =>
      shadow(el).querySelector(`[part~="${name}"]`)?.textContent?.replace(/\s+/g, ' ').trim();
    throw new Error(
      `${action}() gave no result; status: ${said('status')}; message: ${said('message')}`,
    );
  }
  return result;
}
