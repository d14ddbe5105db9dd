/**
 * The parameters of the Problems API's methods (spec/problems-api-v4.txt, "Request parameters"),
 * as schemas, one per method, in the order the spec's checks are made; each failure carries the
 * spec's error code (see ../http/params.ts). Checks against the store (a judge exists, a code is
 * free, a test case number is the problem's) are part of the schema, in their place in the order.
 */
import * as v from 'valibot';
import {
  archivedSource,
  codePoints,
  compilerParams,
  fileRules,
  firstCodePoints,
  idsQuery,
  programBytes,
  sourceSize,
  type CompilerChoice,
} from '../api-common.js';
import type { LanguageInfo } from '../exec/types.js';
import {
  withBody,
  bool,
  check,
  decimal,
  failure,
  int,
  lookup,
  numberList,
  oneOf,
  optional,
  parseNested,
  queryFlag,
  queryInt,
  raw,
  required,
  text,
  type Failure,
} from '../http/params.js';
import { BUILTIN_JUDGES, JudgeType } from './judges/catalog.js';
import { ProblemsError as E } from './errors.js';
import { PROBLEM_LIMITS } from './limits.js';
import type { ProblemRow, ProblemsStore } from './store.js';

/** What the schemas check against. */
export interface ParamsContext {
  store: ProblemsStore;
  /** the languages this engine runs, by compiler id */
  languages: Map<number, LanguageInfo>;
}

// --- parameters several methods share

const judgeWord = (typeId: number) => (typeId === JudgeType.master ? 'master judge' : 'judge');

/** A judge id of type `want`, built-in or custom: `notFound` when there is none. */
function judgeId(store: ProblemsStore, want: number, notFoundCode: number) {
  const notFound = failure(notFoundCode, `${judgeWord(want)} not found`);
  return v.pipe(
    int(notFound),
    lookup((id: number) => {
      const typeId = BUILTIN_JUDGES.get(id)?.typeId ?? store.getJudge(id)?.typeId;
      return typeId === undefined ? undefined : { id, typeId };
    }, notFound),
    check(
      (j) => j.typeId === want,
      (issue) => {
        const j = issue.input as { id: number; typeId: number };
        return failure(
          E.JudgeTypeIncorrect,
          `judge type is incorrect: judge ${j.id} is a ${judgeWord(j.typeId)}, not a ${judgeWord(want)}`,
        );
      },
    ),
    v.transform((j) => j.id),
  );
}

function problemName(failCode: number) {
  return v.pipe(
    text(failure(failCode, 'problem name must be text')),
    check((s) => s.trim() !== '', failure(E.ProblemNameEmpty, 'empty problem name')),
    check(
      (s) => codePoints(s) <= PROBLEM_LIMITS.nameChars,
      failure(failCode, `problem name is too long: at most ${PROBLEM_LIMITS.nameChars} characters`),
    ),
  );
}

const problemBody = v.pipe(
  text(failure(E.CreationFailed, 'problem description must be text')),
  check(
    (s) => Buffer.byteLength(s) <= PROBLEM_LIMITS.bodyBytes,
    failure(E.CreationFailed, `problem description larger than ${PROBLEM_LIMITS.bodyBytes} bytes`),
  ),
);

const typeWrong = failure(
  E.ProblemTypeIncorrect,
  'problem type is incorrect: 0 (binary), 1 (minimize), 2 (maximize) or 4 (percentage)',
);
const problemType = v.pipe(int(typeWrong), oneOf([0, 1, 2, 4], typeWrong));

const interactive = bool(failure(E.CreationFailed, 'interactive must be true or false'));

/** A sequence of test case numbers (`activeTestcases`, `tests`), each one of the problem's. */
function testNumbers(store: ProblemsStore, problemId: number) {
  return v.pipe(
    numberList(
      failure(
        E.TestsFormatInvalid,
        'invalid format of test cases sequence: give test case numbers separated by commas',
      ),
    ),
    check(
      (list) => unknownTests(store, problemId, list).length === 0,
      (issue) =>
        failure(
          E.TestsInvalid,
          `invalid test cases sequence: no test case ${unknownTests(store, problemId, issue.input as number[]).join(', ')}`,
        ),
    ),
  );
}

