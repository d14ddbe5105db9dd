/** Types of the Sphere Engine Containers API v1.1 (spec/containers-api-v1.1.txt). */

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
  /** deprecated alias of `retention_time_stopped` */
  max_inactive_storage_time?: number;
  /** deprecated alias of `retention_time_total` */
  max_storage_time?: number;
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
  result: {
    status: { code: number; name: string };
    time: number | null;
    score: number | null;
    /** peak kilobytes of any stage (the quickstart's example has it; the field table does not) */
    memory?: number | null;
    /** the last terminating signal of a stage, 0 when none (as the quickstart's example) */
    signal?: number | null;
  };
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

/** `GET /workspaces/:id/list_files/:path` */
export interface FileListing {
  listed_dir: string;
  files: FileEntry[];
  dirs: FileEntry[];
}

/** `GET /submissions` */
export interface ContainersSubmissionList {
  items: ContainersSubmission[];
  paging: TokenPaging;
}

/** `GET /projects` */
export interface ProjectList {
  items: Project[];
  paging: TokenPaging;
}

/** `GET /workspaces` */
export interface WorkspaceList {
  items: Workspace[];
  paging: TokenPaging;
}

/** `POST /workspaces` (201) */
export interface WorkspaceCreated {
  message: string;
  workspace: Workspace;
}

/** The answers that only say what happened (`PUT /workspaces/:id/stop`, `GET /test`, ...) */
export interface MessageResponse {
  message: string;
}

/** `POST /workspaces/:id/files` */
export interface UploadedFile {
  path: string;
}

/** `POST /submissions` (201), and the scenario run on a workspace (an extension) */
export interface ContainersSubmissionCreated {
  message: string;
  id: number;
}
