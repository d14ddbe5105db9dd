/**
 * What the browser tests of both elements share: mounting an element on the real backend, its
 * shadow parts, waiting, and axe. Each element's helpers (helpers.ts, se-workspace/helpers.ts)
 * build on these.
 */
import { oneEvent } from '@open-wc/testing';

export interface MountOptions {
  attrs?: Record<string, string>;
  style?: string;
  /** wait for se-ready (default true) */
  ready?: boolean;
  parent?: HTMLElement;
}

const mounted = new Set<HTMLElement>();

/** Creates `<tag backend=… attrs…>`, appends it and (by default) waits for se-ready. */
export async function mountElement<E extends HTMLElement & { updateComplete: Promise<unknown> }>(
  tag: string,
  backend: string,
  attrs: Record<string, string>,
  options: MountOptions,
): Promise<E> {
  const el = document.createElement(tag) as E;
  el.setAttribute('backend', backend);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (options.style) el.setAttribute('style', options.style);
  const ready = oneEvent(el, 'se-ready');
  (options.parent ?? document.body).append(el);
  mounted.add(el);
  if (options.ready !== false) await ready;
  await el.updateComplete;
  return el;
}

/** Removes every element mounted by the current test. */
export function unmountAll(): void {
  for (const el of mounted) el.remove();
  mounted.clear();
}

export function shadow(el: HTMLElement): ShadowRoot {
  if (!el.shadowRoot) throw new Error('no shadow root');
  return el.shadowRoot;
}

export function part(el: HTMLElement, name: string): HTMLElement {
  const found = shadow(el).querySelector<HTMLElement>(`[part~="${name}"]`);
  if (!found) throw new Error(`no part ${name}`);
  return found;
}

export async function until(check: () => boolean, what: string, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface AxeResult {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: unknown[] }>;
}
export interface Axe {
  run(context: Element, options?: object): Promise<AxeResult>;
}

let axePromise: Promise<Axe> | null = null;
export function loadAxe(): Promise<Axe> {
  axePromise ??= new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '/node_modules/axe-core/axe.min.js';
    s.onload = () => resolve((window as unknown as { axe: Axe }).axe);
    s.onerror = () => reject(new Error('axe-core did not load'));
    document.head.append(s);
  });
  return axePromise;
}

/** Serious and critical axe findings of `el`, each with the nodes it names. */
export async function seriousFindings(el: Element): Promise<string[]> {
  const axe = await loadAxe();
  const r = await axe.run(el, { resultTypes: ['violations'] });
  const all = r.violations.map(
    (v) =>
      `${v.impact}: ${v.id} (${v.nodes.length}) ${v.help} ${JSON.stringify(v.nodes.map((n) => (n as { target: unknown }).target))}`,
  );
  return all.filter((v) => v.startsWith('serious') || v.startsWith('critical'));
}
