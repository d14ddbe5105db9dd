/** The parts of `<se-solve>`'s template, as functions of what they show. */
import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { V1Language, V1Problem, V1Result } from '../../shared/v1.js';
import type { LineMark } from '../editor/message-lines.js';
import type { SeErrorDetail, SeTaskKind } from '../events.js';
import { statusText, type Messages } from '../i18n/index.js';
import { icon } from './icons.js';
import { finalWords, statusLook, summaryOf, verdictText } from './results-view.js';
import { shownStatus } from './reasons.js';
import type { TaskController } from './task-controller.js';

export interface Notice {
  code: SeErrorDetail['code'];
  text: string;
  /** the widget could not start: offer to try again (when trying again can help) */
  retry: boolean;
}

/** A refusal in words: what is wrong, who can fix it, with the backend's figures. */
export function noticeText(m: Messages, locale: string, d: SeErrorDetail, widget: string): string {
  const x = d.details ?? {};
  const n = (v: number) => new Intl.NumberFormat(locale).format(v);
  const bytes = (v: number | undefined) => (v === undefined ? '' : `${n(v)} B`);
  switch (d.code) {
    case 'network':
      return m.unreachable;
    case 'token_expired':
      return m.sessionExpired;
    case 'unauthorized':
      return x.reason === 'invalid_token' ? m.tokenInvalid : m.sessionExpired;
    case 'origin_not_allowed':
      return m.originNotAllowed(x.origin ?? location.origin, x.widget ?? widget);
    case 'forbidden':
      return x.reason === 'not_public' ? m.notPublic(x.widget ?? widget) : m.forbidden;
    case 'not_found':
      return x.reason === 'no_widget' ? m.noWidget(x.widget ?? widget) : m.serverError;
    case 'rate_limited':
      return x.retryAfter ? m.rateLimitedFor(n(x.retryAfter)) : m.rateLimited;
    case 'too_large':
      return x.limit !== undefined
        ? m.tooLargeBy(x.what ?? 'body', bytes(x.size), bytes(x.limit))
        : m.tooLarge;
    case 'not_configured':
      return m.notConfigured;
    default:
      return m.serverError;
  }
}

/** Refusals that trying again cannot cure: the author has to change something. */
export function authorMustFix(d: SeErrorDetail): boolean {
  const reason = d.details?.reason;
  return (
    d.code === 'not_configured' ||
    d.code === 'origin_not_allowed' ||
    reason === 'not_public' ||
    reason === 'no_widget' ||
    reason === 'invalid_token'
  );
}

export function renderNotice(
  m: Messages,
  notice: Notice | null,
  retry: () => void,
): TemplateResult | typeof nothing {
  if (!notice) return nothing;
  return html`<div part="message" class="message" role="alert">
    ${icon('alert')}<span>${notice.text}</span>
    ${notice.retry ? html`<button class="secondary" @click=${retry}>${m.retry}</button>` : nothing}
  </div>`;
}

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

/** The visible status line (not a live region: `announcement` is what is announced). */
export function renderStatus(
  m: Messages,
  locale: string,
  t: TaskController,
  result: V1Result | null,
  marks: LineMark[],
): TemplateResult | typeof nothing {
  if (t.phase === 'sending') return html`${icon('busy')}<span>${m.sending}</span>`;
  if (t.phase === 'waiting')
    return html`${icon('busy')}<span
        >${t.status ? statusText(m, t.status.code) : m.status_0}…</span
      >`;
  if (t.phase === 'stopped') return html`${icon('alert')}<span>${m.stopped}</span>`;
  if (t.phase === 'done' && result) {
    const code = shownStatus(result);
    const look = statusLook(code);
    const summary = summaryOf(m, result, marks);
    return html`<span class="tone-${look.tone}">${icon(look.icon)}</span>
      <span class="words tone-${look.tone}">${finalWords(m, result.kind, code)}.</span>
      ${summary ? html`<span class="summary">${summary}</span>` : nothing}`;
  }
  return nothing;
}

/**
 * What the live region says: once when the task was accepted, once with the verdict; nothing for
 * the interim statuses (they would make a screen reader talk five times per submit).
 */
export function announcement(
  m: Messages,
  locale: string,
  t: TaskController,
  result: V1Result | null,
  marks: LineMark[],
): string {
  if (t.phase === 'waiting') return m.sent;
  if (t.phase === 'stopped') return m.stopped;
  if (t.phase === 'done' && result) return verdictText(m, locale, result, marks);
  return '';
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
