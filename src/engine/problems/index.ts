/**
 * The Problems API v4 module of the embedded engine (spec/problems-api-v4.txt): problems, test
 * cases, judges, judged submissions and widgets, with the judging of JUDGES.md.
 */
import type { EngineModule } from '../module.js';
import { problemsRouter } from './router.js';
import { seedProblems } from './seed.js';
import { BASE_PATH, JOB_KIND, ProblemsService } from './service.js';
import { problemsMigrations, ProblemsStore } from './store.js';

/** The Problems API v4 module of the engine. */
export const problemsModule: EngineModule = {
  name: 'problems',
  basePath: BASE_PATH,
  migrations: problemsMigrations,
  setup(ctx) {
    const store = new ProblemsStore(ctx.db);
    const service = new ProblemsService(ctx, store);
    ctx.queue.register(JOB_KIND, service);
    service.sweepOrphans();
    seedProblems(store, service.languages(), ctx.log);
    return problemsRouter({
      store,
      languages: () => service.languages(),
      submit: (create) => service.submit(create),
    });
  },
};

export { problemsMigrations, ProblemsStore } from './store.js';
export {
  exportProblemFolder,
  importProblemFolder,
  ProblemFolderError,
  readProblemFolder,
  type ImportResult,
} from './folder.js';
export { DEMO_PROBLEMS_DIR, seedProblems } from './seed.js';
export { openProblemsData, type ProblemsData } from './data-dir.js';
