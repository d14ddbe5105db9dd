import type {
  ApiTestResponse,
  CompilersResponse,
  CompilersSubmission,
  CompilersSubmissionList,
  Created,
} from '../../shared/compilers.js';
import { compilerItems } from '../exec/languages.js';
import { ApiError } from '../http/errors.js';
import { parseParams, pathId, queryRecord } from '../http/params.js';
import { json, Router, type ApiResponse } from '../http/router.js';
import { CompilersError, submissionNotFound } from './errors.js';
import type { CompilersService } from './service.js';
import { STREAMS, type StreamName } from './store.js';
import { createParams, listParams } from './params.js';
import { detailView, summaryView } from './view.js';

/** The Compilers API v4 (spec/compilers-api-v4.txt): one handler per method. */
export function compilersRouter(service: CompilersService): Router {
  // The languages are the execution core's, fixed at start: the schema is built once.
  const create = createParams(service.languages());
  return (
    new Router()
      // GET /test
      .get('/test', () =>
        json<ApiTestResponse>({ message: 'You can use Sphere Engine Compilers API.' }),
      )

      // GET /compilers
      .get('/compilers', () =>
        json<CompilersResponse>({ items: compilerItems(service.languages()) }),
      )

      // POST /submissions
      .post('/submissions', async (req) => {
        const params = parseParams(create, await req.body(), CompilersError.CreationFailed);
        return json<Created>({ id: service.create(params) }, 201);
      })

      // GET /submissions?ids=
      .get('/submissions', (req) => {
        const { ids } = parseParams(
          listParams,
          queryRecord(req.query),
          CompilersError.CreationFailed,
        );
        const rows = service.list(ids);
        return json<CompilersSubmissionList>({
          items: rows.map((r) => summaryView(r, req.baseUrl, req.accessToken)),
        });
      })

      // GET /submissions/:id
      .get('/submissions/:id', (req) => {
        const row = service.get(submissionId(req.params.id));
        if (!row) throw submissionNotFound();
        return json<CompilersSubmission>(detailView(row, req.baseUrl, req.accessToken));
      })

      // GET /submissions/:id/:stream
      .get('/submissions/:id/:stream', (req): ApiResponse => {
        const id = submissionId(req.params.id);
        const name = req.params.stream as StreamName;
        if (!service.get(id)) throw submissionNotFound();
        const found = STREAMS.includes(name) ? service.stream(id, name) : null;
        if (!found?.data?.length) {
          throw new ApiError(404, CompilersError.StreamNotFound, 'stream not found');
        }
        return { status: 200, raw: found.data, contentType: 'text/plain; charset=utf-8' };
      })
  );
}

/** A path id; ids that cannot exist (not a positive integer) are "not found". */
function submissionId(param: string | undefined): number {
  const id = pathId(param);
  if (id === null) throw submissionNotFound();
  return id;
}
