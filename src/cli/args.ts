import { parseArgs, type ParseArgsConfig } from 'node:util';
import { type BackendConfig, ConfigError, loadConfig } from '../server/index.js';

/** A command-line mistake: printed as one line, exit code 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `argv` strictly: unknown options and stray arguments are usage errors. */
export function parse(
  argv: string[],
  options: Options,
  positionals = 0,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args: argv,
      options,
      strict: true,
      allowPositionals: positionals > 0,
    });
    if (parsed.positionals.length > positionals) {
      throw new UsageError(`unexpected argument '${parsed.positionals[positionals]}'`);
    }
    return parsed as {
      values: Record<string, string | boolean | undefined>;
      positionals: string[];
    };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/**
 * Parses a command's options (and `--help`/`-h`, added here); with `--help` prints `help` and
 * answers null: the command then exits 0.
 */
export function parseCommand(
  argv: string[],
  options: Options,
  help: string,
): Record<string, string | boolean | undefined> | null {
  const { values } = parse(argv, { ...options, help: { type: 'boolean', short: 'h' } });
  if (!values.help) return values;
  process.stdout.write(help + '\n');
  return null;
}

/**
 * The arguments of an `import DIR... | export ID DIR` command on an engine's data folder
 * (`problems`, `projects`); null after printing `help` for `--help`. `idWord` names what export
 * takes, e.g. "a problem id (or code)".
 */
export function folderCommand(
  argv: string[],
  help: string,
  idWord: string,
): { action: 'import' | 'export'; args: string[]; dataDir: string } | null {
  const { values, positionals } = parse(
    argv,
    { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    Number.MAX_SAFE_INTEGER,
  );
  if (values.help) {
    process.stdout.write(help + '\n');
    return null;
  }
  const [action, ...args] = positionals;
  if (action !== 'import' && action !== 'export')
    throw new UsageError(
      action ? `unknown action '${action}' (import or export)` : 'give an action: import or export',
    );
  if (action === 'import' && args.length === 0)
    throw new UsageError('import needs at least one folder');
  if (action === 'export' && args.length !== 2)
    throw new UsageError(`export needs ${idWord} and a folder`);
  const dataDir = str(values['data-dir']) ?? process.env.SE_ENGINE_DATA_DIR ?? './.se-engine';
  return { action, args, dataDir };
}

/** Reads an integer option (or its environment fallback) within [min, max]. */
export function intOption(
  name: string,
  value: string | undefined,
  fallback: number,
  min = 0,
  max = 65535,
): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${name} must be between ${min} and ${max}`);
  return n;
}

/** A string option's value (undefined when absent). */
export function str(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The configuration file of `--config` (undefined without one); a bad file is a usage error. */
export async function configOption(file: string | undefined): Promise<BackendConfig | undefined> {
  if (!file) return undefined;
  try {
    return await loadConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}
