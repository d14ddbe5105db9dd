/**
 * The package index: element classes and types. Importing it registers nothing; import
 * `se-widgets/se-solve.js` (or load the script-tag bundle) to define the tags.
 */
export { SeSolve } from './se-solve/se-solve.js';
export { Status, statusName, isTransient, ProblemTypes } from '../shared/index.js';
export type * from '../shared/index.js';
