/**
 * Types of the drop-in for pages written for the hosted service's JS SDK (`/static/sdk/sdk.js`,
 * built from `sdk.ts`): the globals `window.SE` and `window.SEC`. Importing anything from
 * `se-widgets/embed.js` brings these declarations of `window` into a TypeScript project.
 */
import type { EmbedWorkspaceEventMap } from './host.js';

/** Events a widget instance accepts in `events.subscribe`. */
export type SdkEventName =
  | 'beforeSendSubmission'
  | 'afterSendSubmission'
  | 'checkStatus'
  | 'enterFullScreen'
  | 'exitFullScreen'
  | 'ready';

/** What the callbacks of each event receive. */
export interface SdkEventData {
  /** return false (or a promise of false) to stop the run or submission; results are ANDed */
  beforeSendSubmission: {
    kind: 'run' | 'submission';
    submissionLanguage: number;
    submissionSource: string;
    submissionInput?: string;
    problemId?: number;
  };
  afterSendSubmission: { kind: 'run' | 'submission'; submissionId: string };
  checkStatus: {
    kind: 'run' | 'submission';
    submissionId: string;
    executing: boolean;
    statusNumber: number;
    statusDescription: string;
  };
  enterFullScreen: Record<string, never>;
  exitFullScreen: Record<string, never>;
  /** (not in the hosted SDK) the widget's frame connected */
  ready: { widget: string };
}

export type SdkCallback<K extends SdkEventName = SdkEventName> = (data: SdkEventData[K]) => unknown;

/** Settings of {@link SdkWidget.config}. */
export interface SdkWidgetConfig {
  theme?: 'light' | 'dark' | 'auto';
  /** compiler ids the picker offers */
  compilers?: number[];
}

/**
 * A Compilers or Problems widget. Every call returns a promise that resolves true when the widget
 * did it and false when it could not (with a console warning saying why): it never rejects.
 */
export interface SdkWidget {
  readonly id: string;
  /** (not in the hosted SDK) resolves when the widget's frame connected; never rejects */
  readonly ready: Promise<boolean>;
  readonly events: {
    /** Adds a callback; the same callback twice for one event is kept once. */
    subscribe<K extends SdkEventName>(name: K, callback: SdkCallback<K>): boolean;
    unsubscribe<K extends SdkEventName>(name: K, callback: SdkCallback<K>): boolean;
  };
  loadSourceCode(compilerId: number | string, source: string, input?: string): Promise<boolean>;
  setCompilers(compilers: Array<number | string>): Promise<boolean>;
  config(settings: SdkWidgetConfig): Promise<boolean>;
  /** (not in the hosted SDK) Runs the code (with `input` as stdin); the result, or null. */
  run(input?: string): Promise<unknown>;
  /** (not in the hosted SDK) Submits the code to the problem; the result, or null (vetoed, ...). */
  submit(): Promise<unknown>;
  /** Removes the frame and every listener; later calls warn and resolve false. */
  destroy(): Promise<boolean>;
}

/** Events a workspace instance accepts in `events.subscribe`. */
export type SdkWorkspaceEventName =
  | 'afterScenarioExecution'
  | 'afterScenarioExecutionExt'
  | 'fileContent'
  | 'stageStream'
  | 'enterFullScreen'
  | 'exitFullScreen'
  | 'ready';

/**
 * A scenario run's result: the fields of `<se-workspace>`'s `se-scenario-result` (`scenario`,
 * `id`, `status`, `score`, `time`, `stages`, `tests`).
 */
export type SdkScenarioResult = EmbedWorkspaceEventMap['se-scenario-result'];

/** The `data` of each workspace event. */
export interface SdkWorkspaceEventData {
  afterScenarioExecution: SdkScenarioResult;
  /** the same data as `afterScenarioExecution` (the hosted SDK's extended event) */
  afterScenarioExecutionExt: SdkScenarioResult;
  /** the answer to `getFileContent(path)` */
  fileContent: { path: string; content: string };
  /** the answer to `getStageStream(stage, stream)`; `content` null: no such stage in the last run */
  stageStream: { stage: string; stream: string; content: string | null };
  enterFullScreen: Record<string, never>;
  exitFullScreen: Record<string, never>;
  /** (not in the hosted SDK) the workspace's frame connected */
  ready: { widget: string };
}

/** A workspace callback receives `{event, data}`, as the hosted SDK's do. */
export type SdkWorkspaceCallback<K extends SdkWorkspaceEventName = SdkWorkspaceEventName> = (e: {
  event: K;
  data: SdkWorkspaceEventData[K];
}) => unknown;

/**
 * A workspace (`<div data-workspace="ID" data-workspace-token="TOKEN">`). Every call returns a
 * promise and never rejects: on failure it resolves `false` or `null`, with a console warning.
 */
export interface SdkWorkspace {
  readonly id: string;
  /** (not in the hosted SDK) resolves when the frame connected; never rejects */
  readonly ready: Promise<boolean>;
  readonly events: {
    subscribe<K extends SdkWorkspaceEventName>(name: K, callback: SdkWorkspaceCallback<K>): boolean;
    unsubscribe<K extends SdkWorkspaceEventName>(
      name: K,
      callback: SdkWorkspaceCallback<K>,
    ): boolean;
  };
  /** A file's text (also sent as the `fileContent` event); null when it could not be read. */
  getFileContent(path: string): Promise<string | null>;
  /**
   * A stream (`stdout`/`output`, `stderr`/`error`) of a stage of the last scenario run (also sent
   * as the `stageStream` event); null when there is none.
   */
  getStageStream(
    stage: string,
    stream: 'stdout' | 'stderr' | 'output' | 'error',
  ): Promise<string | null>;
  /** (not in the hosted SDK) Runs a scenario (default: the widget's default); its result, or null. */
  runScenario(name?: string): Promise<SdkScenarioResult | null>;
  /** Removes the frame and every listener; later calls warn and resolve false or null. */
  destroy(): Promise<boolean>;
}

/** `window.SE` (Problems) and `window.SEC` (Compilers): the loader's queue array, extended. */
export interface SdkGlobal extends Array<unknown> {
  /** Runs `fn` once the SDK has found the page's widgets (at once when it already has). */
  ready(fn: () => void): void;
  /** The widget whose placeholder has `data-id="id"`, or null. */
  widget(id: string): SdkWidget | null;
  /** The workspace whose placeholder (`[data-workspace]`) has `data-id="id"`, or null. */
  workspace(id: string): SdkWorkspace | null;
  /**
   * An instance for a placeholder added after load (`element` gets `data-id="id"` if it has none):
   * a workspace when it has `data-workspace` (`SE.create<SdkWorkspace>(id, el)`), else a widget.
   */
  create(id: string, element: HTMLElement): SdkWidget | null;
  create<T extends SdkWorkspace>(id: string, element: HTMLElement): T | null;
}

declare global {
  interface Window {
    SE?: SdkGlobal;
    SEC?: SdkGlobal;
  }
}
