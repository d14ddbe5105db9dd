/**
 * Tests reports: what a test stage writes to `$SE_TESTS_REPORT`, read engine-side into the
 * `tests_report` stream.
 *
 * Two formats are accepted: the JSON array of WORKSPACE.md (`[{name, classname, status: "ok" |
 * "failure" | "error", time, error?, failure?}]`), and JUnit/xUnit XML (`<testsuites>` or
 * `<testsuite>` holding `<testcase name classname time>`, with `<failure>`, `<error>` or
 * `<skipped>` inside), converted here. Skipped test cases are left out. The XML reader is small and
 * strict: no DOCTYPE or entity declarations (so no entity expansion), only the five predefined
 * entities and numeric references.
 */
import * as v from 'valibot';
import { required } from '../../shared/schema.js';

/** One test case of a report. */
export interface TestsReportEntry {
  name: string;
  classname: string;
  status: 'ok' | 'failure' | 'error';
  /** seconds */
  time: number;
  error?: string;
  failure?: string;
}

/** A report, read: the entries and their JSON array (the `tests_report` stream). */
export type TestsReport =
  { ok: true; entries: TestsReportEntry[]; json: string } | { ok: false; reason: string };

export const REPORT_LIMITS = {
  bytes: 4 * 1024 * 1024,
  testcases: 10_000,
  /** nesting of XML elements */
  depth: 64,
} as const;

const entrySchema = v.object({
  name: required('"name" must be text', v.string('"name" must be text'), 'value'),
  classname: v.optional(v.string('"classname" must be text'), ''),
  status: required(
    '"status" must be "ok", "failure" or "error"',
    v.picklist(['ok', 'failure', 'error'], '"status" must be "ok", "failure" or "error"'),
  ),
  time: v.optional(
    v.pipe(
      v.number('"time" must be seconds (a number)'),
      v.finite('"time" must be seconds (a number)'),
      v.minValue(0, '"time" must not be negative'),
    ),
    0,
  ),
  error: v.optional(v.nullable(v.string('"error" must be text'))),
  failure: v.optional(v.nullable(v.string('"failure" must be text'))),
});

const reportSchema = v.pipe(
  v.array(
    v.pipe(
      v.custom<Record<string, unknown>>(
        (x) => typeof x === 'object' && x !== null && !Array.isArray(x),
        'must be an object {name, classname, status, time}',
      ),
      entrySchema,
    ),
    'must be a JSON array of test cases',
  ),
  v.maxLength(REPORT_LIMITS.testcases, `holds more than ${REPORT_LIMITS.testcases} test cases`),
);

/** Reads a tests report (JSON array or JUnit XML); a malformed one gives the reason. */
export function parseTestsReport(data: Buffer): TestsReport {
  if (data.length > REPORT_LIMITS.bytes) {
    return { ok: false, reason: `the report is larger than ${REPORT_LIMITS.bytes} bytes` };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return { ok: false, reason: 'the report is not UTF-8 text' };
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const first = /\S/.exec(text)?.[0];
  try {
    if (first === '[') return done(fromJson(text));
    if (first === '<') return done(fromJunit(parseXml(text)));
  } catch (err) {
    if (err instanceof ReportError) return { ok: false, reason: err.message };
    throw err;
  }
  return {
    ok: false,
    reason:
      first === undefined
        ? 'the report is empty'
        : 'the report is neither a JSON array nor JUnit XML',
  };
}

class ReportError extends Error {}

function done(entries: TestsReportEntry[]): TestsReport {
  return { ok: true, entries, json: JSON.stringify(entries) };
}

/** The entry with its keys in the stream's order and no empty optional keys. */
function entry(
  name: string,
  classname: string,
  status: TestsReportEntry['status'],
  time: number,
  detail?: string | null,
): TestsReportEntry {
  const e: TestsReportEntry = { name, classname, status, time };
  if (status === 'error') e.error = detail ?? '';
  if (status === 'failure') e.failure = detail ?? '';
  return e;
}

function fromJson(text: string): TestsReportEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ReportError(`the report is not JSON (${(err as Error).message})`);
  }
  const r = v.safeParse(reportSchema, value, { abortEarly: true });
  if (!r.success) {
    const issue = r.issues[0];
    const index = issue.path?.find((p) => typeof p.key === 'number')?.key;
    throw new ReportError(
      `the report${index === undefined ? '' : `, entry ${String(index)},`} ${issue.message}`,
    );
  }
  return r.output.map((e) =>
    entry(
      e.name,
      e.classname,
      e.status,
      e.time,
      e.status === 'error' ? e.error : e.status === 'failure' ? e.failure : null,
    ),
  );
}

