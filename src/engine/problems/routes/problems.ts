/** Problems: `POST /problems`, `GET /problems`, `GET|PUT|DELETE /problems/:id`. */
import type { CreatedProblem, NoContent, Problem, ProblemList } from '../../../shared/problems.js';
import { parseParams, queryRecord } from '../../http/params.js';
import { json, type Router } from '../../http/router.js';
import { badRequest, ProblemsError as E } from '../errors.js';
import {
  createProblemParams,
  listProblemsQuery,
  problemQuery,
  updateProblemParams,
} from '../params.js';
import { problemItem, problemView } from '../views.js';
import { links, paging, paramsContext, problemOr404, type ProblemsDeps } from './common.js';

export function problemRoutes(r: Router, deps: ProblemsDeps): Router {
  const { store } = deps;
  const ctx = paramsContext(deps);
  const createProblem = createProblemParams(ctx);
  return r
    .post('/problems', async (req) => {
      const p = store.createProblem(parseParams(createProblem, await req.body(), E.CreationFailed));
      return json<CreatedProblem>({ id: p.id, code: p.code }, 201);
    })

    .get('/problems', (req) => {
      const q = parseParams(listProblemsQuery, queryRecord(req.query), E.CreationFailed);
      const l = links(req);
      const total = store.countProblems();
      const shortBody = req.query.get('shortBody');
      return json<ProblemList>({
        items: store.listProblems(q.limit, q.offset).map((p) => problemItem(p, l, q.shortBody)),
        paging: paging(l, '/problems', { ...q, total }, shortBody === null ? {} : { shortBody }),
      });
    })

    .get('/problems/:id', (req) => {
      const p = problemOr404(store, req.params.id);
      const q = parseParams(problemQuery, queryRecord(req.query), E.CreationFailed);
      return json<Problem>(problemView(store, p, links(req), q.shortBody));
    })

    .put('/problems/:id', async (req) => {
      const p = problemOr404(store, req.params.id);
      const update = parseParams(
        updateProblemParams(ctx, p.id),
        await req.body(),
        E.CreationFailed,
      );
      store.updateProblem(p.id, update);
      return json<NoContent>({});
    })

    .delete('/problems/:id', (req) => {
      const p = problemOr404(store, req.params.id);
      if (!store.deleteProblem(p.id)) throw badRequest(E.CreationFailed, 'delete failed');
      return json<NoContent>({});
    });
}
