/** Test cases: `/problems/:id/testcases`, `/problems/:id/testcases/:number[/:filename]`. */
import type {
  CreatedTestcase,
  NoContent,
  Testcase,
  TestcaseList,
} from '../../../shared/problems.js';
import { parseParams } from '../../http/params.js';
import { json, type Router } from '../../http/router.js';
import { badRequest, notFound, ProblemsError as E } from '../errors.js';
import { PROBLEM_LIMITS } from '../limits.js';
import { createTestcaseParams, updateTestcaseParams } from '../params.js';
import type { ProblemRow, ProblemsStore, TestcaseMeta } from '../store.js';
import { testcaseItem, testcaseView } from '../views.js';
import { links, paramsContext, problemOr404, raw, type ProblemsDeps } from './common.js';

function testcaseOr404(store: ProblemsStore, p: ProblemRow, number: string): TestcaseMeta {
  const t = /^\d{1,9}$/.test(number) ? store.getTestcaseMeta(p.id, Number(number)) : null;
  if (!t) throw notFound('testcase', E.ItemNotFound);
  return t;
}

export function testcaseRoutes(r: Router, deps: ProblemsDeps): Router {
  const { store } = deps;
  const ctx = paramsContext(deps);
  const createTestcase = createTestcaseParams(ctx);
  const updateTestcase = updateTestcaseParams(ctx);
  return (
    r
      .post('/problems/:id/testcases', async (req) => {
        const p = problemOr404(store, req.params.id);
        const t = parseParams(createTestcase, await req.body(), E.ItemFailed);
        if (store.countTestcases(p.id) >= PROBLEM_LIMITS.testcases) {
          throw badRequest(
            E.TooManyTestcases,
            `maximum number of test cases exceeded: at most ${PROBLEM_LIMITS.testcases}`,
          );
        }
        return json<CreatedTestcase>({ number: store.createTestcase(p.id, t) }, 201);
      })

      .get('/problems/:id/testcases', (req) => {
        const p = problemOr404(store, req.params.id);
        const l = links(req);
        return json<TestcaseList>({
          items: store.listTestcases(p.id).map((t) => testcaseItem(store, p, t, l)),
        });
      })

      .get('/problems/:id/testcases/:number', (req) => {
        const p = problemOr404(store, req.params.id);
        const t = testcaseOr404(store, p, req.params.number);
        return json<Testcase>(testcaseView(store, p, t, links(req)));
      })

      .put('/problems/:id/testcases/:number', async (req) => {
        const p = problemOr404(store, req.params.id);
        const t = testcaseOr404(store, p, req.params.number);
        const update = parseParams(updateTestcase, await req.body(), E.ItemFailed);
        store.updateTestcase(p.id, t.number, update);
        return json<NoContent>({});
      })

      // Not in the spec's tables; the official clients call it. Later test cases move down by one.
      .delete('/problems/:id/testcases/:number', (req) => {
        const p = problemOr404(store, req.params.id);
        const t = testcaseOr404(store, p, req.params.number);
        if (!store.deleteTestcase(p.id, t.number)) throw notFound('testcase', E.ItemNotFound);
        return json<NoContent>({});
      })

      .get('/problems/:id/testcases/:number/:filename', (req) => {
        const p = problemOr404(store, req.params.id);
        const t = testcaseOr404(store, p, req.params.number);
        const file = req.params.filename;
        if (file !== 'input' && file !== 'output') throw notFound('file', E.FileNotFound);
        const full = store.getTestcase(p.id, t.number)!;
        return raw(file === 'input' ? full.input : full.output);
      })
  );
}
