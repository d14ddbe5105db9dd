// `npm run bench`: runs every bench/*.bench.ts (or the ones named) one after the other. Each
// benchmark measures its own baseline in the same run and prints ratios against it; none of them
// is a test and none of them fails the build.
import { join } from 'node:path';
import { files, root, run } from './lib.mjs';

const named = process.argv.slice(2);
const benches = named.length ? named : files('bench', (f) => f.endsWith('.bench.ts'));
let failed = 0;
for (const b of benches) {
  process.stdout.write(`\n### ${b}\n`);
  const code = await run(process.execPath, ['--import', 'tsx', join(root, b)]);
  if (code !== 0) {
    failed++;
    process.stdout.write(`### ${b}: exited with ${code}\n`);
  }
}
process.exit(failed ? 1 : 0);
