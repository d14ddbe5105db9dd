/**
 * The Containers API v1.1 module of the embedded engine (spec/containers-api-v1.1.txt): projects
 * as folders, workspaces with their files, and scenario submissions, every run and every file
 * operation in the sandbox (WORKSPACE.md).
 */
import { ApiError } from '../http/errors.js';
import type { EngineModule } from '../module.js';
import { ContainersError } from './errors.js';
import { containersProjectMigrations } from './projects.js';
import { containersRouter } from './router.js';
import { seedProjects } from './seed.js';
import {
  BASE_PATH,
  CONTAINERS_DEFAULTS,
  ContainersService,
  JOB_KIND,
  type ContainersSettings,
} from './service.js';
import { containersMigrations } from './store.js';
import { TerminalManager } from './terminal.js';

/** Bodies up to a 16 MiB upload plus its multipart framing. */
const BODY_BYTES = 17 * 1024 * 1024;

/** The Containers API v1.1 module, with its settings (engine option `containers`). */
export function containersModule(
  settings: Partial<ContainersSettings> = {},
  hooks: { service?: (s: ContainersService) => void } = {},
): EngineModule {
  return {
    name: 'containers',
    basePath: BASE_PATH,
    migrations: [...containersProjectMigrations, ...containersMigrations],
    body: {
      maxBodyBytes: BODY_BYTES,
      tooLarge: () =>
        new ApiError(
          413,
          ContainersError.FileTooLarge,
          'file size limit exceeded (max file size is 16MiB)',
        ),
    },
    setup(ctx) {
      const all = { ...CONTAINERS_DEFAULTS, ...settings };
      const service = new ContainersService(ctx, all);
      ctx.queue.register(JOB_KIND, service);
      service.sweepOrphans();
      service.recover();
      seedProjects(service.projects, ctx.log);
      hooks.service?.(service);
      if (all.extensions)
        ctx.onUpgrade(BASE_PATH, new TerminalManager(service, BASE_PATH, ctx.accessToken, ctx.log));
      ctx.onClose(() => service.close());
      return containersRouter(service, all.extensions);
    },
  };
}

export { BASE_PATH, CONTAINERS_DEFAULTS, ContainersService, type ContainersSettings };
export { ProjectStore, openProjectsData, type ProjectRow } from './projects.js';
export {
  exportProjectFolder,
  importProjectFolder,
  ProjectFolderError,
  readProjectFolder,
} from './folder.js';
export { DEMO_PROJECTS_DIR, seedProjects } from './seed.js';
