import type {
  ContainersSubmissionList,
  FileListing,
  ProjectList,
  ContainersStreamName,
  ContainersSubmission,
  CreateContainersSubmission,
  CreateWorkspace,
  Project,
  TokenPaging,
  Workspace,
} from '../shared/containers.js';
import { ModuleClient } from './module-client.js';
import type { CappedText } from './transport.js';

const b64 = (path: string) => Buffer.from(path, 'utf8').toString('base64');

function formOf(fields: Record<string, unknown>, files: Record<string, string>): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (value instanceof Uint8Array) {
      // Copy into a plain ArrayBuffer-backed view: Blob parts may not be shared memory.
      form.append(key, new Blob([new Uint8Array(value)]), files[key] ?? key);
    } else {
      form.append(key, String(value));
    }
  }
  return form;
}

/** The Containers API v1.1 (spec/containers-api-v1.1.txt), one method per API method. */
export class ContainersClient extends ModuleClient {
  workspaces(
    query: { project_id?: string; states?: number[]; limit?: number; page_token?: string } = {},
  ): Promise<{ items: Workspace[]; paging: TokenPaging }> {
    return this.http.json('GET', '/workspaces', { query });
  }

  /** `POST /workspaces`: never retried. */
  createWorkspace(workspace: CreateWorkspace): Promise<{ message: string; workspace: Workspace }> {
    return this.http.json('POST', '/workspaces', {
      form: formOf({ ...workspace }, { files: 'files.tar.gz' }),
    });
  }

  workspace(id: string): Promise<Workspace> {
    return this.http.json('GET', '/workspaces/:id', { params: { id } });
  }

  stopWorkspace(id: string): Promise<{ message: string }> {
    return this.http.json('PUT', '/workspaces/:id/stop', { params: { id } });
  }

  resumeWorkspace(id: string): Promise<{ message: string }> {
    return this.http.json('PUT', '/workspaces/:id/resume', { params: { id } });
  }

  removeWorkspace(id: string): Promise<{ message: string }> {
    return this.http.json('PUT', '/workspaces/:id/remove', { params: { id } });
  }

  /** `POST /workspaces/:id/files`: `filepath` is relative to the workspace directory. */
  uploadFile(id: string, filepath: string, data: Uint8Array | string): Promise<{ path: string }> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    return this.http.json('POST', '/workspaces/:id/files', {
      params: { id },
      form: formOf({ id, filepath, filedata: bytes }, { filedata: filepath }),
    });
  }

  /** `GET /workspaces/:id/files/:path` (the path is sent base64-encoded, as the spec says) */
  file(id: string, path: string, maxBytes: number): Promise<CappedText> {
    return this.http.text('/workspaces/:id/files/:path', maxBytes, {
      params: { id, path: b64(path) },
    });
  }

  /** `GET /workspaces/:id/list_files/:path` (the workspace directory when `path` is omitted) */
  listFiles(id: string, path?: string): Promise<FileListing> {
    return path === undefined || path === ''
      ? this.http.json('GET', '/workspaces/:id/list_files', { params: { id } })
      : this.http.json('GET', '/workspaces/:id/list_files/:path', {
          params: { id, path: b64(path) },
        });
  }

  submissions(
    query: { ids?: number[]; limit?: number; page_token?: string } = {},
  ): Promise<ContainersSubmissionList> {
    const { ids, ...rest } = query;
    return this.http.json('GET', '/submissions', {
      query: { ...rest, ids: ids?.join(',') },
    });
  }

  /** `POST /submissions`: never retried. */
  createSubmission(
    submission: CreateContainersSubmission,
  ): Promise<{ message: string; id: number }> {
    return this.http.json('POST', '/submissions', {
      form: formOf({ ...submission }, { source: 'source.tar.gz' }),
    });
  }

  /**
   * `POST /workspaces/:id/scenarios`: the embedded engine's extension (a scenario run on a running
   * workspace's files, recorded as a submission); the hosted service answers 404. Never retried.
   */
  runScenario(id: string, scenario?: string): Promise<{ message: string; id: number }> {
    return this.http.json('POST', '/workspaces/:id/scenarios', {
      params: { id },
      form: formOf({ scenario }, {}),
    });
  }

  /** `POST /workspaces/:id/files/create` (the embedded engine's extension): an empty file or a folder. */
  createEntry(id: string, filepath: string, type: 'file' | 'dir'): Promise<{ path: string }> {
    return this.http.json('POST', '/workspaces/:id/files/create', {
      params: { id },
      form: formOf({ filepath, type }, {}),
    });
  }

  /** `POST /workspaces/:id/files/remove` (the embedded engine's extension) */
  removeEntry(id: string, filepath: string): Promise<{ message: string }> {
    return this.http.json('POST', '/workspaces/:id/files/remove', {
      params: { id },
      form: formOf({ filepath }, {}),
    });
  }

  /** `POST /workspaces/:id/files/rename` (the embedded engine's extension) */
  renameEntry(id: string, filepath: string, target: string): Promise<{ path: string }> {
    return this.http.json('POST', '/workspaces/:id/files/rename', {
      params: { id },
      form: formOf({ filepath, target }, {}),
    });
  }

  /** `POST /workspaces/:id/reset` (the embedded engine's extension): one path or all of it. */
  resetWorkspace(id: string, filepath?: string): Promise<{ message: string }> {
    return this.http.json('POST', '/workspaces/:id/reset', {
      params: { id },
      form: formOf({ filepath }, {}),
    });
  }

  submission(id: number): Promise<ContainersSubmission> {
    return this.http.json('GET', '/submissions/:id', { params: { id } });
  }

  stream(id: number, stream: ContainersStreamName, maxBytes: number): Promise<CappedText> {
    return this.http.text('/submissions/:id/:stream', maxBytes, { params: { id, stream } });
  }

  projects(query: { limit?: number; page_token?: string } = {}): Promise<ProjectList> {
    return this.http.json('GET', '/projects', { query });
  }

  project(id: string): Promise<Project> {
    return this.http.json('GET', '/projects/:id', { params: { id } });
  }
}
