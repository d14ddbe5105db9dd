import { folderCommand } from './args.js';

/**
 * The help of an `import DIR... | export ID DIR` command (`problems`, `projects`): its usage lines,
 * `about` (what it imports, and where the folder format is described), its options.
 */
export function folderHelp(name: string, about: string): string {
  return `se-widgets ${name} import DIR... [options]
se-widgets ${name} export ID DIR [options]

${about}

Options:
  --data-dir DIR   the engine's data folder (env SE_ENGINE_DATA_DIR, default ./.se-engine)
  -h, --help       show this help`;
}

/** What an `import|export` folder command does with an engine's data folder and one folder. */
export interface FolderActions<D extends { close(): void }> {
  /** the command's name, for its error lines: `se-widgets NAME: ...` */
  name: string;
  help: string;
  /** what export takes, e.g. "a problem id (or code)" */
  idWord: string;
  /** the error of a bad folder: printed as one line, the exit code 1 */
  FolderError: abstract new (...args: never[]) => Error;
  /** opens the engine's data folder */
  open(dataDir: string): D;
  /** the folders to import for one argument (default: the argument itself) */
  folders?: (dir: string) => string[];
  /** imports one folder; answers the lines to print */
  importFolder(data: D, dir: string): string[];
  /** writes `id` as a folder at `dir`; answers the line to print */
  exportFolder(data: D, id: string, dir: string): string;
}

/**
 * Runs an `import DIR... | export ID DIR` command. Import goes on past a bad folder (each is
 * reported) and exits 1 when any failed; any other error is thrown.
 */
export function runFolderCommand<D extends { close(): void }>(
  argv: string[],
  actions: FolderActions<D>,
): number {
  const cmd = folderCommand(argv, actions.help, actions.idWord);
  if (!cmd) return 0;
  const report = (err: unknown): void => {
    if (!(err instanceof actions.FolderError)) throw err;
    process.stderr.write(`se-widgets ${actions.name}: ${err.message}\n`);
  };
  const data = actions.open(cmd.dataDir);
  try {
    if (cmd.action === 'export') {
      const [id, dir] = cmd.args as [string, string];
      process.stdout.write(actions.exportFolder(data, id, dir) + '\n');
      return 0;
    }
    let failed = 0;
    const folders = actions.folders;
    for (const dir of folders ? cmd.args.flatMap(folders) : cmd.args) {
      try {
        for (const line of actions.importFolder(data, dir)) process.stdout.write(line + '\n');
      } catch (err) {
        report(err);
        failed++;
      }
    }
    return failed ? 1 : 0;
  } catch (err) {
    report(err);
    return 1;
  } finally {
    data.close();
  }
}
