/** The JSON shapes of the Problems API's responses, built from store rows. */
import type {
  Judge,
  JudgeRef,
  JudgeSummary,
  Problem,
  ProblemSummary,
  ProblemsSubmission,
  ProblemsSubmissionStreams,
  ProblemsSubmissionSummary,
  ProblemTestcaseResult,
  Testcase,
  TestcaseSummary,
} from '../../shared/problems.js';
import { isTransient, statusName } from '../../shared/status.js';
import { formatDate, resultFigures, submissionCompiler } from '../api-common.js';
import { signalDesc } from '../exec/signals.js';
import type { LanguageInfo } from '../exec/types.js';
import { BUILTIN_JUDGES, JudgeType } from './judges/catalog.js';
import type { JudgeRow, ProblemRow, ProblemsStore, SubmissionRow, TestcaseMeta } from './store.js';

/** Where a response's `uri` fields point: this engine, as the client reached it. */
export interface Links {
  /** the module's base URL, e.g. `http://127.0.0.1:3100/problems/api/v4` */
  baseUrl: string;
  accessToken: string;
}

/** An absolute link to `path` under the module, with the access token as the spec shows it. */
export function link(l: Links, path: string, query: Record<string, string | number> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) q.set(k, String(v));
  q.set('access_token', l.accessToken);
  return `${l.baseUrl}${path}?${q}`;
}

export const PROBLEM_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'binary',
  1: 'minimize',
  2: 'maximize',
  4: 'percentage',
};

const JUDGE_TYPE_NAMES: Readonly<Record<number, string>> = {
  [JudgeType.testcase]: 'testcase',
  [JudgeType.master]: 'master',
};

/** The description cut to about 200 characters of plain text (tags dropped). */
export function shortBody(body: string): string {
  const plain = body
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  if (plain.length <= 200) return plain;
  const cut = plain.slice(0, 200);
  const space = cut.lastIndexOf(' ');
  return (space > 150 ? cut.slice(0, space) : cut) + '...';
}

/** A judge's name, built-in or custom; empty when it is gone. */
export function judgeName(store: ProblemsStore, id: number): string {
  return BUILTIN_JUDGES.get(id)?.name ?? store.getJudge(id)?.name ?? '';
}

function judgeRef(store: ProblemsStore, l: Links, id: number): JudgeRef {
  return { id, name: judgeName(store, id), uri: link(l, `/judges/${id}`) };
}

/** An item of `GET /problems`. */
export function problemItem(p: ProblemRow, l: Links, withShortBody: boolean): ProblemSummary {
  return {
    id: p.id,
    code: p.code,
    name: p.name,
    shortBody: withShortBody ? shortBody(p.body) : null,
    lastModified: { body: p.bodyModified, settings: p.settingsModified },
    permissions: { edit: true, clone: true },
    uri: link(l, `/problems/${p.id}`),
  };
}

/** `GET /problems/:id`. */
export function problemView(
  store: ProblemsStore,
  p: ProblemRow,
  l: Links,
  withShortBody: boolean,
): Problem {
  return {
    id: p.id,
    code: p.code,
    name: p.name,
    shortBody: withShortBody ? shortBody(p.body) : null,
    body: p.body,
    type: { id: p.typeId, name: PROBLEM_TYPE_NAMES[p.typeId] ?? 'binary' },
    interactive: p.interactive,
    masterjudge: judgeRef(store, l, p.masterjudgeId),
    testcases: store.listTestcases(p.id).map((t) => ({ number: t.number, active: t.active })),
    lastModified: { body: p.bodyModified, settings: p.settingsModified },
    permissions: { edit: true, clone: true },
  };
}

/** An item of `GET /problems/:id/testcases`. */
export function testcaseItem(
  store: ProblemsStore,
  p: ProblemRow,
  t: TestcaseMeta,
  l: Links,
): TestcaseSummary {
  return {
    number: t.number,
    active: t.active,
    limits: { time: t.timeLimit },
    judge: judgeRef(store, l, t.judgeId),
    uri: link(l, `/problems/${p.id}/testcases/${t.number}`),
  };
}

/** `GET /problems/:id/testcases/:number`. */
export function testcaseView(
  store: ProblemsStore,
  p: ProblemRow,
  t: TestcaseMeta,
  l: Links,
): Testcase {
  const base = `/problems/${p.id}/testcases/${t.number}`;
  return {
    number: t.number,
    active: t.active,
    input: { size: t.inputSize, uri: link(l, `${base}/input`) },
    output: { size: t.outputSize, uri: link(l, `${base}/output`) },
    limits: { time: t.timeLimit },
    judge: judgeRef(store, l, t.judgeId),
  };
}

/** A judge as the API shows it, built-in (`row` null) or custom. */
export interface JudgeShape {
  id: number;
  name: string;
  typeId: number;
  builtin: boolean;
  shared: boolean;
  sourceSize: number;
  compiler: { id: number; name: string; version: { id: number; name: string } };
}

