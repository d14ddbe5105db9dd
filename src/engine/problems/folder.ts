/**
 * The problem folder format (README, "Problems"): how problems are authored outside the API,
 * imported into an engine's store (idempotently, by problem code) and exported back.
 *
 * ```
 * SUMTWO/
 *   problem.json              name, type, judges, limits (below)
 *   statement.html | .md      the statement (Markdown is turned into HTML)
 *   0.in 0.out 1.in 1.out ... test cases, numbered from 0 without gaps
 *   judge.py, master.c ...    optional custom judge sources named in problem.json
 * ```
 *
 * problem.json: `{"code", "name", "type", "interactive", "timeLimit", "judge", "masterjudge",
 * "tests": {"3": {"timeLimit", "active", "judge"}}}`. A judge is a built-in id (`1`) or a source
 * file (`"judge.py"` or `{"source": "judge.py", "compiler": "PYTHON3", "name": "..."}`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import * as v from 'valibot';
import { required } from '../../shared/schema.js';
import { codePoints } from '../api-common.js';
import { parseNested } from '../http/params.js';
import type { LanguageInfo } from '../exec/types.js';
import { BUILTIN_JUDGES, JudgeType } from './judges/catalog.js';
import { markdownToHtml } from './markdown.js';
import { PROBLEM_LIMITS } from './limits.js';
import type { JudgeRow, ProblemsStore } from './store.js';

/** A problem folder that cannot be read or imported; the message names the file and the fix. */
export class ProblemFolderError extends Error {
  override name = 'ProblemFolderError';
}

/** A judge as a folder names it. */
export type JudgeSpec =
  | { builtin: number }
  | { file: string; source: Buffer; compiler: string | number | undefined; name: string };

export interface TestSpec {
  number: number;
  input: Buffer;
  output: Buffer;
  timeLimit: number;
  active: boolean;
  judge: JudgeSpec;
}

/** A problem folder, read and checked. */
export interface ProblemPackage {
  code: string;
  name: string;
  body: string;
  typeId: number;
  interactive: boolean;
  masterjudge: JudgeSpec;
  tests: TestSpec[];
}

const TYPES: Record<string, number> = { binary: 0, minimize: 1, maximize: 2, percentage: 4 };
const TYPE_NAMES = Object.fromEntries(Object.entries(TYPES).map(([k, v]) => [v, k]));
const PROBLEM_FILE = 'problem.json';
const TEST_FILE = /^(\d{1,4})\.(in|out)$/;
/** Judge source names: a plain file in the folder, never a path. */
const SOURCE_FILE = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,99}$/;

type Json = Record<string, unknown>;

/** Reads and checks a problem folder. */
export function readProblemFolder(dir: string): ProblemPackage {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new ProblemFolderError(`${dir}: not a folder`);
  }
  const file = join(root, PROBLEM_FILE);
  if (!existsSync(file)) throw new ProblemFolderError(`${dir}: no ${PROBLEM_FILE}`);
  let meta: Json;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    meta = parsed as Json;
  } catch (err) {
    throw new ProblemFolderError(`${file}: not a JSON object (${(err as Error).message})`);
  }
  const fail = (what: string): never => {
    throw new ProblemFolderError(`${file}: ${what}`);
  };
  const parsed = v.safeParse(problemFile(root), meta, { abortEarly: true });
  if (!parsed.success) return fail(parsed.issues[0].message);
  const {
    code,
    name,
    typeId,
    interactive,
    timeLimit,
    masterjudge,
    judge: defaultJudge,
  } = parsed.output;
  const overrides = parsed.output.tests;

  const files = new Map<number, { in?: string; out?: string }>();
  for (const f of readdirSync(root)) {
    const m = TEST_FILE.exec(f);
    if (!m) continue;
    const n = Number(m[1]);
    const entry = files.get(n) ?? {};
    entry[m[2] as 'in' | 'out'] = join(root, f);
    files.set(n, entry);
  }
  const count = files.size;
  for (let n = 0; n < count; n++) {
    if (!files.has(n)) {
      throw new ProblemFolderError(
        `${dir}: test files must be numbered 0 to ${count - 1} without gaps; ${n}.in is missing`,
      );
    }
  }
  if (count > PROBLEM_LIMITS.testcases) {
    throw new ProblemFolderError(
      `${dir}: ${count} test cases; at most ${PROBLEM_LIMITS.testcases}`,
    );
  }
  for (const key of Object.keys(overrides)) {
    if (!/^\d+$/.test(key) || Number(key) >= count)
      fail(`"tests" names test ${key}, which has no ${key}.in`);
  }

  const tests: TestSpec[] = [];
  for (let n = 0; n < count; n++) {
    const f = files.get(n)!;
    const o = v.safeParse(testOverride(root, n), overrides[String(n)] ?? {}, { abortEarly: true });
    if (!o.success) return fail(o.issues[0].message);
    const input = f.in ? readFileSync(f.in) : Buffer.alloc(0);
    const output = f.out ? readFileSync(f.out) : Buffer.alloc(0);
    for (const [what, data] of [
      ['in', input],
      ['out', output],
    ] as const) {
      if (data.length > PROBLEM_LIMITS.testcaseBytes) {
        throw new ProblemFolderError(
          `${dir}/${n}.${what}: larger than ${PROBLEM_LIMITS.testcaseBytes} bytes`,
        );
      }
    }
    const { active, timeLimit: ownTime, judge } = o.output;
    tests.push({
      number: n,
      input,
      output,
      timeLimit: ownTime ?? timeLimit,
      active,
      judge: judge ?? defaultJudge,
    });
  }

  let body = '';
  const html = join(root, 'statement.html');
  const md = join(root, 'statement.md');
  if (existsSync(html) && existsSync(md)) {
    throw new ProblemFolderError(`${dir}: both statement.html and statement.md; keep one`);
  }
  if (existsSync(html)) body = readFileSync(html, 'utf8');
  else if (existsSync(md)) body = markdownToHtml(readFileSync(md, 'utf8'));
  if (Buffer.byteLength(body) > PROBLEM_LIMITS.bodyBytes) {
    throw new ProblemFolderError(
      `${dir}: the statement is larger than ${PROBLEM_LIMITS.bodyBytes} bytes`,
    );
  }

  return { code, name, body, typeId, interactive, masterjudge, tests };
}