function unknownTests(store: ProblemsStore, problemId: number, list: number[]): number[] {
  const known = new Set(store.listTestcases(problemId).map((t) => t.number));
  return list.filter((n) => !known.has(n));
}

const { min: minTime, max: maxTime } = PROBLEM_LIMITS.timeSec;
const timeWrong = failure(
  E.TimeLimitInvalid,
  `invalid format of time limit: seconds from ${minTime} to ${maxTime}`,
);
const timeLimit = v.pipe(
  decimal(timeWrong),
  v.minValue(minTime, timeWrong),
  v.maxValue(maxTime, timeWrong),
);

/** A test case's input or output. */
function testData(name: string) {
  return v.pipe(
    text(failure(E.ItemFailed, `${name} must be text`)),
    v.transform((s) => Buffer.from(s)),
    check(
      (b) => b.length <= PROBLEM_LIMITS.testcaseBytes,
      failure(E.ItemFailed, `${name} larger than ${PROBLEM_LIMITS.testcaseBytes} bytes`),
    ),
  );
}

const judgeTypeWrong = failure(
  E.JudgeTypeIncorrect,
  'judge type is incorrect: 0 (test case) or 1 (master)',
);
const judgeType = v.pipe(
  int(judgeTypeWrong),
  oneOf([JudgeType.testcase, JudgeType.master], judgeTypeWrong),
);

const shared = bool(failure(E.CreationFailed, 'shared must be true or false'));

/** The spec's default version is 1; a language whose versions start elsewhere uses its first. */
const defaultVersion = (l: LanguageInfo) => l.versions.find((x) => x.id === 1) ?? l.versions[0];

const judgeCompilerOptions = {
  defaultVersion,
  versionNotFound: (l: LanguageInfo): Failure =>
    failure(E.CompilerNotAvailable, `compiler not available: ${l.name} has no such version`),
};

const judgeName = (wrong: Failure) =>
  v.pipe(
    text(wrong),
    v.transform((s) => firstCodePoints(s, PROBLEM_LIMITS.nameChars)),
  );

// --- problems

/** `POST /problems` */
export function createProblemParams({ store }: ParamsContext) {
  const codeInvalid = failure(E.ProblemCodeInvalid, 'problem code is invalid');
  return v.pipe(
    withBody(E.CreationFailed, { codes: { code: E.ProblemCodeInvalid } }),
    v.object({
      code: optional(
        v.pipe(
          text(codeInvalid),
          check((c) => c.trim() !== '', failure(E.ProblemCodeEmpty, 'empty problem code')),
          check(
            (c) => PROBLEM_LIMITS.code.test(c),
            failure(
              E.ProblemCodeInvalid,
              'problem code is invalid: a capital letter, then capitals, digits or _ (32 at most)',
            ),
          ),
          check(
            (c) => !store.codeTaken(c),
            failure(E.ProblemCodeNotUnique, 'problem code is not unique'),
          ),
        ),
        undefined,
        'value',
      ),
      name: required(
        failure(E.ProblemNameNotProvided, 'problem name not provided'),
        problemName(E.CreationFailed),
        'value',
      ),
      body: optional(problemBody, '', 'value'),
      typeId: optional(problemType, 0),
      masterjudgeId: required(
        failure(E.MasterJudgeNotProvided, 'master judge not provided'),
        judgeId(store, JudgeType.master, E.MasterJudgeNotFound),
      ),
      interactive: optional(interactive, false),
    }),
  );
}

/** `PUT /problems/:id`: every parameter optional (left out: unchanged). */
export function updateProblemParams({ store }: ParamsContext, problemId: number) {
  return v.pipe(
    withBody(E.CreationFailed),
    v.object({
      name: optional(problemName(E.CreationFailed), undefined, 'value'),
      body: optional(problemBody, undefined, 'value'),
      typeId: optional(problemType, undefined),
      interactive: optional(interactive, undefined),
      masterjudgeId: optional(
        judgeId(store, JudgeType.master, E.MasterJudgeNotFound),
        undefined,
        'value',
      ),
      activeTestcases: optional(testNumbers(store, problemId), undefined, 'value'),
    }),
  );
}

