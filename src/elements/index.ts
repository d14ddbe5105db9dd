/**
 * The package index: element classes, their events and types. Importing it registers nothing;
 * import `se-widgets/se-solve.js` or `se-widgets/se-workspace.js` (or load the script-tag bundle) to define the tags.
 */
export { SeSolve, type SeSolveLoading, type SeSolveTheme } from './se-solve/se-solve.js';
export {
  SeWorkspace,
  type SeWorkspaceExplorer,
  type SeWorkspaceTerminal,
  type SeWorkspaceTheme,
} from './se-workspace/se-workspace.js';
export {
  SeFileChangeEvent,
  SeFileOpenEvent,
  SeFileSaveEvent,
  SeScenarioResultEvent,
  SeScenarioStartEvent,
  SeStageEvent,
  SeTerminalEvent,
  SeWorkspaceReadyEvent,
  SeWorkspaceStateEvent,
  type SeFileChangeDetail,
  type SeFileOpenDetail,
  type SeFileSaveDetail,
  type SeScenarioResultDetail,
  type SeScenarioStartDetail,
  type SeStageDetail,
  type SeTerminalDetail,
  type SeWorkspaceReadyDetail,
  type SeWorkspaceStateDetail,
  type SeWorkspaceStateName,
} from './workspace-events.js';
export {
  SeBeforeSubmitEvent,
  SeChangeEvent,
  SeErrorEvent,
  SeReadyEvent,
  SeResultEvent,
  SeStatusEvent,
  SeSubmitEvent,
  SeTokenExpiredEvent,
  type SeBeforeSubmitDetail,
  type SeChangeDetail,
  type SeErrorDetail,
  type SeReadyDetail,
  type SeStatusDetail,
  type SeSubmitDetail,
  type SeTaskKind,
  type SeTokenExpiredDetail,
} from './events.js';
export { messagesFor, locales, type Messages } from './i18n/index.js';
export { editorLanguageOf, editorLanguages, type EditorLanguage } from '../shared/highlighters.js';
export { Status, statusName, isTransient, ProblemTypes } from '../shared/index.js';
export type * from '../shared/index.js';
