#!/usr/bin/env node
// The `se-widgets` command. The TypeScript sources compile to dist/ (`npm run build`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("se-widgets: dist/ is missing; run 'npm run build' first.\n");
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
