// `npm test`: native helpers, type check of every layer, lint and format check, build, the Node
// tests and the browser tests. Runs every step even after a failure, then prints one line that
// counts passed and failed tests, and exits non-zero on any failure.
//
//   npm test                       everything
//   npm test -- test/engine/x.test.ts   only these test files (no static checks): Node tests, and
//                                  browser tests for files under test/elements and test/embed
//   npm test -- --browser          only the browser tests
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bin, ensureDependencies, files, nodeTestArgs, root, run } from './lib.mjs';
import { ensurePackages, TEST_PACKAGES } from './packages.mjs';

await ensureDependencies();
{
  const { missing, command } = await ensurePackages(TEST_PACKAGES, 'test');
  if (missing.length) {
    process.stderr.write(
      `test: ${missing.join(', ')} missing and not installable by this user. Type:\n  ${command}\n` +
        'then npm test again.\n',
    );
    process.exit(1);
  }
}
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const isBrowserTest = (f) => /^(\.\/)?test\/(elements|embed)\//.test(f);
const onlyBrowser = only.filter(isBrowserTest);
const onlyNode = only.filter((f) => !isBrowserTest(f));
const browserOnly = args.includes('--browser');
const full = only.length === 0 && !browserOnly;

const resultsDir = join(root, '.test-results');
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

const steps = [];
/** Runs one step; `tests`: a test runner, whose failures are counted from its own report. */
async function step(name, fn, tests = false) {
  const t0 = Date.now();
  process.stdout.write(`\n=== ${name}\n`);
  const code = await fn();
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  steps.push({ name, ok: code === 0, secs, tests });
  process.stdout.write(
    `=== ${name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${secs} s\n`,
  );
  return code === 0;
}

function readCounts(file) {
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    return JSON.parse(lines[lines.length - 1]);
  } catch {
    return null;
  }
}

const totals = { passed: 0, failed: 0, skipped: 0 };
function add(counts, stepOk, label) {
  if (!counts) {
    // The runner died before reporting: count that as a failure, never as silence.
    totals.failed++;
    process.stdout.write(`${label}: no results were reported\n`);
    return;
  }
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
  if (!stepOk && counts.failed === 0) totals.failed++;
}

if (full || only.length)
  await step('native helpers', () => run(process.execPath, ['scripts/build-native.mjs']));
if (full) {
  await step('type check (every layer)', () => run(process.execPath, ['scripts/typecheck.mjs']));
  await step('lint', () => run(bin('eslint'), ['--max-warnings', '0', '.']));
  await step('format check', () => run(bin('prettier'), ['--check', '--log-level', 'warn', '.']));
  await step('build', () => run(process.execPath, ['scripts/build.mjs']));
}

if (!browserOnly && (full || onlyNode.length)) {
  const nodeTests = only.length
    ? onlyNode
    : files('test', (f) => f.endsWith('.test.ts') && !/^test\/(elements|embed)\//.test(f));
  const countFile = join(resultsDir, 'node.json');
  const ok = await step(
    `node tests (${nodeTests.length} files)`,
    () =>
      run(
        process.execPath,
        nodeTestArgs(join(root, 'scripts/node-count-reporter.mjs'), countFile, nodeTests),
      ),
    true,
  );
  add(readCounts(countFile), ok, 'node tests');
}

if (full || browserOnly || onlyBrowser.length) {
  const countFile = join(resultsDir, 'browser.json');
  const ok = await step(
    'browser tests (Chromium)',
    () =>
      run(bin('wtr'), onlyBrowser.length ? ['--files', ...onlyBrowser] : [], {
        env: { ...process.env, WTR_COUNT_FILE: countFile },
      }),
    true,
  );
  add(readCounts(countFile), ok, 'browser tests');
}

const failedSteps = steps.filter((s) => !s.ok);
process.stdout.write('\n');
for (const s of steps)
  process.stdout.write(`${s.ok ? 'ok    ' : 'FAILED'} ${s.name} (${s.secs} s)\n`);
if (totals.skipped) totals.failed += totals.skipped; // a skipped test proves nothing: it fails the run
// A failed check that is not a test runner (type check, lint, format, build) counts as one failure,
// so that the closing line never says "0 failed" for a failing run.
const failedChecks = failedSteps.filter((s) => !s.tests).length;
totals.failed += failedChecks;
process.stdout.write(
  `\nsteps: ${steps.length - failedSteps.length} of ${steps.length} ok` +
    (totals.skipped ? `; ${totals.skipped} skipped tests counted as failed` : '') +
    (failedChecks ? `; ${failedChecks} failed checks counted as failed` : '') +
    '\n',
);
// The last line, alone and in the plain form CI reads: "Tests: N passed, N failed".
process.stdout.write(
  `Tests: ${totals.passed} passed, ${totals.failed} failed` +
    (totals.skipped ? `, ${totals.skipped} skipped` : '') +
    '\n',
);
process.exit(failedSteps.length || totals.failed ? 1 : 0);
