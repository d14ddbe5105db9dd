/**
 * Rendering of results: the final status line, the announcement, and the details below them. A
 * chunk of its own in the script-tag bundle, loaded with the first run or submission.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { Status } from '../../shared/status.js';
import type { V1Result, V1Stream, V1TestResult } from '../../shared/v1.js';
import type { LineMark } from '../editor/message-lines.js';
import type { SeTaskKind } from '../events.js';
import type { Messages } from '../i18n/en.js';
import { statusText } from '../i18n/status-text.js';
import { icon, type IconName } from './icons.js';
import {
  firstDifference,
  firstFailed,
  formatBytes,
  isSyntaxError,
  reasonOf,
  shownStatus,
} from './reasons.js';

export { lineMarks } from '../editor/message-lines.js';

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

/** Tests are numbered from 0 by the API, from 1 for people. */
export const testLabel = (t: V1TestResult) => t.number + 1;

/** One sentence after the status words: the line of an error, the failed test, tests passed. */
export function summaryOf(m: Messages, r: V1Result, marks: LineMark[]): string {
  const tests = r.result.testcases;
  const code = shownStatus(r);
  const first = marks.find((x) => x.severity === 'error');
  if (code === Status.CompilationError && first) return m.errorOnLine(first.line);
  if (code === Status.RuntimeError && first) return m.runtimeErrorOnLine(first.line);
  if (tests?.length) {
    const passed = m.testsPassed(
      tests.filter((t) => t.status.code === Status.Accepted).length,
      tests.length,
    );
    const failed = firstFailed(r);
    return failed ? `${m.failedTest(testLabel(failed))} ${passed}` : passed;
  }
  return '';
}

/** The status line of a finished task: icon, words, summary. */
export function renderFinalStatus(m: Messages, r: V1Result, marks: LineMark[]): TemplateResult {
  const code = shownStatus(r);
  const look = statusLook(code);
  const summary = summaryOf(m, r, marks);
  return html`<span class="tone-${look.tone}">${icon(look.icon)}</span>
    <span class="words tone-${look.tone}">${finalWords(m, r.kind, code)}.</span>
    ${summary ? html`<span class="summary">${summary}</span>` : nothing}`;
}

/** The whole verdict as one announcement: status words, reason, summary. */
export function verdictText(m: Messages, locale: string, r: V1Result, marks: LineMark[]): string {
  const words = `${finalWords(m, r.kind, shownStatus(r))}.`;
  return [words, reasonOf(m, locale, r), summaryOf(m, r, marks)].filter(Boolean).join(' ');
}

export interface DetailsContext {
  m: Messages;
  locale: string;
  stale: boolean;
  expectedVsGot: boolean;
  /** the problem has a score (not a pass/fail one) */
  scored: boolean;
}

function num(locale: string, n: number, digits = 2): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n);
}

function stream(
  c: DetailsContext,
  title: string,
  s: V1Stream | null | undefined,
  cls: string,
  emptyText?: string,
  mark: number | null = null,
): TemplateResult | typeof nothing {
  if (!s) return nothing;
  if (!s.text && !s.truncated && !emptyText) return nothing;
  const shown = new TextEncoder().encode(s.text).length;
  const lines = s.text.split('\n');
  const body =
    mark === null
      ? s.text
      : lines.map((line, i) =>
          i + 1 === mark
            ? html`<mark class="diff-line">${line}</mark>${i + 1 < lines.length ? '\n' : ''}`
            : `${line}${i + 1 < lines.length ? '\n' : ''}`,
        );
  return html`<div class="stream ${cls}">
    <h3>${title}</h3>
    ${
      s.text || !emptyText
        ? html`<pre tabindex="0">${body}</pre>`
        : html`<p class="muted">${emptyText}</p>`
    }
    ${
      s.truncated
        ? html`<p class="note">
            ${icon('alert')}
            <span>${c.m.cut(formatBytes(c.locale, shown), formatBytes(c.locale, s.size))}</span>
          </p>`
        : nothing
    }
  </div>`;
}

function timeCell(c: DetailsContext, t: V1TestResult): string {
  if (t.time === null || !ran(t.status.code)) return '–';
  const time = c.m.seconds(num(c.locale, t.time));
  if (t.timeLimit === null || t.timeLimit === undefined) return time;
  const limit = num(c.locale, t.timeLimit);
  return t.status.code === Status.TimeLimitExceeded
    ? `${time}, ${c.m.overLimit(limit)}`
    : `${time} (${c.m.underLimit(limit)})`;
}

