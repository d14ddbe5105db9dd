/** The parts of `<se-solve>`'s template, as functions of what they show. */
import { html, nothing, type TemplateResult } from 'lit';
import type { SeErrorDetail } from '../events.js';
import type { Messages } from '../i18n/en.js';
import { statusText } from '../i18n/status-text.js';
import { icon } from './icons.js';
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

/**
 * The visible status line while a task is on its way (not a live region: `announcement` is what
 * is announced). The final status is the results view's (`renderFinalStatus`).
 */
export function renderStatus(m: Messages, t: TaskController): TemplateResult | typeof nothing {
  if (t.phase === 'sending') return html`${icon('busy')}<span>${m.sending}</span>`;
  if (t.phase === 'waiting')
    return html`${icon('busy')}<span
        >${t.status ? statusText(m, t.status.code) : m.status_0}…</span
      >`;
  if (t.phase === 'stopped') return html`${icon('alert')}<span>${m.stopped}</span>`;
  return nothing;
}

/**
 * What the live region says: once when the task was accepted, once with the verdict (the results
 * view's `verdictText`); nothing for the interim statuses (they would make a screen reader talk
 * five times per submit).
 */
export function announcement(m: Messages, t: TaskController): string {
  if (t.phase === 'waiting') return m.sent;
  if (t.phase === 'stopped') return m.stopped;
  return '';
}