// --- problem.json, as a schema; each message names its field (the caller adds the file)

const isObject = (x: unknown): x is Json =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

const PROBLEM_KEYS = [
  'code',
  'name',
  'type',
  'interactive',
  'timeLimit',
  'judge',
  'masterjudge',
  'tests',
];

/** Seconds of a time limit. */
function seconds(where: string) {
  const { min, max } = PROBLEM_LIMITS.timeSec;
  const wrong = `${where} must be seconds from ${min} to ${max}`;
  return v.pipe(v.number(wrong), v.finite(wrong), v.minValue(min, wrong), v.maxValue(max, wrong));
}

/**
 * A judge: a built-in id (of judges of type `typeId`), a source file name in the folder, or
 * `{"source", "compiler", "name"}`; a source is read.
 */
function judge(root: string, where: string, typeId: number) {
  const builtin = v.pipe(
    v.number(),
    v.check(
      (id: number) => BUILTIN_JUDGES.has(id),
      (issue) =>
        `${where}: ${String(issue.input)} is no built-in judge (${[...BUILTIN_JUDGES.keys()].join(', ')})`,
    ),
    v.check(
      (id: number) => BUILTIN_JUDGES.get(id)!.typeId === typeId,
      (issue) => {
        const b = BUILTIN_JUDGES.get(issue.input as number)!;
        return `${where}: ${b.id} is a ${b.typeId === JudgeType.master ? 'master' : 'test-case'} judge`;
      },
    ),
    v.transform((id): JudgeSpec => ({ builtin: id })),
  );
  const source = v.pipe(
    v.custom<Json & { source: string }>((x) => isObject(x) && typeof x.source === 'string'),
    v.check(
      (x) => SOURCE_FILE.test(x.source),
      (issue) =>
        `${where}: "${(issue.input as { source: string }).source}" must be a file name in the problem folder`,
    ),
    v.check(
      (x) => {
        const path = join(root, x.source);
        return existsSync(path) && statSync(path).isFile();
      },
      (issue) => `${where}: no file ${(issue.input as { source: string }).source} in the folder`,
    ),
    v.check(
      (x) => x.compiler === undefined || ['string', 'number'].includes(typeof x.compiler),
      `${where}: "compiler" must be a compiler id or name`,
    ),
    v.check(
      (x) => x.name === undefined || x.name === null || typeof x.name === 'string',
      `${where}: "name" must be text`,
    ),
    v.transform((x): JudgeSpec => ({
      file: x.source,
      source: readFileSync(join(root, x.source)),
      compiler: x.compiler as string | number | undefined,
      name: (x.name as string | null | undefined) ?? x.source,
    })),
  );
  const wrong = `${where} must be a built-in judge id, a source file name or {"source", "compiler", "name"}`;
  // Which form it is decides which checks apply (a union would report only its own message).
  return v.pipe(
    v.unknown(),
    v.transform((x) => (typeof x === 'string' ? { source: x } : x)),
    v.custom<unknown>(
      (x) => typeof x === 'number' || (isObject(x) && typeof x.source === 'string'),
      wrong,
    ),
    v.rawTransform(({ dataset, addIssue, NEVER }): JudgeSpec => {
      const r = parseNested(typeof dataset.value === 'number' ? builtin : source, dataset.value);
      if (r.ok) return r.output;
      addIssue({ message: r.message });
      return NEVER;
    }),
  );
}

