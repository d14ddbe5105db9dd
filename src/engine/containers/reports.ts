/**
 * Tests reports (WORKSPACE.md, "Tests report"): the JSON array the hosted projects produce, or
 * JUnit/xUnit XML, converted here, engine-side, by a small strict reader (no DOCTYPE or entity
 * declarations: no entity expansion; capped size and count).
 */
import * as v from 'valibot';

export interface TestsReportEntry {
  name: string;
  classname: string;
  status: 'ok' | 'failure' | 'error';
  time: number;
  error?: string;
  failure?: string;
}

const MAX_BYTES = 4 * 1024 * 1024;
const MAX_TESTS = 10_000;

const entrySchema = v.object({
  name: v.string(),
  classname: v.optional(v.string(), ''),
  status: v.picklist(['ok', 'failure', 'error']),
  time: v.optional(v.pipe(v.number(), v.minValue(0)), 0),
  error: v.optional(v.nullable(v.string())),
  failure: v.optional(v.nullable(v.string())),
});
const reportSchema = v.pipe(v.array(entrySchema), v.maxLength(MAX_TESTS));

export type ParsedReport =
  { ok: true; entries: TestsReportEntry[]; json: string } | { ok: false; reason: string };

/** The entries of a report (JSON array or JUnit XML), and their normalized JSON text. */
export function parseTestsReport(data: Buffer): ParsedReport {
  if (data.length > MAX_BYTES) return { ok: false, reason: 'the report is over 4 MiB' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data).replace(/^\uFEFF/, '');
  } catch {
    return { ok: false, reason: 'the report is not UTF-8 text' };
  }
  const start = text.trimStart();
  let entries: TestsReportEntry[];
  try {
    if (start.startsWith('[')) entries = fromJson(start);
    else if (start.startsWith('<')) entries = fromJUnit(start);
    else return { ok: false, reason: 'the report is neither a JSON array nor JUnit XML' };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  return { ok: true, entries, json: JSON.stringify(entries) };
}

function fromJson(text: string): TestsReportEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`not valid JSON (${(err as Error).message})`);
  }
  const r = v.safeParse(reportSchema, value);
  if (!r.success) {
    const path = v.getDotPath(r.issues[0]);
    throw new Error(`${path ? `${path}: ` : ''}${r.issues[0].message}`);
  }
  return r.output.map((e) => ({
    name: e.name,
    classname: e.classname,
    status: e.status,
    time: e.time,
    ...(e.error ? { error: e.error } : {}),
    ...(e.failure ? { failure: e.failure } : {}),
  }));
}

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** JUnit/xUnit XML: every `<testcase>`, with `<failure>`, `<error>`; skipped ones are left out. */
function fromJUnit(text: string): TestsReportEntry[] {
  const root = parseXml(text);
  const out: TestsReportEntry[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === 'testcase') {
      if (e.children.some((c) => c.name === 'skipped')) return;
      const failure = e.children.find((c) => c.name === 'failure');
      const error = e.children.find((c) => c.name === 'error');
      const message = (x: XmlElement) =>
        (x.attrs.message ?? '') + (x.text.trim() ? `\n${x.text.trim()}` : '');
      const time = Number(e.attrs.time ?? 0);
      out.push({
        name: e.attrs.name ?? '',
        classname: e.attrs.classname ?? e.attrs.class ?? '',
        status: error ? 'error' : failure ? 'failure' : 'ok',
        time: Number.isFinite(time) && time >= 0 ? time : 0,
        ...(failure ? { failure: message(failure).trim() } : {}),
        ...(error ? { error: message(error).trim() } : {}),
      });
      if (out.length > MAX_TESTS) throw new Error(`the report holds more than ${MAX_TESTS} tests`);
      return;
    }
    for (const c of e.children) walk(c);
  };
  walk(root);
  if (root.name !== 'testsuites' && root.name !== 'testsuite')
    throw new Error(`the XML report's root is <${root.name}>, not <testsuites> or <testsuite>`);
  return out;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    const x = ENTITIES[e];
    if (x === undefined) throw new Error(`the XML report uses an unknown entity ${m}`);
    return x;
  });
}

/** A strict reader of the XML subset reports use: elements, attributes, text, CDATA, comments. */
function parseXml(text: string): XmlElement {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`malformed XML report at character ${at}: ${why}`);
  };
  const skipMisc = () => {
    for (;;) {
      while (/\s/.test(text[at] ?? '')) at++;
      if (text.startsWith('<?', at)) {
        const end = text.indexOf('?>', at);
        if (end < 0) fail('an unclosed <?');
        at = end + 2;
      } else if (text.startsWith('<!--', at)) {
        const end = text.indexOf('-->', at);
        if (end < 0) fail('an unclosed comment');
        at = end + 3;
      } else if (text.startsWith('<!', at) && !text.startsWith('<![CDATA[', at)) {
        fail('DOCTYPE and entity declarations are refused');
      } else return;
    }
  };
  const NAME = /[A-Za-z_:][\w:.-]*/y;
  const readName = () => {
    NAME.lastIndex = at;
    const m = NAME.exec(text);
    if (!m) fail('a name was expected');
    at += m![0].length;
    return m![0];
  };
  const element = (depth: number): XmlElement => {
    if (depth > 64) fail('elements nest too deep');
    if (text[at] !== '<') fail('"<" was expected');
    at++;
    const name = readName();
    const attrs: Record<string, string> = {};
    for (;;) {
      while (/\s/.test(text[at] ?? '')) at++;
      if (text.startsWith('/>', at)) {
        at += 2;
        return { name, attrs, children: [], text: '' };
      }
      if (text[at] === '>') {
        at++;
        break;
      }
      const key = readName();
      while (/\s/.test(text[at] ?? '')) at++;
      if (text[at] !== '=') fail('"=" was expected');
      at++;
      while (/\s/.test(text[at] ?? '')) at++;
      const q = text[at];
      if (q !== '"' && q !== "'") fail('a quoted value was expected');
      const end = text.indexOf(q!, at + 1);
      if (end < 0) fail('an unclosed attribute value');
      attrs[key] = decode(text.slice(at + 1, end));
      at = end + 1;
    }
    const children: XmlElement[] = [];
    let body = '';
    for (;;) {
      if (at >= text.length) fail(`<${name}> is not closed`);
      if (text.startsWith('</', at)) {
        at += 2;
        if (readName() !== name) fail(`</${name}> was expected`);
        while (/\s/.test(text[at] ?? '')) at++;
        if (text[at] !== '>') fail('">" was expected');
        at++;
        return { name, attrs, children, text: body };
      }
      if (text.startsWith('<![CDATA[', at)) {
        const end = text.indexOf(']]>', at);
        if (end < 0) fail('an unclosed CDATA section');
        body += text.slice(at + 9, end);
        at = end + 3;
      } else if (text.startsWith('<!--', at)) {
        const end = text.indexOf('-->', at);
        if (end < 0) fail('an unclosed comment');
        at = end + 3;
      } else if (text.startsWith('<!', at) || text.startsWith('<?', at)) {
        fail('declarations are refused inside elements');
      } else if (text[at] === '<') {
        children.push(element(depth + 1));
      } else {
        const end = text.indexOf('<', at);
        body += decode(text.slice(at, end < 0 ? text.length : end));
        at = end < 0 ? text.length : end;
      }
    }
  };
  skipMisc();
  const root = element(0);
  skipMisc();
  if (at < text.length) fail('text after the root element');
  return root;
}
