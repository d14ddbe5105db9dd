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
export * from './workspace-events.js';
export * from './events.js';
export { messagesFor, locales, type Messages } from './i18n/index.js';
export { editorLanguageOf, editorLanguages, type EditorLanguage } from '../shared/highlighters.js';
export { Status, statusName, isTransient, ProblemTypes } from '../shared/index.js';
export type * from '../shared/index.js';
