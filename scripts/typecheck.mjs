// Type-checks each layer with its own tsconfig (lib and types narrowed per layer, so a DOM type in
// the engine or a Node type in an element is a compile error), plus the tests.
import { bin, files, run } from './lib.mjs';

const projects = [
  'src/shared',
  'src/elements',
  'src/embed',
  'src/upstream',
  'src/server',
  'src/engine',
  'src/cli',
  'test',
  'test/elements',
  'bench',
];
let failed = 0;
let checked = 0;
for (const p of projects) {
  if (files(p, (f) => f.endsWith('.ts')).length === 0) continue; // a layer not written yet
  checked++;
  const code = await run(bin('tsc'), ['-p', p, '--pretty']);
  if (code !== 0) {
    failed++;
    process.stderr.write(`typecheck: ${p} failed\n`);
  }
}
process.stdout.write(`typecheck: ${checked - failed} of ${checked} projects clean\n`);
process.exit(failed ? 1 : 0);