// --- JUnit XML

/** An XML element: its name, attributes, children and text (character data and CDATA). */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

function fromJunit(root: XmlElement): TestsReportEntry[] {
  if (root.name !== 'testsuites' && root.name !== 'testsuite') {
    throw new ReportError(
      `the XML report's root is <${root.name}>; JUnit reports start with <testsuites> or <testsuite>`,
    );
  }
  const out: TestsReportEntry[] = [];
  const visit = (el: XmlElement, suite: string) => {
    for (const child of el.children) {
      if (child.name === 'testsuite' || child.name === 'testsuites') {
        visit(child, child.attrs.name ?? suite);
      } else if (child.name === 'testcase') {
        const e = testcase(child, suite);
        if (!e) continue;
        if (out.length >= REPORT_LIMITS.testcases) {
          throw new ReportError(`the report holds more than ${REPORT_LIMITS.testcases} test cases`);
        }
        out.push(e);
      }
    }
  };
  visit(root, root.attrs.name ?? '');
  return out;
}

function testcase(el: XmlElement, suite: string): TestsReportEntry | null {
  const name = el.attrs.name;
  if (name === undefined) throw new ReportError('a <testcase> has no name attribute');
  const classname = el.attrs.classname ?? suite;
  let time = 0;
  if (el.attrs.time !== undefined && el.attrs.time.trim() !== '') {
    time = Number(el.attrs.time);
    if (!Number.isFinite(time) || time < 0) {
      throw new ReportError(
        `<testcase name="${name}">: time="${el.attrs.time}" is not seconds (a non-negative number)`,
      );
    }
  }
  const find = (n: string) => el.children.filter((c) => c.name === n);
  const errors = find('error');
  const failures = find('failure');
  if (errors.length) return entry(name, classname, 'error', time, details(errors));
  if (failures.length) return entry(name, classname, 'failure', time, details(failures));
  if (find('skipped').length) return null;
  return entry(name, classname, 'ok', time);
}

