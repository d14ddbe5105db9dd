import { ModuleClient } from './module-client.js';
import type { CappedText } from './transport.js';

/** Types of the Containers API v1.1 (spec/containers-api-v1.1.txt). */

export interface StreamInfo {
  size: number;
  uri: string;
}

export interface Workspace {
  id: string;
  project: { id: string; name: string };
  state: { code: number | string; name: string; error_reason: string | null };
  created_at: string;
  terminated_at: string | null;
  last_usage: string | null;
  inactivity_timeout: number;
  /** a secret of the workspace: never relay it to a page that is not the workspace's user */
  workspace_token: string;
  workspace_token_required: boolean;
  workspace_init_failed: boolean;
  streams: {
    workspace_init_output: StreamInfo | null;
    workspace_init_error: StreamInfo | null;
  };
  permissions?: { enter: boolean; remove: boolean; stop: boolean };
  auto_resume?: boolean;
  retention_time_stopped?: number;
  retention_time_total?: number;
  config: string;
  workspace_url: string;
}

export interface TokenPaging {
  previous_page_token: string | null;
  next_page_token: string | null;
}

export interface CreateWorkspace {
  project_id: string;
  project_config?: string;
  inactivity_timeout?: number;
  workspace_token_required?: boolean;
  workspace_init?: string;
  auto_resume?: boolean;
  retention_time_stopped?: number;
  retention_time_total?: number;
  /** tar.gz archive extracted into the workspace directory */
  files?: Uint8Array;
}

export interface FileEntry {
  name: string;
  perm: string | number;
  size: string | number;
  time: string | number;
}

export type ContainersStreamName =
  | 'source'
  | 'auxdata'
  | 'tests_report'
  | 'debug_log'
  | 'stage_init_output'
  | 'stage_init_error'
  | 'stage_build_output'
  | 'stage_build_error'
  | 'stage_run_output'
  | 'stage_run_error'
  | 'stage_test_output'
  | 'stage_test_error'
  | 'stage_post_output'
  | 'stage_post_error'
  | 'workspace_init_output'
  | 'workspace_init_error';

export type StageName = 'init' | 'build' | 'run' | 'test' | 'post';

export interface StageResult {
  time: number;
  skipped: boolean;
  exit_code: number | null;
  signal: number | null;
  status_changed_to: { code: number; name: string; desc: string | null } | null;
}

export interface ContainersSubmission {
  id: number;
  executing: boolean;
  date: string;
  project: { id: string; name: string };
  scenario: string;
  config: string;
  result: { status: { code: number; name: string }; time: number | null; score: number | null };
  streams: Partial<Record<ContainersStreamName, StreamInfo | null>>;
  stages: Record<StageName, StageResult> | null;
  uri?: string;
}

export interface CreateContainersSubmission {
  project_id: string;
  /** tar.gz archive of the sources */
  source: Uint8Array;
  scenario: string;
  project_config?: string;
  workspace_init?: string;
}

export interface Project {
  id: string;
  name: string;
  created_at: string;
  config: { project_config: string; workspace_init: string };
  stack: string;
  template: boolean;
  description: string;
  slots: number;
}

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
  listFiles(
    id: string,
    path?: string,
  ): Promise<{ listed_dir: string; files: FileEntry[]; dirs: FileEntry[] }> {
    return path === undefined || path === ''
      ? this.http.json('GET', '/workspaces/:id/list_files', { params: { id } })
      : this.http.json('GET', '/workspaces/:id/list_files/:path', {
          params: { id, path: b64(path) },
        });
  }

  submissions(
    query: { ids?: number[]; limit?: number; page_token?: string } = {},
  ): Promise<{ items: ContainersSubmission[]; paging: TokenPaging }> {
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

  submission(id: number): Promise<ContainersSubmission> {
    return this.http.json('GET', '/submissions/:id', { params: { id } });
  }

  stream(id: number, stream: ContainersStreamName, maxBytes: number): Promise<CappedText> {
    return this.http.text('/submissions/:id/:stream', maxBytes, { params: { id, stream } });
  }

  projects(
    query: { limit?: number; page_token?: string } = {},
  ): Promise<{ items: Project[]; paging: TokenPaging }> {
    return this.http.json('GET', '/projects', { query });
  }

  project(id: string): Promise<Project> {
    return this.http.json('GET', '/projects/:id', { params: { id } });
  }
}
