/** Shared by the `<se-workspace>` browser tests: the real backend and engine of the test runner. */
import { executeServerCommand } from '@web/test-runner-commands';
import '../../../src/elements/define/se-workspace.js';
import '../report-failures.js';
import {
  mountElement,
  part,
  shadow,
  unmountAll,
  until as untilIn,
  type MountOptions,
} from '../dom.js';
import type { SeWorkspace } from '../../../src/elements/index.js';
import { backendUrl } from '../helpers.js';

export { backendUrl };

let n = 0;

/** A fresh learner: a host-signed token of the demo workspace widget for a new subject. */
export async function learnerToken(
  sub = `ws-${Date.now().toString(36)}-${n++}`,
  widget = 'workspace-demo',
): Promise<string> {
  const r = await executeServerCommand<
    { token: string },
    { widget: string; sub: string; actions: string[] }
  >('se-sign-session', { widget, sub, actions: ['workspace'] });
  if (!r?.token) throw new Error('no token from the se-sign-session command');
  return r.token;
}

export type { MountOptions };
export { part, shadow, unmountAll };

/** Creates an `<se-workspace>` on the real backend (a new learner unless `token` is given). */
export async function mount(options: MountOptions = {}): Promise<SeWorkspace> {
  const attrs = { ...(options.attrs ?? {}) };
  if (!attrs.token && !attrs.widget) attrs.token = await learnerToken();
  return mountElement<SeWorkspace>('se-workspace', backendUrl(), attrs, options);
}

export function editorText(el: SeWorkspace): string {
  return shadow(el).querySelector('.cm-content')?.textContent ?? '';
}

/** As dom.ts's `until`, with the longer default a workspace needs. */
export function until(check: () => boolean, what: string, ms = 20000): Promise<void> {
  return untilIn(check, what, ms);
}

/** Collects every event of the given names the element fires. */
export function record(el: HTMLElement, names: string[]): Array<{ type: string; detail: unknown }> {
  const out: Array<{ type: string; detail: unknown }> = [];
  for (const name of names)
    el.addEventListener(name, (e) => out.push({ type: name, detail: (e as CustomEvent).detail }));
  return out;
}

/** The solution of the PYTHON-UNITTEST project (test/fixtures/projects). */
export const SOLUTION = `"""Count words: complete word_counts(), then press Test."""
import re


def word_counts(text):
    counts = {}
    for word in re.findall(r"[^\\W_]+", text.lower()):
        counts[word] = counts.get(word, 0) + 1
    return counts


if __name__ == "__main__":
    print(word_counts("The cat and the hat"))
`;

/** Writes a file behind the element's back (another tab, or the test's setup). */
export async function writeFile(token: string, path: string, content: string): Promise<void> {
  const res = await fetch(`${backendUrl()}/v1/workspace/file`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ path, content }),
  });
  if (!res.ok) throw new Error(`PUT ${path}: ${res.status} ${await res.text()}`);
}

/** Creates a folder (or an empty file) in the workspace. */
export async function createEntry(
  token: string,
  path: string,
  type: 'file' | 'dir',
): Promise<void> {
  const res = await fetch(`${backendUrl()}/v1/workspace/files`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ path, type }),
  });
  if (!res.ok) throw new Error(`POST files ${path}: ${res.status} ${await res.text()}`);
}
