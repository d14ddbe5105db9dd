/** Submissions: `POST /submissions`, `GET /submissions?ids=`, `/submissions/:id[/:stream]`. */
import type { Created } from '../../../shared/compilers.js';
import type {
  NoContent,
  ProblemsSubmission,
  ProblemsSubmissionList,
} from '../../../shared/problems.js';
import { isTransient } from '../../../shared/status.js';
import { parseParams, queryRecord } from '../../http/params.js';
import { json, type Router } from '../../http/router.js';
import { notFound, ProblemsError as E } from '../errors.js';
import { createSubmissionParams, listSubmissionsQuery } from '../params.js';
import type { SubmissionRow } from '../store.js';
import { sourceStream, submissionItem, submissionView } from '../views.js';
import { byPathIdOr404, links, paramsContext, raw, type ProblemsDeps } from './common.js';

export function submissionRoutes(r: Router, deps: ProblemsDeps): Router {
  const { store } = deps;
  const ctx = paramsContext(deps);
  const createSubmission = createSubmissionParams(ctx);

  const submissionOr404 = (param: string): SubmissionRow =>
    byPathIdOr404(param, 'submission', (id) => store.getSubmission(id));

  return (
    r
      .post('/submissions', async (req) => {
        const s = parseParams(createSubmission, await req.body(), E.CreationFailed);
        const id = deps.submit(() =>
          store.createSubmission({
            problem: s.problem,
            compilerId: s.compiler.language.id,
            compilerVersionId: s.compiler.version.id,
            compilerName: s.compiler.language.name,
            versionName: s.compiler.version.name,
            source: Buffer.from(s.source),
            files: s.files,
            tests: s.tests,
          }),
        );
        return json<Created>({ id }, 201);
      })

      .get('/submissions', (req) => {
        const { ids } = parseParams(listSubmissionsQuery, queryRecord(req.query), E.CreationFailed);
        const l = links(req);
        return json<ProblemsSubmissionList>({
          items: store.getSubmissions(ids).map((s) => submissionItem(s, l)),
        });
      })

      .get('/submissions/:id', (req) =>
        json<ProblemsSubmission>(submissionView(submissionOr404(req.params.id), links(req))),
      )

      // Not in the spec's tables; the official clients call it with no parameters and expect `{}`.
      // It judges the submission again on the problem's test cases as they are now (the same
      // `tests` selection, if it had one). One still being judged is left to finish.
      .put('/submissions/:id', async (req) => {
        const s = submissionOr404(req.params.id);
        await req.body();
        if (isTransient(s.status)) return json<NoContent>({});
        deps.submit(() => {
          store.resetSubmission(s.id);
          return s.id;
        });
        return json<NoContent>({});
      })

      .get('/submissions/:id/:stream', (req) => {
        const s = submissionOr404(req.params.id);
        const name = req.params.stream;
        if (name === 'source') return raw(sourceStream(s));
        if (name !== 'output' && name !== 'error' && name !== 'cmpinfo' && name !== 'debug') {
          throw notFound('stream', E.ItemNotFound);
        }
        const data = isTransient(s.status) ? null : store.getStream(s.id, name);
        if (!data || data.length === 0) throw notFound('stream', E.ItemNotFound);
        return raw(data);
      })
  );
}
