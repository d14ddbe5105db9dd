/**
 * `/problems/api/v4`: one handler per method of spec/problems-api-v4.txt, in the spec's order.
 * Each validates its parameters at the edge and throws the spec's errors (ApiError); the server
 * turns them into `{error_code, message}` in one place.
 */
import { randomBytes } from 'node:crypto';
import { isTransient } from '../../shared/status.js';
import {
  checkFileRules,
  checkSourceSize,
  codePoints,
  firstCodePoints,
  parseIds,
  refuseInvalidText,
  unpackSource,
} from '../api-common.js';
import { compilerItems } from '../exec/languages.js';
import type { LanguageInfo } from '../exec/types.js';
import type { Body } from '../http/body.js';
import { json, Router, type ApiRequest, type ApiResponse } from '../http/router.js';
import { accessDenied, badRequest, notFound, ProblemsError as E } from './errors.js';
import { PROBLEM_LIMITS } from './limits.js';
import { BUILTIN_JUDGES, JudgeType } from './judges/catalog.js';
import {
  absent,
  queryBool,
  queryInt,
  readBool,
  readInt,
  readNumber,
  readNumberList,
  readString,
} from './params.js';
import type { ProblemRow, ProblemsStore } from './store.js';
import {
  judgeItem,
  judgeShape,
  judgeView,
  link,
  problemItem,
  problemView,
  sourceStream,
  submissionItem,
  submissionView,
  testcaseItem,
  testcaseView,
  type Links,
} from './views.js';

const TYPE_IDS = new Set([0, 1, 2, 4]);

/** What the handlers need from the engine. */
export interface ProblemsDeps {
  store: ProblemsStore;
  /** the languages this engine runs, by compiler id */
  languages(): Map<number, LanguageInfo>;
  /**
   * Creates a submission with `create` and queues its judging (one transaction); throws the
   * queue's 503 when full.
   */
  submit(create: () => number): number;
}

const links = (req: ApiRequest): Links => ({ baseUrl: req.baseUrl, accessToken: req.accessToken });
const raw = (data: Buffer | string): ApiResponse => ({
  status: 200,
  raw: data,
  contentType: 'text/plain; charset=utf-8',
});