/** `GET /problems` */
export const listProblemsQuery = v.object({
  limit: queryInt(PROBLEM_LIMITS.listLimit.default, 1, PROBLEM_LIMITS.listLimit.max),
  offset: queryInt(0, 0, Number.MAX_SAFE_INTEGER),
  shortBody: queryFlag(),
});

/** `GET /problems/:id` */
export const problemQuery = v.object({ shortBody: queryFlag() });

// --- test cases

/** `POST /problems/:id/testcases` */
export function createTestcaseParams({ store }: ParamsContext) {
  return v.pipe(
    withBody(E.ItemFailed),
    v.object({
      judgeId: required(
        failure(E.JudgeNotProvided, 'judge not provided'),
        judgeId(store, JudgeType.testcase, E.JudgeNotFound),
      ),
      timeLimit: optional(timeLimit, PROBLEM_LIMITS.timeSec.default),
      input: optional(testData('input'), Buffer.alloc(0), 'value'),
      output: optional(testData('output'), Buffer.alloc(0), 'value'),
      active: optional(bool(failure(E.ItemFailed, 'active must be true or false')), true),
    }),
  );
}

/** `PUT /problems/:id/testcases/:number`: every parameter optional (left out: unchanged). */
export function updateTestcaseParams({ store }: ParamsContext) {
  return v.pipe(
    withBody(E.ItemFailed),
    v.object({
      judgeId: optional(judgeId(store, JudgeType.testcase, E.JudgeNotFound), undefined, 'value'),
      timeLimit: optional(timeLimit, undefined),
      input: optional(testData('input'), undefined, 'value'),
      output: optional(testData('output'), undefined, 'value'),
      active: optional(bool(failure(E.ItemFailed, 'active must be true or false')), undefined),
    }),
  );
}

// --- judges

/** `POST /judges` */
export function createJudgeParams({ languages }: ParamsContext) {
  const noSource = failure(E.SourceNotProvided, 'source not provided');
  return v.pipe(
    withBody(E.CreationFailed, { groups: ['compiler'] }),
    v.object({
      source: required(
        noSource,
        v.pipe(
          text(noSource),
          sourceSize((s: string) => Buffer.byteLength(s)),
        ),
      ),
      typeId: optional(judgeType, JudgeType.testcase),
      compiler: compilerParams(languages, judgeCompilerOptions),
      name: optional(
        judgeName(failure(E.CreationFailed, 'creation failed: name must be text')),
        '',
        'value',
      ),
      shared: optional(shared, false),
    }),
    v.transform(({ compiler, ...rest }) => ({ ...rest, compiler: compiler! })),
  );
}

/** `PUT /judges/:id` of a custom judge whose compiler is `currentCompiler` now. */
export function updateJudgeParams({ languages }: ParamsContext, currentCompiler: number) {
  const noSource = failure(E.CreationFailed, 'update failed: source must be non-empty text');
  return v.pipe(
    withBody(E.CreationFailed, { groups: ['compiler'] }),
    v.object({
      compiler: compilerParams(languages, { ...judgeCompilerOptions, current: currentCompiler }),
      source: optional(
        v.pipe(
          text(noSource),
          check((s) => s !== '', noSource),
          sourceSize((s: string) => Buffer.byteLength(s)),
        ),
        undefined,
        'value',
      ),
      name: optional(
        judgeName(failure(E.CreationFailed, 'update failed: name must be text')),
        undefined,
        'value',
      ),
      shared: optional(shared, undefined),
    }),
  );
}

