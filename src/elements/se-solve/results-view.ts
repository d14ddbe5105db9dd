/** Rendering of results: the status line (announced) and the details below it. */
import { html, nothing, type TemplateResult } from 'lit';
import { Status } from '../../shared/status.js';
import type { V1Result, V1Stream, V1TestResult } from '../../shared/v1.js';
import type { LineMark } from '../editor/message-lines.js';
import type { SeTaskKind } from '../events.js';
import { statusText, type Messages } from '../i18n/index.js';
import { icon, type IconName } from './icons.js';

/** The icon and tone of a final status: tone drives colour, never the only signal. */
export function statusLook(code: number): { icon: IconName; tone: 'ok' | 'fail' | 'warn' } {
  if (code === Status.Accepted) return { icon: 'ok', tone: 'ok' };
  if (code === Status.TimeLimitExceeded) return { icon: 'clock', tone: 'fail' };
  if (code === Status.WrongAnswer || code === Status.RuntimeError)
    return { icon: 'fail', tone: 'fail' };
  return { icon: 'alert', tone: code === Status.CompilationError ? 'fail' : 'warn' };
}

/** The final status in words: a run that ended normally is "Finished", not "Accepted". */
export function finalWords(m: Messages, kind: SeTaskKind, code: number): string {
  return kind === 'run' && code === Status.Accepted ? m.statusSuccess : statusText(m, code);
}

/** One sentence to announce after the status words: tests passed, or the line of an error. */
export function summaryOf(m: Messages, r: V1Result, marks: LineMark[]): string {
  const tests = r.result.testcases;
  const code = r.result.status.code;
  const first = marks.find((x) => x.severity === 'error');
  if (code === Status.CompilationError && first) return m.errorOnLine(first.line);
  if (code === Status.RuntimeError && first) return m.runtimeErrorOnLine(first.line);
  if (tests?.length)
    return m.testsPassed(
      tests.filter((t) => t.status.code === Status.Accepted).length,
      tests.length,
    );
  return '';
}

export interface DetailsContext {
  m: Messages;
  locale: string;
  stale: boolean;
  expectedVsGot: boolean;
}

function num(locale: string, n: number, digits = 2): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n);
}

function bytes(locale: string, n: number): string {
  if (n < 1024) return `${num(locale, n, 0)} B`;
  if (n < 1024 * 1024) return `${num(locale, n / 1024, 1)} KB`;
  return `${num(locale, n / 1024 / 1024, 1)} MB`;
}

function stream(
  c: DetailsContext,
  title: string,
  s: V1Stream | null | undefined,
  cls: string,
  emptyText?: string,
): TemplateResult | typeof nothing {
  if (!s) return nothing;
  if (!s.text && !s.truncated && !emptyText) return nothing;
  const shown = new TextEncoder().encode(s.text).length;
  return html`<div class="stream ${cls}">
    <h3>${title}</h3>
    ${
      s.text || !emptyText
        ? html`<pre tabindex="0">${s.text}</pre>`
        : html`<p class="muted">${emptyText}</p>`
    }
    ${
      s.truncated
        ? html`<p class="note">
            ${icon('alert')}
            <span>${c.m.cut(bytes(c.locale, shown), bytes(c.locale, s.size))}</span>
          </p>`
        : nothing
    }
  </div>`;
}

function testRow(c: DetailsContext, t: V1TestResult): TemplateResult {
  const look = statusLook(t.status.code);
  return html`<tr>
    <th scope="row">${t.number}</th>
    <td class="tone-${look.tone}">${icon(look.icon)} ${statusText(c.m, t.status.code)}</td>
    <td>${t.time === null ? '–' : c.m.seconds(num(c.locale, t.time))}</td>
    <td>${t.memory === null ? '–' : c.m.kilobytes(num(c.locale, t.memory, 0))}</td>
  </tr>`;
}

function diffOf(c: DetailsContext, t: V1TestResult): TemplateResult | typeof nothing {
  if (!c.expectedVsGot || (!t.expected && !t.got)) return nothing;
  return html`<details class="diff">
    <summary>${c.m.expectedVsGot(t.number)}</summary>
    <div class="diff-panes">
      ${stream(c, c.m.expected, t.expected, 'expected', c.m.noOutput)}
      ${stream(c, c.m.got, t.got, 'got', c.m.noOutput)}
    </div>
  </details>`;
}

/** Everything below the status line: metrics, streams, per-test table, expected vs got. */
export function renderDetails(c: DetailsContext, r: V1Result): TemplateResult {
  const b = r.result;
  const m = c.m;
  const metrics: Array<[string, string]> = [];
  if (b.time !== null) metrics.push([m.time, m.seconds(num(c.locale, b.time))]);
  if (b.memory !== null) metrics.push([m.memory, m.kilobytes(num(c.locale, b.memory, 0))]);
  if (b.score !== null && r.kind === 'submission') metrics.push([m.score, num(c.locale, b.score)]);
  if (b.signal) metrics.push([m.signal, `${b.signal}${b.signalDesc ? ` (${b.signalDesc})` : ''}`]);
  const tests = b.testcases ?? [];
  return html`
    ${c.stale ? html`<p class="note stale-note">${icon('stale')} <span>${m.stale}</span></p>` : nothing}
    ${
      metrics.length
        ? html`<dl class="metrics">
            ${metrics.map(
              ([k, v]) =>
                html`<div>
                  <dt>${k}</dt>
                  <dd>${v}</dd>
                </div>`,
            )}
          </dl>`
        : nothing
    }
    ${stream(c, m.compilerMessages, b.cmpinfo, 'cmpinfo')}
    ${
      b.output && b.status.code !== Status.CompilationError
        ? stream(c, m.output, b.output, 'output', m.noOutput)
        : nothing
    }
    ${stream(c, m.errorStream, b.error, 'stderr')}
    ${
      tests.length
        ? html`<div class="tests">
            <table>
              <caption>
                ${m.testCases}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${m.testNumber}</th>
                  <th scope="col">${m.status}</th>
                  <th scope="col">${m.time}</th>
                  <th scope="col">${m.memory}</th>
                </tr>
              </thead>
              <tbody>
                ${tests.map((t) => testRow(c, t))}
              </tbody>
            </table>
            ${tests.map((t) => diffOf(c, t))}
          </div>`
        : nothing
    }
  `;
}