/** Builds the module's router. */
export function problemsRouter(deps: ProblemsDeps): Router {
  const { store } = deps;

  const problemOr404 = (id: string): ProblemRow => {
    const p = store.findProblem(id);
    if (!p) throw notFound('problem');
    return p;
  };

  const paging = (req: ApiRequest, path: string, total: number, extra: Record<string, string>) => {
    const limit = queryInt(
      req.query,
      'limit',
      PROBLEM_LIMITS.listLimit.default,
      1,
      PROBLEM_LIMITS.listLimit.max,
    );
    const offset = queryInt(req.query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const l = links(req);
    const page = (o: number) => link(l, path, { ...extra, limit, offset: o });
    return {
      limit,
      offset,
      info: {
        limit,
        offset,
        total,
        pages: Math.ceil(total / limit),
        prev: offset > 0 ? page(Math.max(0, offset - limit)) : null,
        next: offset + limit < total ? page(offset + limit) : null,
      },
    };
  };

  /** A judge id of the given type: built-in or custom; the errors are the caller's codes. */
  const checkJudge = (
    id: number | null | undefined,
    wantType: number,
    codes: { notProvided: number; notFound: number },
  ): number => {
    if (id === undefined)
      throw badRequest(codes.notProvided, `${judgeWord(wantType)} not provided`);
    const typeId =
      id === null ? undefined : (BUILTIN_JUDGES.get(id)?.typeId ?? store.getJudge(id)?.typeId);
    if (typeId === undefined) throw badRequest(codes.notFound, `${judgeWord(wantType)} not found`);
    if (typeId !== wantType) {
      throw badRequest(
        E.JudgeTypeIncorrect,
        `judge type is incorrect: judge ${id} is a ${judgeWord(typeId)}, not a ${judgeWord(wantType)}`,
      );
    }
    return id!;
  };

  const r = new Router();

  // --- GET /test, GET /compilers

  r.get('/test', () => json({ message: 'You can use Sphere Engine Problems API.' }));
  r.get('/compilers', () => json({ items: compilerItems(deps.languages()) }));

  // --- problems

  r.post('/problems', async (req) => {
    const b = await req.body();
    refuseInvalidText(b, E.CreationFailed, { code: E.ProblemCodeInvalid });
    let code: string | undefined;
    if (!absent(b.code)) {
      const c = readString(b.code);
      if (c === null) throw badRequest(E.ProblemCodeInvalid, 'problem code is invalid');
      if (c!.trim() === '') throw badRequest(E.ProblemCodeEmpty, 'empty problem code');
      if (!PROBLEM_LIMITS.code.test(c!)) {
        throw badRequest(
          E.ProblemCodeInvalid,
          'problem code is invalid: a capital letter, then capitals, digits or _ (32 at most)',
        );
      }
      if (store.codeTaken(c!))
        throw badRequest(E.ProblemCodeNotUnique, 'problem code is not unique');
      code = c;
    }
    const name = readString(b.name);
    if (name === undefined) throw badRequest(E.ProblemNameNotProvided, 'problem name not provided');
    const cleanName = checkName(name, E.CreationFailed);
    const body = checkBody(b.body, E.CreationFailed) ?? '';
    const typeId = checkType(b.typeId) ?? 0;
    const masterjudgeId = checkJudge(readInt(b.masterjudgeId), JudgeType.master, {
      notProvided: E.MasterJudgeNotProvided,
      notFound: E.MasterJudgeNotFound,
    });
    const interactive = checkBool(b.interactive, 'interactive', E.CreationFailed) ?? false;
    const p = store.createProblem({
      code,
      name: cleanName,
      body,
      typeId,
      interactive,
      masterjudgeId,
    });
    return json({ id: p.id, code: p.code }, 201);
  });

  r.get('/problems', (req) => {
    const total = store.countProblems();
    const { limit, offset, info } = paging(req, '/problems', total, shortBodyQuery(req));
    const withShort = queryBool(req.query, 'shortBody');
    const l = links(req);
    return json({
      items: store.listProblems(limit, offset).map((p) => problemItem(p, l, withShort)),
      paging: info,
    });
  });

  r.get('/problems/:id', (req) => {
    const p = problemOr404(req.params.id!);
    return json(problemView(store, p, links(req), queryBool(req.query, 'shortBody')));
  });

  r.put('/problems/:id', async (req) => {
    const p = problemOr404(req.params.id!);
    const b = await req.body();
    refuseInvalidText(b, E.CreationFailed);
    const name = readString(b.name);
    const update: Parameters<ProblemsStore['updateProblem']>[1] = {};
    if (name !== undefined) update.name = checkName(name, E.CreationFailed);
    update.body = checkBody(b.body, E.CreationFailed);
    update.typeId = checkType(b.typeId);
    update.interactive = checkBool(b.interactive, 'interactive', E.CreationFailed);
    if (!absent(b.masterjudgeId)) {
      update.masterjudgeId = checkJudge(readInt(b.masterjudgeId) ?? null, JudgeType.master, {
        notProvided: E.MasterJudgeNotFound,
        notFound: E.MasterJudgeNotFound,
      });
    }
    if (!absent(b.activeTestcases)) {
      update.activeTestcases = checkTestNumbers(b.activeTestcases, store, p.id);
    }
    store.updateProblem(p.id, update);
    return json({});
  });

  r.delete('/problems/:id', (req) => {
    const p = problemOr404(req.params.id!);
    if (!store.deleteProblem(p.id)) throw badRequest(E.CreationFailed, 'delete failed');
    return json({});
  });

  // --- test cases

  r.post('/problems/:id/testcases', async (req) => {
    const p = problemOr404(req.params.id!);
    const b = await req.body();
    refuseInvalidText(b, E.ItemFailed);
    const judgeId = checkJudge(readInt(b.judgeId), JudgeType.testcase, {
      notProvided: E.JudgeNotProvided,
      notFound: E.JudgeNotFound,
    });
    const timeLimit = checkTimeLimit(b.timeLimit) ?? PROBLEM_LIMITS.timeSec.default;
    const input = checkData(b.input, 'input', E.ItemFailed) ?? Buffer.alloc(0);
    const output = checkData(b.output, 'output', E.ItemFailed) ?? Buffer.alloc(0);
    const active = checkBool(b.active, 'active', E.ItemFailed) ?? true;
    if (store.countTestcases(p.id) >= PROBLEM_LIMITS.testcases) {
      throw badRequest(
        E.TooManyTestcases,
        `maximum number of test cases exceeded: at most ${PROBLEM_LIMITS.testcases}`,
      );
    }
    const number = store.createTestcase(p.id, { input, output, timeLimit, judgeId, active });
    return json({ number }, 201);
  });

  r.get('/problems/:id/testcases', (req) => {
    const p = problemOr404(req.params.id!);
    const l = links(req);
    return json({ items: store.listTestcases(p.id).map((t) => testcaseItem(store, p, t, l)) });
  });

  const testcaseOr404 = (p: ProblemRow, number: string) => {
    const t = /^\d{1,9}$/.test(number) ? store.getTestcaseMeta(p.id, Number(number)) : null;
    if (!t) throw notFound('testcase', E.ItemNotFound);
    return t;
  };

  r.get('/problems/:id/testcases/:number', (req) => {
    const p = problemOr404(req.params.id!);
    const t = testcaseOr404(p, req.params.number!);
    return json(testcaseView(store, p, t, links(req)));
  });

  r.put('/problems/:id/testcases/:number', async (req) => {
    const p = problemOr404(req.params.id!);
    const t = testcaseOr404(p, req.params.number!);
    const b = await req.body();
    refuseInvalidText(b, E.ItemFailed);
    const update: Parameters<ProblemsStore['updateTestcase']>[2] = {};
    if (!absent(b.judgeId)) {
      update.judgeId = checkJudge(readInt(b.judgeId) ?? null, JudgeType.testcase, {
        notProvided: E.JudgeNotFound,
        notFound: E.JudgeNotFound,
      });
    }
    update.timeLimit = checkTimeLimit(b.timeLimit);
    update.input = checkData(b.input, 'input', E.ItemFailed);
    update.output = checkData(b.output, 'output', E.ItemFailed);
    update.active = checkBool(b.active, 'active', E.ItemFailed);
    store.updateTestcase(p.id, t.number, update);
    return json({});
  });

  // Not in the spec's tables; the official clients call it. Later test cases move down by one.
  r.delete('/problems/:id/testcases/:number', (req) => {
    const p = problemOr404(req.params.id!);
    const t = testcaseOr404(p, req.params.number!);
    if (!store.deleteTestcase(p.id, t.number)) throw notFound('testcase', E.ItemNotFound);
    return json({});
  });

  r.get('/problems/:id/testcases/:number/:filename', (req) => {
    const p = problemOr404(req.params.id!);
    const t = testcaseOr404(p, req.params.number!);
    const file = req.params.filename;
    if (file !== 'input' && file !== 'output') throw notFound('file', E.FileNotFound);
    const full = store.getTestcase(p.id, t.number)!;
    return raw(file === 'input' ? full.input : full.output);
  });

  // --- judges

  r.post('/judges', async (req) => {
    const b = await req.body();
    refuseInvalidText(b, E.CreationFailed);
    const source = readString(b.source);
    if (source === undefined || source === null || source === '') {
      throw badRequest(E.SourceNotProvided, 'source not provided');
    }
    checkSourceSize(Buffer.byteLength(source));
    const typeId = absent(b.typeId) || b.typeId === '' ? 0 : readInt(b.typeId);
    if (typeId !== JudgeType.testcase && typeId !== JudgeType.master) {
      throw badRequest(
        E.JudgeTypeIncorrect,
        'judge type is incorrect: 0 (test case) or 1 (master)',
      );
    }
    const { language, version } = checkCompiler(b, deps.languages())!;
    const name = readString(b.name);
    if (name === null) throw badRequest(E.CreationFailed, 'creation failed: name must be text');
    const shared = checkBool(b.shared, 'shared', E.CreationFailed) ?? false;
    const id = store.createJudge({
      name: firstCodePoints(name ?? '', PROBLEM_LIMITS.nameChars),
      typeId,
      compilerId: language.id,
      compilerVersionId: version.id,
      source: Buffer.from(source),
      shared,
    });
    return json({ id }, 201);
  });

  r.get('/judges', (req) => {
    const typeParam = req.query.get('typeId');
    const typeId = typeParam === null || typeParam === '' ? 0 : readInt(typeParam);
    if (typeId !== JudgeType.testcase && typeId !== JudgeType.master) {
      throw badRequest(
        E.JudgeTypeIncorrect,
        'judge type is incorrect: 0 (test case) or 1 (master)',
      );
    }
    const builtins = [...BUILTIN_JUDGES.values()].filter((j) => j.typeId === typeId);
    const total = builtins.length + store.countJudges(typeId);
    const { limit, offset, info } = paging(req, '/judges', total, { typeId: String(typeId) });
    const langs = deps.languages();
    const shown = builtins.slice(offset, offset + limit).map((j) => judgeShape(j.id, null, langs)!);
    const customOffset = Math.max(0, offset - builtins.length);
    const customLimit = limit - shown.length;
    if (customLimit > 0) {
      for (const row of store.listJudges(typeId, customLimit, customOffset)) {
        shown.push(judgeShape(row.id, row, langs)!);
      }
    }
    const l = links(req);
    return json({ items: shown.map((j) => judgeItem(j, l)), paging: info });
  });

  const judgeOr404 = (id: string) => {
    const n = /^\d{1,15}$/.test(id) ? Number(id) : NaN;
    const shape = Number.isNaN(n)
      ? null
      : judgeShape(n, BUILTIN_JUDGES.has(n) ? null : store.getJudge(n), deps.languages());
    if (!shape) throw notFound('judge');
    return shape;
  };

  r.get('/judges/:id', (req) => json(judgeView(judgeOr404(req.params.id!), links(req))));

  r.put('/judges/:id', async (req) => {
    const j = judgeOr404(req.params.id!);
    if (j.builtin) throw accessDenied('judge');
    const b = await req.body();
    refuseInvalidText(b, E.CreationFailed);
    const compiler = checkCompiler(b, deps.languages(), j.compiler.id);
    const source = readString(b.source);
    if (source === null || source === '') {
      throw badRequest(E.CreationFailed, 'update failed: source must be non-empty text');
    }
    if (source !== undefined) checkSourceSize(Buffer.byteLength(source));
    const name = readString(b.name);
    if (name === null) throw badRequest(E.CreationFailed, 'update failed: name must be text');
    store.updateJudge(j.id, {
      name: name === undefined ? undefined : firstCodePoints(name, PROBLEM_LIMITS.nameChars),
      compilerId: compiler?.language.id,
      compilerVersionId: compiler?.version.id,
      source: source === undefined ? undefined : Buffer.from(source),
      shared: checkBool(b.shared, 'shared', E.CreationFailed),
    });
    // The spec answers this PUT with 201.
    return json({}, 201);
  });

  r.get('/judges/:id/:filename', (req) => {
    const j = judgeOr404(req.params.id!);
    if (req.params.filename !== 'source') throw notFound('file', E.ItemNotFound);
    return raw(
      j.builtin ? BUILTIN_JUDGES.get(j.id)!.description + '\n' : store.getJudge(j.id)!.source,
    );
  });

  // --- submissions

  r.post('/submissions', async (req) => {
    const b = await req.body();
    refuseInvalidText(b, E.CreationFailed);
    if (absent(b.problemId) || b.problemId === '') {
      throw badRequest(E.ProblemNotProvided, 'problem not provided');
    }
    const idOrCode = readString(b.problemId);
    const problem = idOrCode ? store.findProblem(idOrCode.trim()) : null;
    if (!problem) throw badRequest(E.ProblemNotFound, 'problem not found');
    const { language, version } = checkSubmissionCompiler(b, deps.languages());
    // a tar.gz upload in `source` is multi-file mode
    const files = unpackSource(b) ?? checkFiles(b.files);
    if (files && !language.multiFile) {
      throw badRequest(
        E.CompilerNotAvailable,
        `compiler not available for multi-file submissions: ${language.name}`,
      );
    }
    const source = readString(b.source) ?? '';
    if (source === '' && !files) throw badRequest(E.SourceNotProvided, 'source not provided');
    let size = Buffer.byteLength(source);
    for (const content of Object.values(files ?? {})) size += Buffer.byteLength(content);
    checkSourceSize(size);
    let tests: number[] | null = null;
    if (!absent(b.tests)) {
      const list = checkTestNumbers(b.tests, store, problem.id);
      if (list.length === 0) throw badRequest(E.TestsEmpty, 'empty test cases sequence');
      tests = [...new Set(list)].sort((x, y) => x - y);
    }
    const id = deps.submit(() =>
      store.createSubmission({
        problem,
        compilerId: language.id,
        compilerVersionId: version.id,
        compilerName: language.name,
        versionName: version.name,
        source: Buffer.from(source),
        files,
        tests,
      }),
    );
    return json({ id }, 201);
  });

  r.get('/submissions', (req) => {
    const ids = parseIds(req.query.get('ids'), PROBLEM_LIMITS.ids);
    const l = links(req);
    return json({ items: store.getSubmissions(ids).map((s) => submissionItem(s, l)) });
  });

  const submissionOr404 = (id: string) => {
    const s = /^\d{1,15}$/.test(id) ? store.getSubmission(Number(id)) : null;
    if (!s) throw notFound('submission');
    return s;
  };

  r.get('/submissions/:id', (req) =>
    json(submissionView(submissionOr404(req.params.id!), links(req))),
  );

  // Not in the spec's tables; the official clients call it with no parameters and expect `{}`.
  // It judges the submission again on the problem's test cases as they are now (the same
  // `tests` selection, if it had one). One still being judged is left to finish.
  r.put('/submissions/:id', async (req) => {
    const s = submissionOr404(req.params.id!);
    await req.body();
    if (isTransient(s.status)) return json({});
    deps.submit(() => {
      store.resetSubmission(s.id);
      return s.id;
    });
    return json({});
  });

  r.get('/submissions/:id/:stream', (req) => {
    const s = submissionOr404(req.params.id!);
    const name = req.params.stream!;
    if (name === 'source') return raw(sourceStream(s));
    if (name !== 'output' && name !== 'error' && name !== 'cmpinfo' && name !== 'debug') {
      throw notFound('stream', E.ItemNotFound);
    }
    const data = isTransient(s.status) ? null : store.getStream(s.id, name);
    if (!data || data.length === 0) throw notFound('stream', E.ItemNotFound);
    return raw(data);
  });

  // --- widgets

  r.post('/widgets', async (req) => {
    const b = await req.body();
    refuseInvalidText(b, E.CreationFailed, { name: E.WidgetNameTypeIncorrect });
    if (absent(b.name)) throw badRequest(E.WidgetNameNotProvided, 'widget name not provided');
    if (typeof b.name !== 'string') {
      throw badRequest(E.WidgetNameTypeIncorrect, 'widget name type is incorrect: give text');
    }
    if (b.name.trim() === '') throw badRequest(E.WidgetNameEmpty, 'empty widget name');
    if (codePoints(b.name) > PROBLEM_LIMITS.widgetNameChars) {
      throw badRequest(
        E.WidgetNameTooLong,
        `widget name is too long: at most ${PROBLEM_LIMITS.widgetNameChars} characters`,
      );
    }
    if (absent(b.problem_id) || b.problem_id === '') {
      throw badRequest(E.ProblemNotProvided, 'problem not provided');
    }
    const problem = store.findProblem(String(readString(b.problem_id) ?? '').trim());
    if (!problem) throw badRequest(E.ProblemNotFound, 'problem not found');
    if (absent(b.default_language) || b.default_language === '') {
      throw badRequest(E.DefaultLanguageEmpty, 'empty default programming language');
    }
    const lang = readInt(b.default_language);
    if (typeof lang !== 'number') {
      throw badRequest(
        E.DefaultLanguageTypeIncorrect,
        'default language type is incorrect: give a compiler id',
      );
    }
    const languages = deps.languages();
    if (!languages.has(lang)) {
      throw badRequest(E.DefaultLanguageNotAvailable, 'default language not available');
    }
    const settings = widgetSettings(b, languages);
    const hash = randomHash(10);
    const sharedSecret = randomBytes(16).toString('hex');
    store.createWidget({
      hash,
      sharedSecret,
      name: b.name,
      problemId: problem.id,
      settings: { ...settings, default_language: lang },
    });
    return json({ hash, shared_secret: sharedSecret }, 201);
  });

  return r;
}

// --- validation helpers (each throws the spec's error for its parameter)

function shortBodyQuery(req: ApiRequest): Record<string, string> {
  const v = req.query.get('shortBody');
  return v === null ? {} : { shortBody: v };
}

const judgeWord = (typeId: number) => (typeId === JudgeType.master ? 'master judge' : 'judge');

function checkName(name: string | null, failCode: number): string {
  if (name === null) throw badRequest(failCode, 'problem name must be text');
  if (name.trim() === '') throw badRequest(E.ProblemNameEmpty, 'empty problem name');
  if (codePoints(name) > PROBLEM_LIMITS.nameChars) {
    throw badRequest(
      failCode,
      `problem name is too long: at most ${PROBLEM_LIMITS.nameChars} characters`,
    );
  }
  return name;
}

function checkBody(v: unknown, failCode: number): string | undefined {
  const body = readString(v);
  if (body === null) throw badRequest(failCode, 'problem description must be text');
  if (body !== undefined && Buffer.byteLength(body) > PROBLEM_LIMITS.bodyBytes) {
    throw badRequest(failCode, `problem description larger than ${PROBLEM_LIMITS.bodyBytes} bytes`);
  }
  return body;
}

function checkType(v: unknown): number | undefined {
  const t = readInt(v);
  if (t === undefined) return undefined;
  if (t === null || !TYPE_IDS.has(t)) {
    throw badRequest(
      E.ProblemTypeIncorrect,
      'problem type is incorrect: 0 (binary), 1 (minimize), 2 (maximize) or 4 (percentage)',
    );
  }
  return t;
}

function checkBool(v: unknown, name: string, failCode: number): boolean | undefined {
  const x = readBool(v);
  if (x === null) throw badRequest(failCode, `${name} must be true or false`);
  return x;
}

function checkTimeLimit(v: unknown): number | undefined {
  const t = readNumber(v);
  if (t === undefined) return undefined;
  const { min, max } = PROBLEM_LIMITS.timeSec;
  if (t === null || t < min || t > max) {
    throw badRequest(
      E.TimeLimitInvalid,
      `invalid format of time limit: seconds from ${min} to ${max}`,
    );
  }
  return t;
}

function checkData(v: unknown, name: string, failCode: number): Buffer | undefined {
  const s = readString(v);
  if (s === undefined) return undefined;
  if (s === null) throw badRequest(failCode, `${name} must be text`);
  const b = Buffer.from(s);
  if (b.length > PROBLEM_LIMITS.testcaseBytes) {
    throw badRequest(failCode, `${name} larger than ${PROBLEM_LIMITS.testcaseBytes} bytes`);
  }
  return b;
}

/** A sequence of test case numbers (`activeTestcases`, `tests`), each one of the problem's. */
function checkTestNumbers(value: unknown, store: ProblemsStore, problemId: number): number[] {
  const list = readNumberList(value);
  if (!list) {
    throw badRequest(
      E.TestsFormatInvalid,
      'invalid format of test cases sequence: give test case numbers separated by commas',
    );
  }
  const known = new Set(store.listTestcases(problemId).map((t) => t.number));
  const unknown = list.filter((n) => !known.has(n));
  if (unknown.length) {
    throw badRequest(
      E.TestsInvalid,
      `invalid test cases sequence: no test case ${unknown.join(', ')}`,
    );
  }
  return list;
}

/**
 * `compilerId` + `compilerVersionId` of a judge. For an update (`current` given) either may be
 * left out: null when both are.
 */
function checkCompiler(
  b: Body,
  languages: Map<number, LanguageInfo>,
  current?: number,
): { language: LanguageInfo; version: { id: number; name: string } } | null {
  let compilerId: unknown = b.compilerId;
  if (absent(compilerId) || compilerId === '') {
    if (current === undefined) throw badRequest(E.CompilerNotProvided, 'compiler not provided');
    if (absent(b.compilerVersionId) || b.compilerVersionId === '') return null;
    compilerId = current;
  }
  const language = languages.get(readInt(compilerId) ?? NaN);
  if (!language) throw badRequest(E.CompilerNotFound, 'compiler not found');
  const version = pickVersion(b.compilerVersionId, language);
  if (!version) {
    throw badRequest(
      E.CompilerNotAvailable,
      `compiler not available: ${language.name} has no such version`,
    );
  }
  return { language, version };
}

function checkSubmissionCompiler(
  b: Body,
  languages: Map<number, LanguageInfo>,
): { language: LanguageInfo; version: { id: number; name: string } } {
  if (absent(b.compilerId) || b.compilerId === '') {
    throw badRequest(E.CompilerNotProvided, 'compiler not provided');
  }
  const language = languages.get(readInt(b.compilerId) ?? NaN);
  if (!language) throw badRequest(E.CompilerNotFound, 'compiler not found');
  const version = pickVersion(b.compilerVersionId, language);
  if (!version) throw badRequest(E.VersionNotFound, 'compiler version not found');
  return { language, version };
}

function pickVersion(v: unknown, language: LanguageInfo): { id: number; name: string } | null {
  if (absent(v) || v === '') {
    // The spec's default is 1; a language whose versions start elsewhere uses its first.
    return language.versions.find((x) => x.id === 1) ?? language.versions[0] ?? null;
  }
  const id = readInt(v);
  return language.versions.find((x) => x.id === id) ?? null;
}

/** `files` of multi-file mode: names to contents, checked by the execution core's rules. */
function checkFiles(value: unknown): Record<string, string> | null {
  if (absent(value) || value === '') return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(E.CreationFailed, 'creation failed: files must map file names to contents');
  }
  const files = value as Record<string, string>;
  if (Object.keys(files).length === 0) return null;
  checkFileRules(files);
  return files;
}

