import {
  exportProjectFolder,
  importProjectFolder,
  openProjectsData,
  ProjectFolderError,
} from '../engine/containers/index.js';
import { coreMigrations, openDb } from '../engine/store/db.js';
import { folderHelp, runFolderCommand } from './folders.js';

export const projectsHelp = folderHelp(
  'projects',
  `Authors Containers projects outside the API, in an engine's data folder (works while the engine
runs).

  import DIR...    imports project folders (a folder with project.json, or a folder of them);
                   a project whose name exists is updated to match its folder, so importing
                   again changes nothing
  export ID DIR    writes project ID (its id or its name) as a folder at DIR (new or empty)

The folder format (project.json, workspace/, tests/, env/, workspace_init.sh) is described in the
README, section "Projects (Containers)".`,
);

/** `se-widgets projects import|export`. */
export async function projects(argv: string[]): Promise<number> {
  return runFolderCommand(argv, {
    name: 'projects',
    help: projectsHelp,
    idWord: 'a project id (or name)',
    FolderError: ProjectFolderError,
    open: (dataDir) => openProjectsData(dataDir, (d, m) => openDb(d, [...coreMigrations, ...m])),
    importFolder: (data, dir) =>
      importProjectFolder(data.store, dir).map((r) => `${r.name} (id ${r.id}): ${r.action}`),
    exportFolder: (data, id, dir) =>
      `exported ${id} (id ${exportProjectFolder(data.store, id, dir)}) to ${dir}`,
  });
}
