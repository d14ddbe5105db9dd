/**
 * The events of `<se-workspace>`: typed classes with a readonly `detail`, bubbling and composed,
 * as those of `<se-solve>` (events.ts). `se-error` and `se-token-expired` are the same classes.
 */
import type {
  V1FileEntry,
  V1ScenarioResult,
  V1TestCase,
  V1Workspace,
} from '../shared/v1-workspace.js';
import type { WidgetInfo } from '../shared/v1.js';
import { seEvent } from './event-base.js';

type Stage = V1ScenarioResult['stages'][number];

export interface SeWorkspaceReadyDetail {
  widget: WidgetInfo | null;
  /** the file tree the learner sees (hidden files are absent) */
  files: V1FileEntry[];
  /** the scenarios offered, the default first */
  scenarios: V1Workspace['scenarios'];
  /** whether the terminal can be opened */
  terminal: boolean;
}

/** `se-ready` of `<se-workspace>`: the session is up and the workspace is open. */
export class SeWorkspaceReadyEvent extends seEvent('se-ready')<SeWorkspaceReadyDetail> {}

export type SeWorkspaceStateName =
  'connecting' | 'saving' | 'saved' | 'offline' | 'conflict' | 'running' | 'error';

export interface SeWorkspaceStateDetail {
  /** what the workspace is doing now */
  state: SeWorkspaceStateName;
  /** the workspace's own state from the backend (`running`), when known */
  workspace: string | null;
  /** paths with changes not yet saved */
  unsaved: string[];
}

/** `se-state`: the workspace's save or run state changed. */
export class SeWorkspaceStateEvent extends seEvent('se-state')<SeWorkspaceStateDetail> {}

export interface SeFileOpenDetail {
  path: string;
  readOnly: boolean;
}

/** `se-file-open`: a file was opened in a tab (or its tab selected). */
export class SeFileOpenEvent extends seEvent('se-file-open')<SeFileOpenDetail> {}

export interface SeFileChangeDetail {
  path: string;
  content: string;
  /** true for the learner's edits, false for `setFileContent()` */
  byUser: boolean;
}

/** `se-file-change`: a file's text changed in the editor. */
export class SeFileChangeEvent extends seEvent('se-file-change')<SeFileChangeDetail> {}

export interface SeFileSaveDetail {
  path: string;
  /** the saved file's new version */
  version: string;
}

/** `se-file-save`: a file was saved to the workspace. */
export class SeFileSaveEvent extends seEvent('se-file-save')<SeFileSaveDetail> {}

export interface SeFileCreateDetail {
  path: string;
  type: 'file' | 'dir';
}

/** `se-file-create`: the learner created an empty file or a folder in the tree. */
export class SeFileCreateEvent extends seEvent('se-file-create')<SeFileCreateDetail> {}

export interface SeFileRenameDetail {
  from: string;
  to: string;
  type: 'file' | 'dir';
}

/** `se-file-rename`: the learner renamed (or moved) a file or a folder. */
export class SeFileRenameEvent extends seEvent('se-file-rename')<SeFileRenameDetail> {}

export interface SeFileDeleteDetail {
  path: string;
  type: 'file' | 'dir';
}

/** `se-file-delete`: the learner deleted a file, or a folder with what it held. */
export class SeFileDeleteEvent extends seEvent('se-file-delete')<SeFileDeleteDetail> {}

export interface SeScenarioStartDetail {
  scenario: string;
  /** the backend's id of the scenario run */
  id: string;
}

/** `se-scenario-start`: the backend accepted a scenario run. */
export class SeScenarioStartEvent extends seEvent('se-scenario-start')<SeScenarioStartDetail> {}

export interface SeStageDetail {
  scenario: string;
  id: string;
  /** the stage as last reported (its output so far) */
  stage: Stage;
}

/** `se-stage`: a stage of the running scenario appeared or its streams grew. */
export class SeStageEvent extends seEvent('se-stage')<SeStageDetail> {}

export interface SeScenarioResultDetail {
  scenario: string;
  /** the submission (scenario run) id */
  id: string;
  status: { code: number; name: string };
  score: number;
  time: number;
  stages: Stage[];
  tests: V1TestCase[] | null;
}

/** `se-scenario-result`: a scenario run finished. */
export class SeScenarioResultEvent extends seEvent('se-scenario-result')<SeScenarioResultDetail> {}

export interface SeTerminalDetail {
  /** `open`: connected and ready; `exit`: the shell ended; `closed`: disconnected */
  state: 'open' | 'exit' | 'closed';
  /** the close code (terminal.ts CLOSE) or the exit code, when there is one */
  code: number | null;
  reason: string;
}

/** `se-terminal`: the terminal connected, its shell exited, or it disconnected. */
export class SeTerminalEvent extends seEvent('se-terminal')<SeTerminalDetail> {}

declare global {
  interface GlobalEventHandlersEventMap {
    'se-state': SeWorkspaceStateEvent;
    'se-file-open': SeFileOpenEvent;
    'se-file-change': SeFileChangeEvent;
    'se-file-save': SeFileSaveEvent;
    'se-file-create': SeFileCreateEvent;
    'se-file-rename': SeFileRenameEvent;
    'se-file-delete': SeFileDeleteEvent;
    'se-scenario-start': SeScenarioStartEvent;
    'se-stage': SeStageEvent;
    'se-scenario-result': SeScenarioResultEvent;
    'se-terminal': SeTerminalEvent;
  }
}