/** problem.json of the folder `root`, checked in the order its fields are listed. */
function problemFile(root: string) {
  const codeWrong = (got: unknown) =>
    `"code" must be a capital letter, then capitals, digits or _ (got ${JSON.stringify(got)}; it defaults to the folder name)`;
  const nameWrong = `"name" must be non-empty text of at most ${PROBLEM_LIMITS.nameChars} characters`;
  const typeWrong = `"type" must be one of ${Object.keys(TYPES).join(', ')} (or 0, 1, 2, 4)`;
  const typeIdOf = (t: unknown) => {
    const id = typeof t === 'number' ? t : TYPES[String(t)];
    return id !== undefined && Object.values(TYPES).includes(id) ? id : undefined;
  };
  const unknownKey = (o: Json) => Object.keys(o).find((k) => !PROBLEM_KEYS.includes(k));
  return v.pipe(
    v.custom<Json>(isObject),
    v.check(
      (o: Json) => unknownKey(o) === undefined,
      (issue) =>
        `unknown key "${unknownKey(issue.input as Json)}" (known: ${PROBLEM_KEYS.join(', ')})`,
    ),
    v.object({
      code: v.nullish(
        v.custom<string>(
          (c) => typeof c === 'string' && PROBLEM_LIMITS.code.test(c),
          (issue) => codeWrong(issue.input),
        ),
        basename(root),
      ),
      name: required(
        nameWrong,
        v.custom<string>(
          (n) =>
            typeof n === 'string' && n.trim() !== '' && codePoints(n) <= PROBLEM_LIMITS.nameChars,
          nameWrong,
        ),
        'value',
      ),
      type: v.nullish(
        v.pipe(
          v.custom<string | number>((t) => typeIdOf(t) !== undefined, typeWrong),
          v.transform((t) => typeIdOf(t)!),
        ),
        'binary',
      ),
      interactive: v.nullish(v.boolean('"interactive" must be true or false'), false),
      timeLimit: v.nullish(seconds('"timeLimit"'), PROBLEM_LIMITS.timeSec.default),
      masterjudge: v.nullish(judge(root, '"masterjudge"', JudgeType.master), 1000),
      judge: v.nullish(judge(root, '"judge"', JudgeType.testcase), 1),
      tests: v.nullish(
        v.custom<Json>(
          isObject,
          '"tests" must map test numbers to {"timeLimit", "active", "judge"}',
        ),
        {},
      ),
    }),
    v.transform(({ type, ...rest }) => ({ ...rest, typeId: type })),
  );
}

/** What `"tests"."<n>"` changes of test case `n`. */
function testOverride(root: string, n: number) {
  const where = `"tests"."${n}"`;
  const keys = ['timeLimit', 'active', 'judge'];
  const unknownKey = (o: Json) => Object.keys(o).find((k) => !keys.includes(k));
  return v.pipe(
    v.custom<Json>((o) => typeof o === 'object' && o !== null, `${where} must be an object`),
    v.check(
      (o: Json) => unknownKey(o) === undefined,
      (issue) => `${where} has unknown key "${unknownKey(issue.input as Json)}"`,
    ),
    v.object({
      active: v.nullish(v.boolean(`${where}."active" must be true or false`), true),
      timeLimit: v.optional(seconds(`${where}."timeLimit"`)),
      judge: v.optional(judge(root, `${where}."judge"`, JudgeType.testcase)),
    }),
  );
}

/**
 * The language of a judge source: `compiler` as an id, a short name or a name (any case), else
 * the language whose source file has the same extension. Null when none matches.
 */
