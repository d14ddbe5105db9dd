import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  exportProblemFolder,
  importProblemFolder,
  openProblemsData,
  ProblemFolderError,
} from '../engine/problems/index.js';
import { folderHelp, runFolderCommand } from './folders.js';

export const problemsHelp = folderHelp(
  'problems',
  `Authors problems outside the API, in an engine's data folder (works while the engine runs).

  import DIR...    imports problem folders (a folder with problem.json, or a folder of them);
                   a problem whose code exists is updated to match its folder, so importing
                   again changes nothing
  export ID DIR    writes problem ID (its id or its code) as a folder at DIR (new or empty)

The folder format (problem.json, statement.html or .md, 0.in, 0.out, ..., judge sources) is
described in the README, section "Problems".`,
);

/** `se-widgets problems import|export`. */
export async function problems(argv: string[]): Promise<number> {
  return runFolderCommand(argv, {
    name: 'problems',
    help: problemsHelp,
    idWord: 'a problem id (or code)',
    FolderError: ProblemFolderError,
    open: openProblemsData,
    folders: problemFolders,
    importFolder: (data, dir) => {
      const r = importProblemFolder(data.store, dir, data.languages);
      const what = r.created ? 'created' : r.changed ? 'updated' : 'unchanged';
      return [`${r.code} (id ${r.id}): ${what}`];
    },
    exportFolder: (data, id, dir) => {
      const r = exportProblemFolder(data.store, id, dir, data.languages);
      return `exported ${r.code} (id ${r.id}) to ${dir}: ${r.files.length} files`;
    },
  });
}

/** A problem folder itself, or the problem folders inside a folder of them. */
function problemFolders(dir: string): string[] {
  if (existsSync(join(dir, 'problem.json')) || !existsSync(dir)) return [dir];
  const inner = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'problem.json')))
    .map((e) => join(dir, e.name))
    .sort();
  return inner.length ? inner : [dir];
}
