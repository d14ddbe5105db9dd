import {
  exportProjectFolder,
  importProjectFolder,
  openProjectsData,
  ProjectFolderError,
} from '../engine/containers/index.js';
import { coreMigrations, openDb } from '../engine/store/db.js';
import { folderCommand } from './args.js';

export const projectsHelp = `se-widgets projects import DIR... [options]
se-widgets projects export ID DIR [options]

Authors Containers projects outside the API, in an engine's data folder (works while the engine
runs).

  import DIR...    imports project folders (a folder with project.json, or a folder of them);
                   a project whose name exists is updated to match its folder, so importing
                   again changes nothing
  export ID DIR    writes project ID (its id or its name) as a folder at DIR (new or empty)

The folder format (project.json, workspace/, tests/, env/, workspace_init.sh) is described in the
README, section "Projects (Containers)".

Options:
  --data-dir DIR   the engine's data folder (env SE_ENGINE_DATA_DIR, default ./.se-engine)
  -h, --help       show this help`;

/** `se-widgets projects import|export`. */
export async function projects(argv: string[]): Promise<number> {
  const cmd = folderCommand(argv, projectsHelp, 'a project id (or name)');
  if (!cmd) return 0;
  const { action, args, dataDir } = cmd;
  const data = openProjectsData(dataDir, (d, m) => openDb(d, [...coreMigrations, ...m]));
  let failed = 0;
  try {
    if (action === 'export') {
      const [id, dir] = args as [string, string];
      const pid = exportProjectFolder(data.store, id, dir);
      process.stdout.write(`exported ${id} (id ${pid}) to ${dir}\n`);
      return 0;
    }
    for (const dir of args) {
      try {
        for (const r of importProjectFolder(data.store, dir))
          process.stdout.write(`${r.name} (id ${r.id}): ${r.action}\n`);
      } catch (err) {
        if (!(err instanceof ProjectFolderError)) throw err;
        failed++;
        process.stderr.write(`se-widgets projects: ${err.message}\n`);
      }
    }
    return failed ? 1 : 0;
  } catch (err) {
    if (err instanceof ProjectFolderError) {
      process.stderr.write(`se-widgets projects: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    data.close();
  }
}