/** `GET /judges` */
export const listJudgesQuery = v.object({
  typeId: optional(judgeType, JudgeType.testcase),
  limit: queryInt(PROBLEM_LIMITS.listLimit.default, 1, PROBLEM_LIMITS.listLimit.max),
  offset: queryInt(0, 0, Number.MAX_SAFE_INTEGER),
});

// --- submissions

/** `files` of multi-file mode: names to contents, checked by the execution core's rules. */
const files = v.pipe(
  v.custom<Record<string, string>>(
    (x) => typeof x === 'object' && x !== null && !Array.isArray(x),
    failure(E.CreationFailed, 'creation failed: files must map file names to contents'),
  ),
  v.transform((f) => (Object.keys(f).length === 0 ? null : f)),
  fileRules((f: Record<string, string> | null) => f),
);

/** The text of a value sent as text or a number; '' for anything else. */
const asText = (x: unknown): string =>
  typeof x === 'string' ? x : typeof x === 'number' && Number.isFinite(x) ? String(x) : '';

/** A problem by id or code. */
function problemRef(store: ProblemsStore, notFound: Failure) {
  return v.pipe(
    v.unknown(),
    v.transform(asText),
    lookup((s: string) => (s.trim() === '' ? null : store.findProblem(s.trim())), notFound),
  );
}

interface SubmissionDraft {
  problem: ProblemRow;
  compiler: CompilerChoice;
  files: Record<string, string> | null;
  source: string;
  tests: unknown;
}

/**
 * `POST /submissions`, checked in this order: problem, compiler, version, files, multi-file
 * support, source, source size, test cases.
 */
export function createSubmissionParams({ store, languages }: ParamsContext) {
  return v.pipe(
    withBody(E.CreationFailed, { groups: ['compiler', 'archive'] }),
    v.object({
      problemId: required(
        failure(E.ProblemNotProvided, 'problem not provided'),
        problemRef(store, failure(E.ProblemNotFound, 'problem not found')),
      ),
      compiler: compilerParams(languages, {
        defaultVersion,
        versionNotFound: () => failure(E.VersionNotFound, 'compiler version not found'),
      }),
      archive: archivedSource,
      files: optional(files, null),
      source: raw('value'),
      tests: raw('value'),
    }),
    v.transform(({ problemId, compiler, archive, files, source, tests }): SubmissionDraft => ({
      problem: problemId,
      compiler: compiler!,
      files: archive ?? files,
      source: asText(source),
      tests,
    })),
    check(
      (d) => !d.files || d.compiler.language.multiFile,
      (issue) =>
        failure(
          E.CompilerNotAvailable,
          `compiler not available for multi-file submissions: ${(issue.input as SubmissionDraft).compiler.language.name}`,
        ),
    ),
    check((d) => d.source !== '' || !!d.files, failure(E.SourceNotProvided, 'source not provided')),
    sourceSize((d: SubmissionDraft) => programBytes(d.source, d.files)),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const { tests, ...d } = dataset.value;
      if (tests === undefined) return { ...d, tests: null };
      const list = parseNested(testNumbers(store, d.problem.id), tests);
      if (!list.ok) {
        addIssue({ message: list.message });
        return NEVER;
      }
      if (list.output.length === 0) {
        addIssue({ message: failure(E.TestsEmpty, 'empty test cases sequence') });
        return NEVER;
      }
      return { ...d, tests: [...new Set(list.output)].sort((x, y) => x - y) };
    }),
  );
}

/** `GET /submissions?ids=` */
export const listSubmissionsQuery = idsQuery(PROBLEM_LIMITS.ids);

// --- widgets

const GRADE_MODES = ['manual', 'auto'] as const;
const TABS = ['problem', 'solve', 'history', 'ranking'] as const;
const DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?: [+-]\d{2}:?\d{2})?$/;

const settingFailure = (what: string) =>
  failure(E.CreationFailed, `error occurred - please check your parameters: ${what}`);

/** A setting of a fixed set of words; one that is not text reads as `fallback`. */
function word<const T extends readonly string[]>(values: T, fallback: T[number], what: string) {
  return v.pipe(
    raw('value'),
    v.transform((x) =>
      typeof x === 'string'
        ? x
        : typeof x === 'number' && Number.isFinite(x)
          ? String(x)
          : fallback,
    ),
    oneOf(values, settingFailure(what)),
  );
}

