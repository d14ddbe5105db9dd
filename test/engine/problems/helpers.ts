// Shared by the Problems module's tests: a real engine (real sandbox, real SQLite file in a temp
// folder) and a small client of /problems/api/v4 over real HTTP.
import assert from 'node:assert/strict';
import type { EngineOptions } from '../../../src/engine/index.js';
import type { ProblemsSubmission } from '../../../src/shared/problems.js';
import { PYTHON, startModule, type ModuleUnderTest, type Reply } from '../helpers.js';

export { CPP, PYTHON } from '../helpers.js';
export const BASE = '/problems/api/v4';

export interface ProblemsEngine extends ModuleUnderTest<ProblemsSubmission> {
  /** POST with a JSON body, expecting 201; the answer's JSON */
  create(path: string, fields: Record<string, unknown>): Promise<Record<string, unknown>>;
  /**
   * A problem with test cases `[input, output, extra fields]` (JSON), created through the API;
   * its id.
   */
  problem(
    fields: Record<string, unknown>,
    tests: Array<[string, string, Record<string, unknown>?]>,
  ): Promise<number>;
  /** A custom judge from `source` (Python unless `compilerId` is given); its id. */
  judge(source: string, typeId?: number, compilerId?: number): Promise<number>;
  /** POST /submissions (JSON) expecting 201, then the final result. */
  judgeRun(fields: Record<string, unknown>, timeoutMs?: number): Promise<ProblemsSubmission>;
}

/** Starts an engine on port 0 with a temp data folder (removed by `close`); its Problems client. */
export async function startProblemsEngine(
  options: Partial<EngineOptions> = {},
): Promise<ProblemsEngine> {
  const m = await startModule<ProblemsSubmission>('problems', 'se-problems-test-', options, 60_000);
  const t: ProblemsEngine = {
    ...m,
    async create(path, fields) {
      const r = await t.post(path, { json: fields });
      assert.equal(r.status, 201, `POST ${path}: ${r.status} ${r.text}`);
      return r.json;
    },
    async problem(fields, tests) {
      const p = await t.create('/problems', {
        name: 'test problem',
        masterjudgeId: 1000,
        ...fields,
      });
      for (const [input, output, extra] of tests) {
        await t.create(`/problems/${p.id}/testcases`, { input, output, judgeId: 1, ...extra });
      }
      return p.id as number;
    },
    async judge(source, typeId = 0, compilerId = PYTHON) {
      const j = await t.create('/judges', { source, typeId, compilerId });
      return j.id as number;
    },
    async judgeRun(fields, timeoutMs) {
      const r = await t.create('/submissions', fields);
      return t.final(r.id as number, timeoutMs);
    },
  };
  return t;
}

/** Asserts an error answer: HTTP status, the spec's `error_code` and a message. */
export function assertError(r: Reply, status: number, code: number): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error_code, code, r.text);
  assert.equal(typeof r.json?.message, 'string');
  assert.ok(r.json.message.length > 0);
}

/** Test-case statuses of a result, in order: e.g. `[15, 15, 13]`. */
export const statuses = (s: ProblemsSubmission): number[] =>
  s.result.testcases.map((t) => t.status.code);
