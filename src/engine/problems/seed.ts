import { fileURLToPath } from 'node:url';
import type { LanguageInfo } from '../exec/types.js';
import { seedFolders } from '../seed-folders.js';
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
  return seedFolders(
    dir,
    {
      noun: 'problem',
      read: readProblemFolder,
      key: (p) => p.code,
      has: (code) => !!store.findProblem(code),
      add: (p) => importProblem(store, p, languages),
    },
    log,
  );
}
