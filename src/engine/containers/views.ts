/**
 * The Containers API's answers, typed by src/shared/containers.ts. Where the spec's field tables
 * and its examples disagree, the examples win (README, "Containers"): `state.code` and the
 * listing's `perm`, `size` and `time` are numbers; a submission's `result` also carries `memory`
 * and `signal`, as the quickstart shows.
 */
import type {
  ContainersStreamName,
  ContainersSubmission,
  FileEntry,
  Project,
  StreamInfo,
  Workspace,
} from '../../shared/containers.js';
import { statusName } from '../../shared/status.js';
import { formatDate } from '../api-common.js';
import type { ProjectRow } from './projects.js';
import type { Entry } from './runner.js';
import { STATE_NAMES, WorkspaceState, type SubmissionRow, type WorkspaceRow } from './store.js';

export const SUBMISSION_STREAMS: readonly ContainersStreamName[] = [
  'source',
  'auxdata',
  'tests_report',
  'debug_log',
  'stage_init_output',
  'stage_init_error',
  'stage_build_output',
  'stage_build_error',
  'stage_run_output',
  'stage_run_error',
  'stage_test_output',
  'stage_test_error',
  'stage_post_output',
  'stage_post_error',
  'workspace_init_output',
  'workspace_init_error',
];

/** `yyyy-mm-dd hh:mm:ss +0000`, as the Containers spec writes dates (the others: `+00:00`). */
export const containersDate = (ms: number): string => formatDate(ms).replace(/\+00:00$/, '+0000');
const date = (ms: number | null): string | null => (ms === null ? null : containersDate(ms));

function stream(size: number | null | undefined, uri: string): StreamInfo | null {
  return size ? { size, uri } : null;
}

/** Whether a stopped workspace may be resumed at all (its retention keeps its files). */
export const resumable = (w: WorkspaceRow): boolean => w.retentionStopped > 0;

export function workspaceView(
  w: WorkspaceRow,
  project: { id: string; name: string },
  baseUrl: string,
  /** the token, when this answer may show it (its creation); otherwise it is never shown again */
  token: string | null,
): Workspace {
  const root = `${baseUrl}/workspaces/${w.id}`;
  const running = w.state === WorkspaceState.Running;
  return {
    id: w.id,
    project,
    created_at: containersDate(w.createdAt),
    terminated_at: date(w.terminatedAt),
    last_usage: date(w.lastUsage),
    inactivity_timeout: w.inactivityTimeout,
    workspace_token: token ?? '',
    workspace_token_required: w.tokenRequired,
    workspace_init_failed: w.initFailed,
    streams: {
      workspace_init_output: stream(w.initOutputSize, `${root}/workspace_init_output`),
      workspace_init_error: stream(w.initErrorSize, `${root}/workspace_init_error`),
    },
    state: {
      code: w.state,
      name: STATE_NAMES[w.state] ?? 'error',
      error_reason: w.state === WorkspaceState.Error ? (w.errorReason ?? 'internal error') : null,
    },
    auto_resume: w.autoResume,
    retention_time_stopped: w.retentionStopped,
    retention_time_total: w.retentionTotal,
    permissions: {
      enter: running || (w.state === WorkspaceState.Stopped && w.autoResume && resumable(w)),
      remove: w.state !== WorkspaceState.Removed && w.state !== WorkspaceState.Starting,
      stop: running,
    },
    config: w.config,
    workspace_url: `${baseUrl.replace(/\/containers\/api\/v1$/, '')}/workspace/${w.id}`,
    max_inactive_storage_time: w.retentionStopped,
    max_storage_time: w.retentionTotal,
  };
}

export function submissionView(
  s: SubmissionRow,
  project: { id: string; name: string },
  baseUrl: string,
): ContainersSubmission {
  const root = `${baseUrl}/submissions/${s.id}`;
  const executing = s.status < 10;
  return {
    id: s.id,
    executing,
    date: containersDate(s.startedAt ?? s.createdAt),
    project,
    scenario: s.scenario,
    config: s.config,
    result: {
      status: { code: s.status, name: statusName(s.status) },
      time: executing ? null : (s.time ?? 0),
      score: executing ? null : (s.score ?? 0),
      memory: executing ? null : (s.memory ?? 0),
      signal: executing ? null : (s.signal ?? 0),
    },
    streams: Object.fromEntries(
      SUBMISSION_STREAMS.map((n) => [n, stream(s.streams[n], `${root}/${n}`)]),
    ),
    stages: executing ? null : s.stages,
    uri: root,
  };
}

export function projectView(p: ProjectRow): Project {
  return {
    id: p.id,
    name: p.name,
    created_at: containersDate(p.createdAt),
    config: { project_config: p.configText, workspace_init: p.workspaceInit },
    stack: p.stack,
    template: p.template,
    description: p.description,
    slots: p.slots,
  };
}

export function entryView(e: Entry): FileEntry {
  return { name: e.name, perm: Number(e.perm), size: e.size, time: e.time };
}