function flag(fallback: boolean, key: string) {
  return optional(bool(settingFailure(`${key} is true or false`)), fallback);
}

function date(key: string) {
  const wrong = settingFailure(`${key} is yyyy-mm-dd hh:mm:ss TZD`);
  return optional(
    v.pipe(
      text(wrong),
      check((d) => DATE.test(d), wrong),
    ),
    undefined,
  );
}

function template(key: string) {
  return optional(text(settingFailure(`${key} is text`)), undefined, 'value');
}

function count(key: string) {
  const wrong = settingFailure(`${key} is a whole number`);
  return optional(v.pipe(int(wrong), v.minValue(0, wrong)), undefined);
}

/** The optional widget settings; 400/1003 names the first wrong one. Unset ones stay unset. */
function widgetSettings(languages: Map<number, LanguageInfo>) {
  const wrongLanguages = settingFailure('languages lists compiler ids of this engine');
  return v.object({
    grade_mode: word(GRADE_MODES, 'auto', 'grade_mode is manual or auto'),
    languages: optional(
      v.pipe(
        v.unknown(),
        // a form's `languages[0]=..&languages[1]=..` arrives as an object
        v.transform((x) =>
          typeof x === 'object' && x !== null && !Array.isArray(x) ? Object.values(x) : x,
        ),
        numberList(wrongLanguages),
        check((list) => list.every((id) => languages.has(id)), wrongLanguages),
      ),
      undefined,
    ),
    date_from: date('date_from'),
    date_to: date('date_to'),
    source_code_template: template('source_code_template'),
    template_for_lp: template('template_for_lp'),
    max_submissions: count('max_submissions'),
    session_duration: count('session_duration'),
    show_ranking: flag(true, 'show_ranking'),
    show_user_data_on_ranking: flag(false, 'show_user_data_on_ranking'),
    show_welcome_form: flag(false, 'show_welcome_form'),
    secure_by_oauth: flag(false, 'secure_by_oauth'),
    display_test_cases_results: flag(false, 'display_test_cases_results'),
    display_output: flag(false, 'display_output'),
    hide_submission_results: flag(false, 'hide_submission_results'),
    default_tab: word(TABS, 'problem', 'default_tab is problem, solve, history or ranking'),
  });
}

/** `POST /widgets` */
export function createWidgetParams({ store, languages }: ParamsContext) {
  const nameType = failure(E.WidgetNameTypeIncorrect, 'widget name type is incorrect: give text');
  const languageType = failure(
    E.DefaultLanguageTypeIncorrect,
    'default language type is incorrect: give a compiler id',
  );
  return v.pipe(
    withBody(E.CreationFailed, {
      codes: { name: E.WidgetNameTypeIncorrect },
      groups: ['settings'],
    }),
    v.object({
      name: required(
        failure(E.WidgetNameNotProvided, 'widget name not provided'),
        v.pipe(
          v.string(nameType),
          check((s) => s.trim() !== '', failure(E.WidgetNameEmpty, 'empty widget name')),
          check(
            (s) => codePoints(s) <= PROBLEM_LIMITS.widgetNameChars,
            failure(
              E.WidgetNameTooLong,
              `widget name is too long: at most ${PROBLEM_LIMITS.widgetNameChars} characters`,
            ),
          ),
        ),
        'value',
      ),
      problem_id: required(
        failure(E.ProblemNotProvided, 'problem not provided'),
        problemRef(store, failure(E.ProblemNotFound, 'problem not found')),
      ),
      default_language: required(
        failure(E.DefaultLanguageEmpty, 'empty default programming language'),
        v.pipe(
          int(languageType),
          check(
            (id) => languages.has(id),
            failure(E.DefaultLanguageNotAvailable, 'default language not available'),
          ),
        ),
      ),
      settings: widgetSettings(languages),
    }),
  );
}
