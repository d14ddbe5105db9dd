import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** How a module reads, recognises and adds one of its demo folders. */
export interface SeedKind<P> {
  /** `problem`, `project`: for the log lines */
  noun: string;
  read(folder: string): P;
  /** the code or name the store knows it by */
  key(pkg: P): string;
  has(key: string): boolean;
  /** why this machine cannot take it (a missing program), or null */
  unfit?(pkg: P): string | null;
  add(pkg: P): void;
}

/**
 * Adds every demo folder under `dir` whose key the store does not hold yet (one changed or
 * deleted through the API or the command line is left alone). A folder that cannot be added is
 * skipped with a log line. Returns the keys added.
 */
export function seedFolders<P>(
  dir: string,
  kind: SeedKind<P>,
  log: (line: string) => void,
): string[] {
  if (!existsSync(dir)) return [];
  const seeded: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    let name = entry.name;
    try {
      const pkg = kind.read(join(dir, entry.name));
      name = kind.key(pkg);
      if (kind.has(name)) continue;
      const unfit = kind.unfit?.(pkg);
      if (unfit) throw new Error(unfit);
      kind.add(pkg);
      seeded.push(name);
    } catch (err) {
      log(
        `se-engine: demo ${kind.noun} ${name} not added: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  return seeded;
}
