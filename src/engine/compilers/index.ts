import type { EngineModule } from '../module.js';
import { compilersRouter } from './router.js';
import { BASE_PATH, CompilersService, JOB_KIND } from './service.js';
import { compilersMigrations } from './store.js';

/** The Compilers API v4 module of the engine. */
export const compilersModule: EngineModule = {
  name: 'compilers',
  basePath: BASE_PATH,
  migrations: compilersMigrations,
  setup(ctx) {
    const service = new CompilersService(ctx);
    ctx.queue.register(JOB_KIND, service);
    service.sweepOrphans();
    return compilersRouter(service);
  },
};