export function resolveLanguage(
  compiler: string | number | undefined,
  file: string,
  languages: Map<number, LanguageInfo>,
): LanguageInfo | null {
  const all = [...languages.values()].sort((a, b) => a.id - b.id);
  if (typeof compiler === 'number') return languages.get(compiler) ?? null;
  if (typeof compiler === 'string') {
    const c = compiler.trim().toLowerCase();
    if (/^\d+$/.test(c)) return languages.get(Number(c)) ?? null;
    return all.find((l) => l.short.toLowerCase() === c || l.name.toLowerCase() === c) ?? null;
  }
  const ext = extname(file).toLowerCase();
  return ext ? (all.find((l) => extname(l.sourceFile).toLowerCase() === ext) ?? null) : null;
}

/** What an import did. */
export interface ImportResult {
  id: number;
  code: string;
  /** the problem was new */
  created: boolean;
  /** something was written (false: the store already held exactly this problem) */
  changed: boolean;
}

/**
 * Writes a problem package into the store: creates the problem, or updates the one with the same
 * code so that it matches the folder (test cases beyond the folder's are removed). Custom judges
 * are keyed by `CODE/file`, so importing again reuses them. Unchanged content writes nothing.
 */
export function importProblem(
  store: ProblemsStore,
  pkg: ProblemPackage,
  languages: Map<number, LanguageInfo>,
): ImportResult {
  return store.tx(() => {
    let changed = false;
    const judgeIds = new Map<string, number>();
    const judgeId = (spec: JudgeSpec, typeId: number): number => {
      if ('builtin' in spec) return spec.builtin;
      const key = `${pkg.code}/${spec.file}`;
      const known = judgeIds.get(key);
      if (known !== undefined) return known;
      const lang = resolveLanguage(spec.compiler, spec.file, languages);
      if (!lang) {
        throw new ProblemFolderError(
          `${pkg.code}/${spec.file}: no compiler of this engine matches ${spec.compiler === undefined ? `the extension of ${spec.file}` : JSON.stringify(spec.compiler)}; available: ${[...languages.values()].map((l) => l.short).join(', ') || 'none'}`,
        );
      }
      const version =
        lang.versions.find((v) => v.id === lang.defaultVersionId) ?? lang.versions[0]!;
      const row = store.findJudgeByImportKey(key);
      let id: number;
      if (!row) {
        id = store.createJudge({
          name: spec.name,
          typeId,
          compilerId: lang.id,
          compilerVersionId: version.id,
          source: spec.source,
          shared: false,
          importKey: key,
        });
        changed = true;
      } else {
        if (row.typeId !== typeId) {
          throw new ProblemFolderError(
            `${key}: used as a ${typeId === JudgeType.master ? 'master' : 'test-case'} judge, but imported before as the other kind`,
          );
        }
        id = row.id;
        if (!sameJudge(row, spec, lang.id)) {
          store.updateJudge(id, {
            name: spec.name,
            compilerId: lang.id,
            compilerVersionId: row.compilerId === lang.id ? row.compilerVersionId : version.id,
            source: spec.source,
          });
          changed = true;
        }
      }
      judgeIds.set(key, id);
      return id;
    };

    const masterjudgeId = judgeId(pkg.masterjudge, JudgeType.master);
    const tests = pkg.tests.map((t) => ({ ...t, judgeId: judgeId(t.judge, JudgeType.testcase) }));

    const fields = {
      name: pkg.name,
      body: pkg.body,
      typeId: pkg.typeId,
      interactive: pkg.interactive,
      masterjudgeId,
    };
    let problem = store.findProblem(pkg.code);
    const created = !problem;
    if (!problem) {
      problem = store.createProblem({ code: pkg.code, ...fields });
      changed = true;
    } else if (
      problem.name !== fields.name ||
      problem.body !== fields.body ||
      problem.typeId !== fields.typeId ||
      problem.interactive !== fields.interactive ||
      problem.masterjudgeId !== fields.masterjudgeId
    ) {
      store.updateProblem(problem.id, fields);
      changed = true;
    }

    for (const t of tests) {
      const cur = store.getTestcase(problem.id, t.number);
      const want = {
        input: t.input,
        output: t.output,
        timeLimit: t.timeLimit,
        judgeId: t.judgeId,
        active: t.active,
      };
      if (!cur) {
        const n = store.createTestcase(problem.id, want);
        if (n !== t.number) throw new Error(`test case ${t.number} was stored as ${n}`);
        changed = true;
      } else if (
        !cur.input.equals(t.input) ||
        !cur.output.equals(t.output) ||
        cur.timeLimit !== t.timeLimit ||
        cur.judgeId !== t.judgeId ||
        cur.active !== t.active
      ) {
        store.updateTestcase(problem.id, t.number, want);
        changed = true;
      }
    }
    if (store.deleteTestcasesFrom(problem.id, tests.length) > 0) {
      store.touchSettings(problem.id);
      changed = true;
    }
    return { id: problem.id, code: problem.code, created, changed };
  });
}