/** A failure's text: its message attribute and its content (once when one holds the other). */
function details(els: XmlElement[]): string {
  return els
    .map((el) => {
      const message = (el.attrs.message ?? '').trim();
      const body = el.text.trim();
      if (!message) return body;
      if (!body || body.includes(message)) return body || message;
      return `${message}\n${body}`;
    })
    .join('\n');
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const SPACE = /[ \t\r\n]*/y;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Parses an XML document into its root element. Strict: one root, matched end tags, quoted and
 * unique attributes, no DOCTYPE or entity declarations, known entities only.
 */
export function parseXml(text: string): XmlElement {
  let i = 0;
  const fail = (what: string): never => {
    const line = text.slice(0, i).split('\n').length;
    throw new ReportError(`the XML report is malformed at line ${line}: ${what}`);
  };
  const skipSpace = () => {
    SPACE.lastIndex = i;
    SPACE.exec(text);
    i = SPACE.lastIndex;
  };
  const name = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(text);
    if (!m) return fail('expected a name');
    i = NAME.lastIndex;
    return m[0];
  };
  const decode = (raw: string): string =>
    raw.replace(/&([^;&<]*);|&/g, (all, ref: string | undefined) => {
      if (ref === undefined) return fail('a "&" that starts no entity (write &amp;)');
      if (ENTITIES[ref] !== undefined) return ENTITIES[ref];
      const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
      if (m) {
        const cp = m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
        const valid =
          cp === 0x9 ||
          cp === 0xa ||
          cp === 0xd ||
          (cp >= 0x20 && cp <= 0xd7ff) ||
          (cp >= 0xe000 && cp <= 0xfffd) ||
          (cp >= 0x10000 && cp <= 0x10ffff);
        if (!valid) return fail(`${all} is not a character XML allows`);
        return String.fromCodePoint(cp);
      }
      return fail(`unknown entity ${all} (only &lt; &gt; &amp; &quot; &apos; and &#N;)`);
    });
  /** Moves `i` past the next `close` from `from`; answers where `close` starts. */
  const skipPast = (close: string, from: number, what: string): number => {
    const end = text.indexOf(close, from);
    if (end < 0) fail(`${what} that does not end`);
    i = end + close.length;
    return end;
  };
  /**
   * Skips a comment or a processing instruction at `i` and answers true; refuses a declaration;
   * answers false at anything else (CDATA included).
   */
  const skipMarkup = (): boolean => {
    if (text.startsWith('<!--', i)) skipPast('-->', i + 4, 'a comment');
    else if (text.startsWith('<?', i)) skipPast('?>', i + 2, 'a processing instruction');
    else if (text.startsWith('<!', i) && !text.startsWith('<![CDATA[', i)) {
      fail('DOCTYPE and entity declarations are not accepted');
    } else return false;
    return true;
  };
  /** Skips comments, processing instructions and space between markup; refuses declarations. */
  const misc = (): void => {
    do skipSpace();
    while (skipMarkup());
  };

  misc();
  if (text[i] !== '<' || text.startsWith('</', i) || text.startsWith('<!', i)) {
    fail('expected the root element');
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const textParts: string[][] = [];
  while (i < text.length) {
    if (stack.length === 0 && root) break;
    const lt = text.indexOf('<', i);
    if (stack.length > 0) {
      const chunk = text.slice(i, lt < 0 ? text.length : lt);
      if (chunk) textParts[stack.length - 1]!.push(decode(chunk));
    }
    if (lt < 0) fail(`<${stack[stack.length - 1]!.name}> is not closed`);
    i = lt;
    if (skipMarkup()) continue;
    if (text.startsWith('<![CDATA[', i)) {
      const start = i + 9;
      textParts[stack.length - 1]!.push(
        text.slice(start, skipPast(']]>', start, 'a CDATA section')),
      );
    } else if (text.startsWith('</', i)) {
      i += 2;
      const n = name();
      skipSpace();
      if (text[i] !== '>') fail(`expected ">" after </${n}`);
      i++;
      const open = stack.pop();
      if (!open) return fail(`</${n}> closes nothing`);
      if (open.name !== n) fail(`</${n}> closes <${open.name}>`);
      open.text = textParts.pop()!.join('');
      if (stack.length === 0) root = open;
    } else {
      i++;
      const el: XmlElement = { name: name(), attrs: {}, children: [], text: '' };
      for (;;) {
        const before = i;
        skipSpace();
        if (text[i] === '>' || text.startsWith('/>', i)) break;
        if (i === before) fail(`expected a space between attributes of <${el.name}>`);
        const a = name();
        skipSpace();
        if (text[i] !== '=') fail(`attribute ${a} of <${el.name}> has no value`);
        i++;
        skipSpace();
        const q = text[i];
        if (q !== '"' && q !== "'") fail(`the value of ${a} must be quoted`);
        const end = text.indexOf(q!, i + 1);
        if (end < 0) fail(`the value of ${a} does not end`);
        const raw = text.slice(i + 1, end);
        if (raw.includes('<')) fail(`the value of ${a} holds "<"`);
        if (Object.hasOwn(el.attrs, a)) fail(`<${el.name}> has attribute ${a} twice`);
        el.attrs[a] = decode(raw).replace(/[\t\n\r]/g, ' ');
        i = end + 1;
      }
      const selfClosing = text[i] === '/';
      i += selfClosing ? 2 : 1;
      if (stack.length) stack[stack.length - 1]!.children.push(el);
      if (selfClosing) {
        if (stack.length === 0) root = el;
      } else {
        if (stack.length >= REPORT_LIMITS.depth) {
          fail(`elements nested deeper than ${REPORT_LIMITS.depth}`);
        }
        stack.push(el);
        textParts.push([]);
      }
    }
  }
  if (!root) return fail(`<${stack[stack.length - 1]?.name ?? '?'}> is not closed`);
  misc();
  if (i < text.length) fail('content after the root element');
  return root;
}