const GRADE_MODES = new Set(['manual', 'auto']);
const TABS = new Set(['problem', 'solve', 'history', 'ranking']);
const DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?: [+-]\d{2}:?\d{2})?$/;

/** The optional widget settings, checked; 400/1003 names the first wrong one. */
function widgetSettings(b: Body, languages: Map<number, LanguageInfo>): Record<string, unknown> {
  const fail = (what: string) =>
    badRequest(E.CreationFailed, `error occurred - please check your parameters: ${what}`);
  const s: Record<string, unknown> = {};
  const grade = readString(b.grade_mode) ?? 'auto';
  if (grade === null || !GRADE_MODES.has(grade)) throw fail('grade_mode is manual or auto');
  s.grade_mode = grade;
  if (!absent(b.languages) && b.languages !== '') {
    const list = readNumberList(
      typeof b.languages === 'object' && !Array.isArray(b.languages)
        ? Object.values(b.languages as Record<string, unknown>)
        : b.languages,
    );
    if (!list || list.some((id) => !languages.has(id))) {
      throw fail('languages lists compiler ids of this engine');
    }
    s.languages = list;
  }
  for (const key of ['date_from', 'date_to'] as const) {
    if (absent(b[key]) || b[key] === '') continue;
    const d = readString(b[key]);
    if (!d || !DATE.test(d)) throw fail(`${key} is yyyy-mm-dd hh:mm:ss TZD`);
    s[key] = d;
  }
  for (const key of ['source_code_template', 'template_for_lp'] as const) {
    if (absent(b[key])) continue;
    const t = readString(b[key]);
    if (t === null || t === undefined) throw fail(`${key} is text`);
    s[key] = t;
  }
  for (const key of ['max_submissions', 'session_duration'] as const) {
    if (absent(b[key]) || b[key] === '') continue;
    const n = readInt(b[key]);
    if (typeof n !== 'number' || n < 0) throw fail(`${key} is a whole number`);
    s[key] = n;
  }
  const flags = {
    show_ranking: true,
    show_user_data_on_ranking: false,
    show_welcome_form: false,
    secure_by_oauth: false,
    display_test_cases_results: false,
    display_output: false,
    hide_submission_results: false,
  };
  for (const [key, fallback] of Object.entries(flags)) {
    const v = readBool(b[key]);
    if (v === null) throw fail(`${key} is true or false`);
    s[key] = v ?? fallback;
  }
  const tab = readString(b.default_tab) ?? 'problem';
  if (tab === null || !TABS.has(tab))
    throw fail('default_tab is problem, solve, history or ranking');
  s.default_tab = tab;
  return s;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomHash(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  // 62 does not divide 256: drop bytes from the uneven top so every character is equally likely.
  for (const b of bytes) {
    if (b >= 248) continue;
    out += ALPHABET[b % 62];
    if (out.length === length) return out;
  }
  return out + randomHash(length - out.length);
}