function sameJudge(
  row: JudgeRow,
  spec: Extract<JudgeSpec, { file: string }>,
  compilerId: number,
): boolean {
  return row.name === spec.name && row.compilerId === compilerId && row.source.equals(spec.source);
}

/** Reads a folder and imports it. */
export function importProblemFolder(
  store: ProblemsStore,
  dir: string,
  languages: Map<number, LanguageInfo>,
): ImportResult {
  return importProblem(store, readProblemFolder(dir), languages);
}

/**
 * Writes problem `idOrCode` as a folder at `dir` (created; it must be empty when it exists).
 * The most common judge and time limit become the defaults; other tests get overrides.
 */
export function exportProblemFolder(
  store: ProblemsStore,
  idOrCode: string | number,
  dir: string,
  languages: Map<number, LanguageInfo>,
): { id: number; code: string; files: string[] } {
  const problem = store.findProblem(idOrCode);
  if (!problem) throw new ProblemFolderError(`no problem ${idOrCode}`);
  const root = resolve(dir);
  if (existsSync(root)) {
    if (!statSync(root).isDirectory())
      throw new ProblemFolderError(`${dir}: exists and is not a folder`);
    if (readdirSync(root).length > 0)
      throw new ProblemFolderError(`${dir}: not empty; export into a new or empty folder`);
  }
  mkdirSync(root, { recursive: true });
  const files: string[] = [];
  const write = (name: string, data: Buffer | string) => {
    writeFileSync(join(root, name), data);
    files.push(name);
  };

  const sourceNames = new Map<number, string>();
  const judgeValue = (id: number, typeId: number): number | string | Json => {
    if (BUILTIN_JUDGES.has(id)) return id;
    const row = store.getJudge(id);
    if (!row) throw new ProblemFolderError(`judge ${id} of problem ${problem.code} does not exist`);
    let file = sourceNames.get(id);
    if (!file) {
      const lang = languages.get(row.compilerId);
      const fromKey = row.importKey?.startsWith(`${problem.code}/`)
        ? row.importKey.slice(problem.code.length + 1)
        : null;
      const ext = lang ? extname(lang.sourceFile) : '.txt';
      file =
        fromKey && SOURCE_FILE.test(fromKey)
          ? fromKey
          : `${typeId === JudgeType.master ? 'master' : 'judge'}-${id}${ext}`;
      sourceNames.set(id, file);
      write(file, row.source);
    }
    const lang = languages.get(row.compilerId);
    return {
      source: file,
      compiler: lang ? lang.short.toLowerCase() : row.compilerId,
      name: row.name,
    };
  };

  const metas = store.listTestcases(problem.id);
  const mostCommon = <T>(values: T[], fallback: T): T => {
    const counts = new Map<T, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    let best = fallback;
    let n = 0;
    for (const [v, c] of counts) if (c > n) [best, n] = [v, c];
    return best;
  };
  const judge = mostCommon(
    metas.map((t) => t.judgeId),
    1,
  );
  const timeLimit = mostCommon(
    metas.map((t) => t.timeLimit),
    PROBLEM_LIMITS.timeSec.default,
  );
  const tests: Record<string, Json> = {};
  for (const m of metas) {
    const t = store.getTestcase(problem.id, m.number)!;
    write(`${m.number}.in`, t.input);
    write(`${m.number}.out`, t.output);
    const o: Json = {};
    if (m.timeLimit !== timeLimit) o.timeLimit = m.timeLimit;
    if (!m.active) o.active = false;
    if (m.judgeId !== judge) o.judge = judgeValue(m.judgeId, JudgeType.testcase);
    if (Object.keys(o).length) tests[String(m.number)] = o;
  }
  const meta: Json = {
    code: problem.code,
    name: problem.name,
    type: TYPE_NAMES[problem.typeId] ?? problem.typeId,
    interactive: problem.interactive,
    timeLimit,
    judge: judgeValue(judge, JudgeType.testcase),
    masterjudge: judgeValue(problem.masterjudgeId, JudgeType.master),
  };
  if (Object.keys(tests).length) meta.tests = tests;
  write('statement.html', problem.body);
  write(PROBLEM_FILE, JSON.stringify(meta, null, 2) + '\n');
  return { id: problem.id, code: problem.code, files: files.sort() };
}
