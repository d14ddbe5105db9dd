/**
 * The events of the se-widgets elements: typed classes with a readonly `detail`, all bubbling and
 * composed (they cross shadow roots), all prefixed `se-`.
 */
import type { StatusInfo } from '../shared/compilers.js';
import type {
  V1Error,
  V1ErrorDetails,
  V1Language,
  V1Problem,
  V1Result,
  WidgetInfo,
} from '../shared/v1.js';
import { seEvent } from './event-base.js';

/** What a run or a submission is: `run` goes to the Compilers module, `submission` is judged. */
export type SeTaskKind = 'run' | 'submission';

export interface SeReadyDetail {
  /** the widget's description, when the session names one */
  widget: WidgetInfo | null;
  /** the languages offered in the picker */
  languages: V1Language[];
  /** the problem, in problem mode */
  problem: V1Problem | null;
}

/** `se-ready`: the session is established and the languages (and the problem) are loaded. */
export class SeReadyEvent extends seEvent('se-ready')<SeReadyDetail> {}

export interface SeChangeDetail {
  /** the source code now in the editor */
  source: string;
  /** the selected compiler id, as a string, or "" before languages are known */
  language: string;
}

/** `se-change`: the learner changed the source or the language (not fired for host changes). */
export class SeChangeEvent extends seEvent('se-change')<SeChangeDetail> {}

export interface SeBeforeSubmitDetail {
  kind: SeTaskKind;
  compilerId: number;
  compilerVersionId?: number;
  source: string;
  /** stdin of a run */
  input?: string;
  /** the problem of a submission */
  problemId?: number;
}

/**
 * `se-before-submit`: about to send a run or a submission. Cancelable: `preventDefault()` stops it
 * and nothing is sent.
 */
export class SeBeforeSubmitEvent extends seEvent('se-before-submit', {
  cancelable: true,
})<SeBeforeSubmitDetail> {}

export interface SeSubmitDetail {
  kind: SeTaskKind;
  /** the backend's opaque id of the run or submission */
  id: string;
}

/** `se-submit`: the backend accepted a run or a submission. */
export class SeSubmitEvent extends seEvent('se-submit')<SeSubmitDetail> {}

export interface SeStatusDetail {
  kind: SeTaskKind;
  id: string;
  executing: boolean;
  status: StatusInfo;
}

/** `se-status`: a run or submission changed status while being processed. */
export class SeStatusEvent extends seEvent('se-status')<SeStatusDetail> {}

/** `se-result`: the final result of a run or submission. */
export class SeResultEvent extends seEvent('se-result')<V1Result> {}

export interface SeErrorDetail {
  /** the backend's error code, or `network` when it could not be reached */
  code: V1Error['error']['code'] | 'network' | 'not_configured';
  message: string;
  /** HTTP status, when the backend answered */
  status?: number;
  /** the figures the backend gave with its refusal (sizes, limits, seconds to wait, origin) */
  details?: V1ErrorDetails;
}

/** `se-error`: a request failed; the widget shows a message and keeps the learner's code. */
export class SeErrorEvent extends seEvent('se-error')<SeErrorDetail> {}

export interface SeTokenExpiredDetail {
  /** `expiring`: the token ends within a minute; `expired`: the backend refused it */
  reason: 'expiring' | 'expired';
  /** when the current token ends (ISO 8601), when known */
  expiresAt: string | null;
}

/**
 * `se-token-expired`: the session token is about to end or has ended and could not be renewed.
 * Answer it by setting a new `token` on the element.
 */
export class SeTokenExpiredEvent extends seEvent('se-token-expired')<SeTokenExpiredDetail> {}

declare global {
  interface GlobalEventHandlersEventMap {
    'se-ready': SeReadyEvent;
    'se-change': SeChangeEvent;
    'se-before-submit': SeBeforeSubmitEvent;
    'se-submit': SeSubmitEvent;
    'se-status': SeStatusEvent;
    'se-result': SeResultEvent;
    'se-error': SeErrorEvent;
    'se-token-expired': SeTokenExpiredEvent;
  }
}
