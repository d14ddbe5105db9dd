export { Status, statusName, isTransient } from './status.js';
export type { StatusCode, StopReason } from './status.js';
export type * from './compilers.js';
export type * from './problems.js';
export type * from './containers.js';
export { ProblemTypes } from './problems.js';
export type * from './v1.js';