/** A built-in or custom judge in one shape; `languages` names the custom judge's compiler. */
export function judgeShape(
  id: number,
  row: JudgeRow | null,
  languages: Map<number, LanguageInfo>,
): JudgeShape | null {
  const builtin = BUILTIN_JUDGES.get(id);
  if (builtin) {
    return {
      id,
      name: builtin.name,
      typeId: builtin.typeId,
      builtin: true,
      shared: true,
      sourceSize: Buffer.byteLength(builtin.description),
      // Built-in judges run inside the engine, not as a program of some language.
      compiler: { id: 0, name: 'built-in', version: { id: 0, name: 'engine' } },
    };
  }
  if (!row) return null;
  const lang = languages.get(row.compilerId);
  const version = lang?.versions.find((v) => v.id === row.compilerVersionId);
  return {
    id: row.id,
    name: row.name,
    typeId: row.typeId,
    builtin: false,
    shared: row.shared,
    sourceSize: row.source.length,
    compiler: {
      id: row.compilerId,
      name: lang?.name ?? '',
      version: { id: row.compilerVersionId, name: version?.name ?? '' },
    },
  };
}

/** An item of `GET /judges`. */
export function judgeItem(j: JudgeShape, l: Links): JudgeSummary {
  return {
    id: j.id,
    name: j.name,
    type: { id: j.typeId, name: JUDGE_TYPE_NAMES[j.typeId] ?? 'testcase' },
    visibility: { public: j.builtin, shared: j.shared },
    uri: link(l, `/judges/${j.id}`),
  };
}

/** `GET /judges/:id`. */
export function judgeView(j: JudgeShape, l: Links): Judge {
  return {
    id: j.id,
    name: j.name,
    type: { id: j.typeId, name: JUDGE_TYPE_NAMES[j.typeId] ?? 'testcase' },
    compiler: j.compiler,
    source: { size: j.sourceSize, uri: link(l, `/judges/${j.id}/source`) },
    visibility: { public: j.builtin, shared: j.shared },
  };
}

/**
 * The `source` stream: the source as sent, or in multi-file mode without one, every file after a
 * `// file: name` line.
 */
export function sourceStream(row: Pick<SubmissionRow, 'source' | 'files'>): Buffer {
  if (row.source.length > 0 || !row.files) return row.source;
  return Buffer.from(
    Object.entries(row.files)
      .map(([name, content]) => `// file: ${name}\n${content}${content.endsWith('\n') ? '' : '\n'}`)
      .join(''),
  );
}

function common(row: SubmissionRow, l: Links): Omit<ProblemsSubmissionSummary, 'uri'> {
  const executing = isTransient(row.status);
  const testcases: ProblemTestcaseResult[] = executing
    ? []
    : row.testcases.map((t) => ({
        number: t.number,
        status: { code: t.status, name: statusName(t.status) },
        score: t.score,
        time: t.time,
        memory: t.memory,
        signal: t.signal,
        signal_desc: signalDesc(t.signal),
        ...(t.reason ? { reason: t.reason } : {}), // extension (README, "Stop reasons")
      }));
  const decisive = row.testcases.find((t) => t.status === row.status && t.reason);
  return {
    id: row.id,
    executing,
    date: formatDate(row.createdAt),
    compiler: submissionCompiler(
      row.compilerId,
      row.compilerName,
      row.compilerVersionId,
      row.versionName,
    ),
    problem: {
      id: row.problemId,
      code: row.problemCode,
      name: row.problemName,
      uri: link(l, `/problems/${row.problemId}`),
    },
    result: {
      status: { code: row.status, name: statusName(row.status) },
      score: executing ? null : row.score,
      ...resultFigures(executing, row),
      signal_desc: executing || row.signal === null ? null : signalDesc(row.signal),
      ...(!executing && decisive?.reason ? { reason: decisive.reason } : {}),
      testcases,
    },
  };
}

/** An item of `GET /submissions?ids=` (also the webhook's `submission`). */
export function submissionItem(row: SubmissionRow, l: Links): ProblemsSubmissionSummary {
  return { ...common(row, l), uri: link(l, `/submissions/${row.id}`) };
}

/** `GET /submissions/:id`. */
export function submissionView(row: SubmissionRow, l: Links): ProblemsSubmission {
  const c = common(row, l);
  const stream = (name: keyof ProblemsSubmissionStreams, size: number | null) =>
    size === null || size === 0 ? null : { size, uri: link(l, `/submissions/${row.id}/${name}`) };
  const streams: ProblemsSubmissionStreams = {
    source: stream('source', sourceStream(row).length),
    output: stream('output', row.sizes.output),
    error: stream('error', row.sizes.error),
    cmpinfo: stream('cmpinfo', row.sizes.cmpinfo),
    debug: stream('debug', row.sizes.debug),
  };
  return { ...c, result: { ...c.result, streams, testcases: c.result.testcases } };
}
