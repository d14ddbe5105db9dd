import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LanguageInfo } from '../exec/types.js';
import { importProblem, readProblemFolder } from './folder.js';
import type { ProblemsStore } from './store.js';

/** The demo problems shipped with the package: `problems/<CODE>/` at its root. */
export const DEMO_PROBLEMS_DIR = fileURLToPath(new URL('../../../problems/', import.meta.url));

/**
 * Imports every problem folder under `dir` whose code the store does not hold yet (a problem
 * edited or deleted through the API is left alone, or comes back at the next start). A folder
 * that cannot be imported (e.g. its judge's language is missing here) is skipped with a log line.
 * Returns the codes imported.
 */
export function seedProblems(
  store: ProblemsStore,
  languages: Map<number, LanguageInfo>,
  log: (line: string) => void,
  dir: string = DEMO_PROBLEMS_DIR,
): string[] {
  if (!existsSync(dir)) return [];
  const seeded: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const folder = join(dir, entry.name);
    try {
      const pkg = readProblemFolder(folder);
      if (store.findProblem(pkg.code)) continue;
      importProblem(store, pkg, languages);
      seeded.push(pkg.code);
    } catch (err) {
      log(
        `se-engine: demo problem ${entry.name} not added: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  return seeded;
}
