import { readFileSync } from 'node:fs';
import { UsageError } from './args.js';
import { engine, engineHelp } from './engine.js';
import { problems, problemsHelp } from './problems.js';
import { projects, projectsHelp } from './projects.js';
import { serve, serveHelp } from './serve.js';
import { token, tokenHelp } from './token.js';

interface Command {
  summary: string;
  help: string;
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, Command> = {
  serve: {
    summary: 'run the signing backend, the demo and the bundles',
    help: serveHelp,
    run: serve,
  },
  engine: {
    summary:
      'run the embedded engine alone (Sphere Engine Compilers, Problems and Containers APIs)',
    help: engineHelp,
    run: engine,
  },
  problems: {
    summary: 'import and export problem folders (an engine data folder)',
    help: problemsHelp,
    run: problems,
  },
  projects: {
    summary: 'import and export Containers project folders (an engine data folder)',
    help: projectsHelp,
    run: projects,
  },
  token: {
    summary: 'mint a session token for a widget (signed with SE_SESSION_SECRET)',
    help: tokenHelp,
    run: token,
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(
    ([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`,
  );
  return `Usage: se-widgets <command> [options]

Commands:
${lines.join('\n')}

Options:
  -h, --help     show help (also: se-widgets <command> --help)
  -v, --version  print the version`;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Runs the `se-widgets` command line; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic && commands[topic]) {
      process.stdout.write(commands[topic].help + '\n');
      return 0;
    }
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '-v' || name === '--version') {
    process.stdout.write(version() + '\n');
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(
      `se-widgets: unknown ${name.startsWith('-') ? 'option' : 'command'} '${name}'\n` +
        `Run 'se-widgets --help' for the list of commands.\n`,
    );
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(
        `se-widgets ${name}: ${err.message}\nRun 'se-widgets ${name} --help'.\n`,
      );
      return 2;
    }
    process.stderr.write(
      `se-widgets ${name}: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  }
}
