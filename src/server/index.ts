/** The Node entry of se-widgets (`se-widgets/server`): the signing backend. */
export { startServer } from './app.js';
export type { ServeOptions, RunningServer } from './app.js';
