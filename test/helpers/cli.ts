import { fileURLToPath } from 'node:url';
import { spawnCollect, type Spawned } from './process.js';

const entry = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));

/** Runs `se-widgets ...args` from the TypeScript sources (no build needed). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  return spawnCollect(process.execPath, ['--import', 'tsx', entry, ...args], env);
}
