/**
 * Types of the drop-in for pages written for the hosted service's JS SDK (`/static/sdk/sdk.js`,
 * built from `sdk.ts`): the globals `window.SE` and `window.SEC`. Importing anything from
 * `se-widgets/embed.js` brings these declarations of `window` into a TypeScript project.
 */

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

/** `window.SE` (Problems) and `window.SEC` (Compilers): the loader's queue array, extended. */
export interface SdkGlobal extends Array<unknown> {
  /** Runs `fn` once the SDK has found the page's widgets (at once when it already has). */
  ready(fn: () => void): void;
  /** The widget whose placeholder has `data-id="id"`, or null. */
  widget(id: string): SdkWidget | null;
  /** A widget for a placeholder added after load (`element` gets `data-id="id"` if it has none). */
  create(id: string, element: HTMLElement): SdkWidget | null;
}

declare global {
  interface Window {
    SE?: SdkGlobal;
    SEC?: SdkGlobal;
  }
}
