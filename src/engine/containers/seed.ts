import { fileURLToPath } from 'node:url';
import { seedFolders } from '../seed-folders.js';
import { readProjectFolder } from './folder.js';
import type { ProjectStore } from './projects.js';

/** The demo projects shipped with the package: `projects/<NAME>/` at its root. */
export const DEMO_PROJECTS_DIR = fileURLToPath(new URL('../../../projects/', import.meta.url));

/**
 * Imports every project folder under `dir` whose name the store does not hold yet and whose
 * `requires` this machine has; returns the names imported.
 */
export function seedProjects(
  store: ProjectStore,
  log: (line: string) => void,
  dir: string = DEMO_PROJECTS_DIR,
): string[] {
  return seedFolders(
    dir,
    {
      noun: 'project',
      read: readProjectFolder,
      key: (p) => p.name,
      has: (name) => store.findByName(name) !== null,
      unfit: (p) => (p.missing.length ? `this machine lacks ${p.missing.join(', ')}` : null),
      add: (p) => store.importPackage(p),
    },
    log,
  );
}
