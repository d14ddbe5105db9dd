/**
 * The parts of `<se-solve>`'s template that the lazy shell draws too (the frame, the toolbar, the
 * input box): one source, so the placeholder has exactly the box of the loaded widget. Kept apart
 * from `views.ts` so the shell does not carry the results view.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { V1Language, V1Problem } from '../../shared/v1.js';
import type { SeTaskKind } from '../events.js';
import type { ShellMessages as Messages } from '../i18n/shell.js';

export function languageOptions(
  available: V1Language[],
  selected: { id: number; version: number | null } | null,
): TemplateResult[] {
  const out: TemplateResult[] = [];
  // "C++17 (GCC 12.2.0)" already names the language; "3.11.2" does not.
  const label = (l: V1Language, version: string) =>
    version.toLowerCase().startsWith(l.name.toLowerCase()) ? version : `${l.name} (${version})`;
  for (const l of available) {
    const versions = l.versions ?? [];
    if (versions.length <= 1) {
      const text = versions[0] ? label(l, versions[0].name) : l.name;
      out.push(
        html`<option value=${String(l.id)} ?selected=${selected?.id === l.id}>${text}</option>`,
      );
      continue;
    }
    versions.forEach((v, i) => {
      const value = i === 0 ? String(l.id) : `${l.id}:${v.id}`;
      const sel =
        selected?.id === l.id && (selected.version === null ? i === 0 : selected.version === v.id);
      out.push(html`<option value=${value} ?selected=${sel}>${label(l, v.name)}</option>`);
    });
  }
  return out;
}

export interface ToolbarModel {
  m: Messages;
  label: string;
  available: V1Language[];
  selected: { id: number; version: number | null } | null;
  readonly: boolean;
  busy: boolean;
  primary: SeTaskKind;
  pick(e: Event): void;
  act(kind: SeTaskKind): void;
  stop(): void;
}

export function renderToolbar(t: ToolbarModel): TemplateResult {
  const m = t.m;
  return html`<div class="toolbar">
    <span class="picker">
      <label for="language">${m.language}</label>
      <select
        id="language"
        part="language-picker"
        aria-label=${m.named(m.language, t.label)}
        ?disabled=${!t.available.length || t.readonly}
        @change=${t.pick}
      >
        ${
          t.available.length
            ? languageOptions(t.available, t.selected)
            : html`<option>${m.languagesLoading}</option>`
        }
      </select>
    </span>
    ${t.readonly ? html`<span class="badge" part="read-only">${m.readOnly}</span>` : nothing}
    <span class="spacer"></span>
    ${
      t.busy
        ? html`<button part="stop-button" class="secondary" @click=${t.stop}>${m.stop}</button>`
        : nothing
    }
    ${
      t.primary === 'submission'
        ? html`<button
            part="submit-button"
            aria-disabled=${t.busy ? 'true' : 'false'}
            @click=${() => t.act('submission')}
          >
            ${m.submit}
          </button>`
        : html`<button
            part="run-button"
            aria-disabled=${t.busy ? 'true' : 'false'}
            @click=${() => t.act('run')}
          >
            ${m.run}
          </button>`
    }
  </div>`;
}

export interface InputModel {
  m: Messages;
  label: string;
  value: string;
  readonly: boolean;
  /** problem mode: the box sits in a "Run with input" disclosure with its own Run button */
  problem: boolean;
  busy: boolean;
  input(e: Event): void;
  key(e: KeyboardEvent): void;
  run(): void;
}

export function renderInput(i: InputModel): TemplateResult {
  const m = i.m;
  const box = html`<div class="stdin">
    <label for="stdin">${m.input}</label>
    <textarea
      id="stdin"
      part="stdin"
      spellcheck="false"
      aria-label=${ifDefined(i.label ? m.named(m.input, i.label) : undefined)}
      ?readonly=${i.readonly}
      .value=${i.value}
      @input=${i.input}
      @keydown=${i.key}
    ></textarea>
  </div>`;
  if (!i.problem) return box;
  return html`<details class="try" part="try">
    <summary>${m.runWithInput}</summary>
    ${box}
    <button
      part="run-button"
      class="secondary"
      aria-disabled=${i.busy ? 'true' : 'false'}
      @click=${i.run}
    >
      ${m.runWithInput}
    </button>
  </details>`;
}

export function renderStatement(problem: V1Problem | null, body: HTMLElement | null) {
  if (!problem) return nothing;
  return html`<section
    part="statement"
    class="statement"
    aria-labelledby="statement-title"
    tabindex="0"
  >
    <h2 id="statement-title">${problem.name}</h2>
    ${body}
  </section>`;
}

export interface FrameModel {
  locale: string;
  statement: TemplateResult | typeof nothing;
  notice: TemplateResult | typeof nothing;
  /** the widget could not start: the work area and results are hidden */
  failed: boolean;
  toolbar: TemplateResult;
  /** inside the editor box, before CodeMirror's own DOM: the shell's placeholder, else nothing */
  editor: TemplateResult | typeof nothing;
  hint: string;
  input: TemplateResult | typeof nothing;
  resultsLabel: string;
  stale: boolean;
  status: TemplateResult | typeof nothing;
  details: TemplateResult | typeof nothing;
  announcement: string;
}

/**
 * The whole widget. The shell and the loaded element render through this one template, so when
 * the element's code arrives Lit updates the shell's nodes in place (same boxes, same focus)
 * instead of replacing them.
 */
export function renderFrame(f: FrameModel): TemplateResult {
  return html`<div class="frame" lang=${f.locale}>
    ${f.statement} ${f.notice}
    <div class="work" ?hidden=${f.failed}>
      ${f.toolbar}
      <div class="editor" part="editor">${f.editor}</div>
      ${f.hint ? html`<p id="hint" class="hint">${f.hint}</p>` : nothing} ${f.input}
    </div>
    <section
      part="results"
      class="results ${f.stale ? 'stale' : ''}"
      aria-label=${f.resultsLabel}
      ?hidden=${f.failed}
    >
      <div part="status" class="status">${f.status}</div>
      ${f.details}
    </section>
    <div part="announcer" class="sr-only" role="status" aria-live="polite" aria-atomic="true">
      ${f.announcement}
    </div>
  </div>`;
}
