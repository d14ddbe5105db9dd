import type {
  ContainersSubmission,
  ContainersSubmissionCreated,
  ContainersSubmissionList,
  FileListing,
  MessageResponse,
  Project,
  ProjectList,
  UploadedFile,
  Workspace,
  WorkspaceCreated,
  WorkspaceList,
} from '../../shared/containers.js';
import { ApiError } from '../http/errors.js';
import { parseParams, pathId, queryRecord } from '../http/params.js';
import { json, Router, type ApiRequest, type ApiResponse } from '../http/router.js';
import { ContainersError as E, projectNotFound, submissionNotFound } from './errors.js';
import {
  createSubmissionParams,
  createWorkspaceParams,
  projectListParams,
  runScenarioParams,
  createEntryParams,
  removeEntryParams,
  renameEntryParams,
  resetParams,
  submissionListParams,
  tokenOf,
  uploadParams,
  workspaceListParams,
} from './params.js';
import type { ContainersService } from './service.js';
import type { WorkspaceRow } from './store.js';
import {
  entryView,
  projectView,
  SUBMISSION_STREAMS,
  submissionView,
  workspaceView,
} from './views.js';

const paging = (offset: number, limit: number, total: number) => ({
  previous_page_token: offset > 0 ? tokenOf(Math.max(0, offset - limit)) : null,
  next_page_token: offset + limit < total ? tokenOf(offset + limit) : null,
});

/**
 * The Containers API v1.1 (spec/containers-api-v1.1.txt), one handler per method, and (unless
 * `extensions` is false) the engine's extensions (extensionRoutes).
 */
export function containersRouter(service: ContainersService, extensions = true): Router {
  const view = (
    w: WorkspaceRow,
    req: ApiRequest<unknown>,
    token: string | null = null,
  ): Workspace => workspaceView(w, service.projectRef(w.projectId), req.baseUrl, token);
  const submission = (id: number, req: ApiRequest<unknown>): ContainersSubmission => {
    const s = service.submission(id);
    if (!s) throw submissionNotFound();
    return submissionView(s, service.projectRef(s.projectId), req.baseUrl);
  };
  const raw = (data: Buffer, contentType = 'application/octet-stream'): ApiResponse => ({
    status: 200,
    raw: data,
    contentType,
  });

  const router = new Router()
    // GET /test
    .get('/test', () =>
      json<MessageResponse>({ message: 'You can use Sphere Engine Containers API' }),
    )

    // GET /projects
    .get('/projects', (req) => {
      const p = parseParams(projectListParams, queryRecord(req.query), E.InvalidRequestData);
      const { rows, total } = service.projects.list(p.page_token, p.limit);
      return json<ProjectList>({
        items: rows.map(projectView),
        paging: paging(p.page_token, p.limit, total),
      });
    })

    // GET /projects/:id
    .get('/projects/:id', (req) => {
      const p = service.project(req.params.id);
      if (!p) throw projectNotFound();
      return json<Project>(projectView(p));
    })

    // GET /workspaces
    .get('/workspaces', (req) => {
      const p = parseParams(
        workspaceListParams,
        {
          ...queryRecord(req.query),
          states: [...req.query.getAll('states[]'), ...req.query.getAll('states')],
        },
        E.InvalidRequestData,
      );
      const { rows, total } = service.rows.workspaces(
        { ...(p.project_id !== null ? { projectId: p.project_id } : {}), states: p.states },
        p.page_token,
        p.limit,
      );
      return json<WorkspaceList>({
        items: rows.map((w) => view(w, req)),
        paging: paging(p.page_token, p.limit, total),
      });
    })

    // POST /workspaces
    .post('/workspaces', async (req) => {
      const p = parseParams(createWorkspaceParams, await req.body(), E.InvalidRequestData);
      const { row, token } = service.createWorkspace(p);
      return json<WorkspaceCreated>(
        { message: 'Workspace has been created', workspace: view(row, req, token) },
        201,
      );
    })

    // GET /workspaces/:id
    .get('/workspaces/:id', (req) => json<Workspace>(view(service.workspace(req.params.id), req)))

    // PUT /workspaces/:id/stop
    .put('/workspaces/:id/stop', (req) => {
      service.stop(req.params.id);
      return json<MessageResponse>({ message: 'Workspace has been stopped' });
    })

    // PUT /workspaces/:id/resume
    .put('/workspaces/:id/resume', async (req) => {
      await service.resume(req.params.id);
      return json<MessageResponse>({ message: 'Workspace is resuming' });
    })

    // PUT /workspaces/:id/remove
    .put('/workspaces/:id/remove', async (req) => {
      await service.remove(req.params.id);
      return json<MessageResponse>({ message: 'Workspace has been removed' });
    })

    // POST /workspaces/:id/files
    .post('/workspaces/:id/files', async (req) => {
      service.workspace(req.params.id);
      const p = parseParams(uploadParams, await req.body(), E.FileFailed);
      return json<UploadedFile>({
        path: await service.upload(req.params.id, p.filepath, p.filedata),
      });
    })

    // GET /workspaces/:id/files/:path (the path is base64; a raw `/` in it is taken too)
    .get('/workspaces/:id/files/*path', async (req) =>
      raw(await service.readFile(req.params.id, req.params.path)),
    )

    // GET /workspaces/:id/list_files and GET /workspaces/:id/list_files/:path
    .get('/workspaces/:id/list_files', (req) => listing(req.params.id, null))
    .get('/workspaces/:id/list_files/*path', (req) => listing(req.params.id, req.params.path))

    // GET /workspaces/:id/workspace_init_output and _error (the streams' uris)
    .get('/workspaces/:id/:stream', (req) => {
      const which =
        req.params.stream === 'workspace_init_output'
          ? 'output'
          : req.params.stream === 'workspace_init_error'
            ? 'error'
            : null;
      if (!which) throw new ApiError(404, E.FileNotFound, 'stream not found');
      const data = service.initStream(req.params.id, which);
      if (!data?.length) throw new ApiError(404, E.FileNotFound, 'stream not found');
      return raw(data, 'text/plain; charset=utf-8');
    })

    // GET /submissions
    .get('/submissions', (req) => {
      const p = parseParams(submissionListParams, queryRecord(req.query), E.InvalidRequestData);
      if (p.ids !== null)
        return json<ContainersSubmissionList>({
          items: p.ids.filter((id) => service.submission(id)).map((id) => submission(id, req)),
          paging: { previous_page_token: null, next_page_token: null },
        });
      const { ids, total } = service.rows.submissionIds(p.page_token, p.limit);
      return json<ContainersSubmissionList>({
        items: ids.map((id) => submission(id, req)),
        paging: paging(p.page_token, p.limit, total),
      });
    })

    // POST /submissions
    .post('/submissions', async (req) => {
      const p = parseParams(createSubmissionParams, await req.body(), E.CreationFailed);
      return json<ContainersSubmissionCreated>(
        { message: 'Submission has been created', id: service.submit(p) },
        201,
      );
    })

    // GET /submissions/:id
    .get('/submissions/:id', (req) =>
      json<ContainersSubmission>(submission(submissionId(req.params.id), req)),
    )

    // GET /submissions/:id/:stream
    .get('/submissions/:id/:stream', (req) => {
      const id = submissionId(req.params.id);
      const s = service.submission(id);
      if (!s) throw submissionNotFound();
      const name = req.params.stream as (typeof SUBMISSION_STREAMS)[number];
      if (!SUBMISSION_STREAMS.includes(name))
        throw new ApiError(
          400,
          E.BadPath,
          `invalid stream parameter: one of ${SUBMISSION_STREAMS.join(', ')}`,
        );
      const data = service.rows.stream(id, name);
      if (!data?.length) throw new ApiError(404, E.FileNotFound, 'stream not found');
      const binary = name === 'source' || name === 'auxdata';
      return raw(
        data,
        binary
          ? 'application/gzip'
          : name === 'tests_report'
            ? 'application/json'
            : 'text/plain; charset=utf-8',
      );
    });
  return extensions ? extensionRoutes(router, service) : router;

  async function listing(id: string, path: string | null): Promise<ApiResponse> {
    const { listed, entries } = await service.list(id, path);
    return json<FileListing>({
      listed_dir: listed,
      files: entries.filter((e) => !e.dir).map(entryView),
      dirs: entries.filter((e) => e.dir).map(entryView),
    });
  }
}

