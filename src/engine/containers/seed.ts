import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readProjectFolder } from './folder.js';
import type { ProjectStore } from './projects.js';

/** The demo projects shipped with the package: `projects/<NAME>/` at its root. */
export const DEMO_PROJECTS_DIR = fileURLToPath(new URL('../../../projects/', import.meta.url));

/**
 * Imports every project folder under `dir` whose name the store does not hold yet (a project
 * changed by `se-widgets projects import` is left alone). A folder that cannot be imported is
 * skipped with a log line. Returns the names imported.
 */
export function seedProjects(
  store: ProjectStore,
  log: (line: string) => void,
  dir: string = DEMO_PROJECTS_DIR,
): string[] {
  if (!existsSync(dir)) return [];
  const seeded: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    try {
      const pkg = readProjectFolder(join(dir, entry.name));
      if (store.findByName(pkg.name)) continue;
      if (pkg.missing.length) {
        log(
          `se-engine: demo project ${pkg.name} not added: this machine lacks ${pkg.missing.join(', ')}`,
        );
        continue;
      }
      store.importPackage(pkg);
      seeded.push(pkg.name);
    } catch (err) {
      log(
        `se-engine: demo project ${entry.name} not added: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  return seeded;
}
