import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  exportProblemFolder,
  importProblemFolder,
  openProblemsData,
  ProblemFolderError,
} from '../engine/problems/index.js';
import { folderCommand } from './args.js';

export const problemsHelp = `se-widgets problems import DIR... [options]
se-widgets problems export ID DIR [options]

Authors problems outside the API, in an engine's data folder (works while the engine runs).

  import DIR...    imports problem folders (a folder with problem.json, or a folder of them);
                   a problem whose code exists is updated to match its folder, so importing
                   again changes nothing
  export ID DIR    writes problem ID (its id or its code) as a folder at DIR (new or empty)

The folder format (problem.json, statement.html or .md, 0.in, 0.out, ..., judge sources) is
described in the README, section "Problems".

Options:
  --data-dir DIR   the engine's data folder (env SE_ENGINE_DATA_DIR, default ./.se-engine)
  -h, --help       show this help`;

/** `se-widgets problems import|export`. */
export async function problems(argv: string[]): Promise<number> {
  const cmd = folderCommand(argv, problemsHelp, 'a problem id (or code)');
  if (!cmd) return 0;
  const { action, args, dataDir } = cmd;
  const data = openProblemsData(dataDir);
  try {
    if (action === 'export') {
      const [id, dir] = args as [string, string];
      const r = exportProblemFolder(data.store, id, dir, data.languages);
      process.stdout.write(`exported ${r.code} (id ${r.id}) to ${dir}: ${r.files.length} files\n`);
      return 0;
    }
    let failed = 0;
    for (const dir of args.flatMap(problemFolders)) {
      try {
        const r = importProblemFolder(data.store, dir, data.languages);
        const what = r.created ? 'created' : r.changed ? 'updated' : 'unchanged';
        process.stdout.write(`${r.code} (id ${r.id}): ${what}\n`);
      } catch (err) {
        if (!(err instanceof ProblemFolderError)) throw err;
        failed++;
        process.stderr.write(`se-widgets problems: ${err.message}\n`);
      }
    }
    return failed ? 1 : 0;
  } catch (err) {
    if (err instanceof ProblemFolderError) {
      process.stderr.write(`se-widgets problems: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    data.close();
  }
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