/** A path id; ids that cannot exist (not a positive integer) are "not found". */
function submissionId(param: string | undefined): number {
  const id = pathId(param);
  if (id === null) throw submissionNotFound();
  return id;
}

/**
 * The engine's extensions of the API (README): `POST /workspaces/:id/files/create`, `/remove`,
 * `/rename`, `POST /workspaces/:id/reset`, and `POST /workspaces/:id/scenarios` (a scenario run on
 * a running workspace's files).
 */
function extensionRoutes(router: Router, service: ContainersService): Router {
  return (
    router
      // POST /workspaces/:id/files/create, /remove, /rename and /reset (extensions, see the README)
      .post('/workspaces/:id/files/create', async (req) => {
        service.workspace(req.params.id);
        const p = parseParams(createEntryParams, await req.body(), E.InvalidRequestData);
        return json<UploadedFile>({
          path: await service.createEntry(req.params.id, p.filepath, p.type === 'dir'),
        });
      })
      .post('/workspaces/:id/files/remove', async (req) => {
        service.workspace(req.params.id);
        const p = parseParams(removeEntryParams, await req.body(), E.InvalidRequestData);
        await service.removeEntry(req.params.id, p.filepath);
        return json<MessageResponse>({ message: 'File has been removed' });
      })
      .post('/workspaces/:id/files/rename', async (req) => {
        service.workspace(req.params.id);
        const p = parseParams(renameEntryParams, await req.body(), E.InvalidRequestData);
        return json<UploadedFile>({
          path: await service.renameEntry(req.params.id, p.filepath, p.target),
        });
      })
      .post('/workspaces/:id/reset', async (req) => {
        service.workspace(req.params.id);
        const p = parseParams(resetParams, await req.body(), E.InvalidRequestData);
        await service.reset(req.params.id, p.filepath);
        return json<MessageResponse>({ message: 'Workspace has been reset' });
      })

      // POST /workspaces/:id/scenarios (an extension, see the README)
      .post('/workspaces/:id/scenarios', async (req) => {
        service.workspace(req.params.id);
        const p = parseParams(runScenarioParams, await req.body(), E.InvalidRequestData);
        const id = await service.runOnWorkspace(req.params.id, p.scenario);
        return json<ContainersSubmissionCreated>(
          { message: 'Submission has been created', id },
          201,
        );
      })
  );
}