/** A status where the program ran (so its time and memory were measured). */
function ran(code: number): boolean {
  return (
    code !== Status.CompilationError &&
    code !== Status.InternalError &&
    code !== Status.JudgeError &&
    code !== Status.ProblemError &&
    code > Status.Testing
  );
}

function testRow(c: DetailsContext, t: V1TestResult): TemplateResult {
  const look = statusLook(t.status.code);
  return html`<tr>
    <th scope="row">${testLabel(t)}</th>
    <td class="tone-${look.tone}">${icon(look.icon)} ${statusText(c.m, t.status.code)}</td>
    <td>${timeCell(c, t)}</td>
    <td>
      ${
        t.memory === null || !t.memory || !ran(t.status.code)
          ? '–'
          : c.m.kilobytes(num(c.locale, t.memory, 0))
      }
    </td>
  </tr>`;
}

/** Expected and produced output of the failed test, open, side by side, the first difference marked. */
function diffOf(c: DetailsContext, t: V1TestResult): TemplateResult | typeof nothing {
  if (!c.expectedVsGot || (!t.expected && !t.got)) return nothing;
  // A test that ran out of time or memory produced no output worth comparing.
  if (t.status.code !== Status.WrongAnswer && !t.got?.text) return nothing;
  const at = firstDifference(t.expected?.text ?? '', t.got?.text ?? '');
  return html`<details class="diff" open>
    <summary>${c.m.expectedVsGot(testLabel(t))}</summary>
    ${at !== null ? html`<p class="muted">${c.m.firstDifference(at)}</p>` : nothing}
    <div class="diff-panes">
      ${stream(c, c.m.expected, t.expected, 'expected', c.m.noOutput, at)}
      ${stream(c, c.m.got, t.got, 'got', c.m.noOutput, at)}
    </div>
  </details>`;
}

/** Everything below the status line: reason, metrics, streams, per-test table, expected vs got. */
export function renderDetails(c: DetailsContext, r: V1Result): TemplateResult {
  const b = r.result;
  const m = c.m;
  const code = shownStatus(r);
  const tests = b.testcases ?? [];
  const failed = firstFailed(r);
  const metrics: Array<[string, string]> = [];
  if (ran(code)) {
    if (tests.length) {
      // The sum over tests says nothing to a learner; the slowest test, against its limit, does.
      const slowest = tests.reduce<V1TestResult | null>(
        (a, t) => (t.time !== null && (a === null || t.time > (a.time ?? 0)) ? t : a),
        null,
      );
      if (slowest?.time !== null && slowest) metrics.push([m.slowestTest, timeCell(c, slowest)]);
    } else if (b.time !== null) {
      metrics.push([m.time, m.seconds(num(c.locale, b.time))]);
    }
    if (b.memory) metrics.push([m.memory, m.kilobytes(num(c.locale, b.memory, 0))]);
  }
  if (b.score !== null && r.kind === 'submission' && c.scored)
    metrics.push([m.score, num(c.locale, b.score)]);
  const reason = reasonOf(m, c.locale, r);
  const syntax = isSyntaxError(r);
  // The Problems module's output stream holds the first failed test's output: say so.
  const outputTitle =
    failed && r.kind === 'submission' ? m.outputOfTest(testLabel(failed)) : m.output;
  const showOutput = b.output && code !== Status.CompilationError && !failed?.got;
  return html`
    ${c.stale ? html`<p class="note stale-note">${icon('stale')} <span>${m.stale}</span></p>` : nothing}
    ${reason ? html`<p class="reason">${reason}</p>` : nothing}
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
    ${syntax ? stream(c, m.compilerMessages, b.error, 'cmpinfo') : nothing}
    ${failed?.input ? stream(c, `${m.testInput} (${m.testNumber} ${testLabel(failed)})`, failed.input, 'test-input') : nothing}
    ${failed ? diffOf(c, failed) : nothing}
    ${showOutput ? stream(c, outputTitle, b.output, 'output', m.noOutput) : nothing}
    ${syntax ? nothing : stream(c, m.errorStream, b.error, 'stderr')}
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
          </div>`
        : nothing
    }
  `;
}
