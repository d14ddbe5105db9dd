/**
 * `/problems/api/v4`: one handler per method of spec/problems-api-v4.txt, one file per resource
 * (routes/). Each handler validates its parameters at the edge by schema (params.ts) and throws
 * the spec's errors (ApiError); the server turns them into `{error_code, message}` in one place.
 */
import type { ApiTestResponse, CompilersResponse } from '../../shared/compilers.js';
import { compilerItems } from '../exec/languages.js';
import { json, Router } from '../http/router.js';
import type { ProblemsDeps } from './routes/common.js';
import { judgeRoutes } from './routes/judges.js';
import { problemRoutes } from './routes/problems.js';
import { submissionRoutes } from './routes/submissions.js';
import { testcaseRoutes } from './routes/testcases.js';
import { widgetRoutes } from './routes/widgets.js';

export type { ProblemsDeps } from './routes/common.js';

/** The Problems API v4 (spec/problems-api-v4.txt), in the spec's order. */
export function problemsRouter(deps: ProblemsDeps): Router {
  const r = new Router()
    .get('/test', () =>
      json<ApiTestResponse>({ message: 'You can use Sphere Engine Problems API.' }),
    )
    .get('/compilers', () => json<CompilersResponse>({ items: compilerItems(deps.languages()) }));
  for (const routes of [
    problemRoutes,
    testcaseRoutes,
    judgeRoutes,
    submissionRoutes,
    widgetRoutes,
  ]) {
    routes(r, deps);
  }
  return r;
}
