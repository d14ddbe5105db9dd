// Runs inside the cgroup v2 VM, once per mode, as that mode's user (root, or `tester` in a
// delegated systemd service): records which cgroup it runs in and what that cgroup offers, runs the
// engine's sandbox self-test (scripts/vm/selftest.ts), then the Node test files the way
// scripts/test.mjs runs them (tsx, the exit guard, node --test), and writes summary.json.
//
//   node scripts/vm/run-tests.mjs --mode NAME --out DIR -- test/a.test.ts ...
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeTestArgs } from '../lib.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const argv = process.argv.slice(2);
const opt = (name) => argv[argv.indexOf(name) + 1];
const mode = opt('--mode');
const out = opt('--out');
const files = argv.slice(argv.indexOf('--') + 1);
const mark = (line) => process.stdout.write(`SEVM: ${mode}: ${line}\n`);
const read = (p) => {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch (err) {
    return `(unreadable: ${err.code ?? err.message})`;
  }
};

// The cgroup this process was started in (cgroup v2: the single "0::" line).
const cgLine = read('/proc/self/cgroup')
  .split('\n')
  .find((l) => l.startsWith('0::'));
const cgPath = cgLine ? cgLine.slice(3) : null;
const cgDir = cgPath ? join('/sys/fs/cgroup', cgPath) : null;
let cgWritable = false;
let cgOwner = null;
if (cgDir) {
  try {
    accessSync(cgDir, constants.W_OK);
    cgWritable = true;
  } catch {
    // not writable: recorded as such
  }
  try {
    cgOwner = statSync(cgDir).uid;
  } catch {
    // recorded as null
  }
}
const summary = {
  mode,
  uid: process.getuid(),
  user: userInfo().username,
  env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('SE_'))),
  cgroup: {
    path: cgPath,
    controllers: cgDir ? read(join(cgDir, 'cgroup.controllers')) : null,
    subtreeControl: cgDir ? read(join(cgDir, 'cgroup.subtree_control')) : null,
    ownerUid: cgOwner,
    writable: cgWritable,
  },
};
const save = () => writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2));
mark(
  `uid ${summary.uid}, cgroup ${cgPath} (controllers: ${summary.cgroup.controllers || 'none'}; ` +
    `writable: ${cgWritable})`,
);

// The sandbox self-test, alone, so its problems are reported even when every test fails.
{
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/vm/selftest.ts'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
  });
  const lastLine = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  let result;
  try {
    result = JSON.parse(lastLine);
  } catch {
    result = {
      ok: false,
      problems: [`the self-test script printed no result (exit ${r.status}): ${r.stderr}`.trim()],
    };
  }
  summary.selfTest = { ...result, exitCode: r.status, secs: (Date.now() - t0) / 1000 };
  writeFileSync(join(out, 'selftest.log'), `${r.stdout ?? ''}\n--- stderr\n${r.stderr ?? ''}`);
  mark(
    `self-test ${result.ok ? 'ok' : 'FAILED'}` +
      (result.ok ? '' : `: ${(result.problems ?? []).join('; ').slice(0, 300)}`),
  );
  save();
}

// The tests, as scripts/test.mjs runs them, plus a reporter that keeps the failures' names and errors.
const reportFile = join(out, 'report.json');
mark(`tests: ${files.length} files`);
const t0 = Date.now();
const code = await new Promise((resolve) => {
  const child = spawn(
    process.execPath,
    nodeTestArgs(join(root, 'scripts/vm/failure-reporter.mjs'), reportFile, files),
    { cwd: root, stdio: 'inherit' },
  );
  child.on('error', () => resolve(127));
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
});
let counts = null;
let failures = [];
try {
  const report = JSON.parse(read(reportFile).split('\n').pop());
  counts = report.counts;
  failures = report.failures;
} catch {
  // the runner died before reporting: counts stay null, which the host reports as a failure
}
summary.tests = { files, exitCode: code, secs: (Date.now() - t0) / 1000, counts, failures };
save();
mark(
  counts
    ? `tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (exit ${code})`
    : `tests: no results were reported (exit ${code})`,
);
