// Runs inside the cgroup v2 VM as root (from /usr/local/sbin/sevm-boot, see guest-boot.sh):
// checks that the guest has the unified hierarchy only, makes the non-root user, builds the native
// helpers if the checkout's are missing or stale (as npm test does), then runs
// scripts/vm/run-tests.mjs once per mode: as root, and as user `tester` in a systemd service with
// Delegate=yes. Writes results.json into the results folder, which goes back to the host.
//
//   node scripts/vm/guest.mjs CONFIG.json RESULTS_DIR
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [configPath, outDir] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const project = dirname(dirname(configPath));
const node = process.execPath;
const USER = 'tester';

const uptime = () => Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
const mark = (line) => process.stdout.write(`SEVM: ${line}\n`);
const read = (p) => {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch (err) {
    return `(unreadable: ${err.code ?? err.message})`;
  }
};
const sh = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
};

const results = {
  kernel: sh('uname', ['-r']).out,
  cmdline: read('/proc/cmdline'),
  config,
  errors: [],
  modes: {},
};
const save = () => writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 2));

// 1. The unified hierarchy only: /sys/fs/cgroup is cgroup2 and no v1 hierarchy is mounted.
const fstype = sh('stat', ['-f', '-c', '%T', '/sys/fs/cgroup']).out;
const v1Mounts = read('/proc/mounts')
  .split('\n')
  .filter((l) => l.split(' ')[2] === 'cgroup');
const v1Bound = read('/proc/cgroups')
  .split('\n')
  .filter((l) => !l.startsWith('#'))
  .map((l) => l.split('\t'))
  .filter((f) => f.length >= 4 && f[1] !== '0')
  .map((f) => f[0]);
results.cgroup = {
  fstype,
  controllers: read('/sys/fs/cgroup/cgroup.controllers'),
  subtreeControl: read('/sys/fs/cgroup/cgroup.subtree_control'),
  v1Mounts,
  v1BoundControllers: v1Bound,
  memoryV1: v1Mounts.some((l) => /[ ,]memory[ ,]/.test(l)),
};
results.cgroup.unifiedOnly = fstype === 'cgroup2fs' && v1Mounts.length === 0;
mark(
  `cgroup: /sys/fs/cgroup is ${fstype}; controllers: ${results.cgroup.controllers}; ` +
    `v1 mounts: ${v1Mounts.length}`,
);
if (!results.cgroup.unifiedOnly)
  results.errors.push(
    `the guest is not cgroup-v2-only: /sys/fs/cgroup is ${fstype}, v1 mounts: ${v1Mounts.join('; ') || 'none'}`,
  );

// 2. The checkout readable and traversable by anyone; the non-root user.
sh('chmod', ['-R', 'a+rX', project]);
const useradd = sh('useradd', ['--create-home', '--shell', '/bin/sh', USER]);
if (useradd.code !== 0) results.errors.push(`useradd ${USER}: ${useradd.out}`);
results.user = { name: USER, id: sh('id', [USER]).out };

// 3. The native helpers, as npm test does before its Node tests (a no-op when they are fresh).
{
  const t0 = Date.now();
  const r = sh(node, [join(project, 'scripts/build-native.mjs')]);
  results.native = { exitCode: r.code, output: r.out, secs: (Date.now() - t0) / 1000 };
  writeFileSync(join(outDir, 'native.log'), r.out + '\n');
  mark(`native helpers: ${r.code === 0 ? 'ok' : `FAILED (exit ${r.code})`}`);
  if (r.code !== 0) results.errors.push(`scripts/build-native.mjs failed: ${r.out.slice(-400)}`);
}
save();

/** Runs one mode's run-tests.mjs; resolves with its exit code (null on timeout). */
function runMode(mode, modeOut) {
  const runner = [
    join(project, 'scripts/vm/run-tests.mjs'),
    '--mode',
    mode,
    '--out',
    modeOut,
    '--',
    ...config.files,
  ];
  const env = { LANG: 'C.UTF-8', PATH: '/usr/local/bin:/usr/bin:/bin', ...config.env };
  let cmd, args;
  const unit = `sevm-${mode}`;
  if (mode === 'root') {
    cmd = node;
    args = runner;
  } else {
    // A transient system service running as the user, with its cgroup subtree delegated to it.
    cmd = 'systemd-run';
    args = [
      '--wait',
      '--pipe',
      '--collect',
      '--quiet',
      `--unit=${unit}`,
      '-p',
      `User=${USER}`,
      '-p',
      'Delegate=yes',
      '-p',
      `RuntimeMaxSec=${config.modeTimeoutSec}`,
      `--working-directory=${project}`,
      ...Object.entries(env).map(([k, v]) => `--setenv=${k}=${v}`),
      node,
      ...runner,
    ];
  }
  results.modes[mode].command = [cmd, ...args];
  const log = createWriteStream(join(modeOut, 'run.log'));
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: project,
      env: mode === 'root' ? { ...process.env, HOME: '/root', ...env } : process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    const onData = (d) => {
      log.write(d);
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop();
      for (const l of lines) if (l.startsWith('SEVM: ')) process.stdout.write(`${l}\n`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      mark(`${mode}: timed out after ${config.modeTimeoutSec} s; stopping it`);
      if (mode !== 'root') sh('systemctl', ['kill', '--signal=SIGKILL', `${unit}.service`]);
      child.kill('SIGKILL');
    }, config.modeTimeoutSec * 1000);
    child.on('error', (err) => {
      log.write(`\n${cmd}: ${err.message}\n`);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      log.end();
      resolve(timedOut ? null : code);
    });
  });
}

for (const mode of results.cgroup.unifiedOnly ? config.modes : []) {
  const modeOut = join(outDir, mode);
  mkdirSync(modeOut, { recursive: true });
  if (mode !== 'root') sh('chown', [USER, modeOut]);
  results.modes[mode] = { ran: false };
  mark(`${mode}: start at ${uptime()} s`);
  const t0 = Date.now();
  const code = await runMode(mode, modeOut);
  const secs = (Date.now() - t0) / 1000;
  let summary = null;
  try {
    summary = JSON.parse(readFileSync(join(modeOut, 'summary.json'), 'utf8'));
  } catch {
    // reported below
  }
  results.modes[mode] = {
    ...results.modes[mode],
    ...summary,
    ran: summary !== null && summary.tests?.counts != null,
    exitCode: code,
    timedOut: code === null,
    secs,
  };
  if (!summary) {
    const tail = read(join(modeOut, 'run.log')).split('\n').slice(-15).join('\n');
    results.modes[mode].error =
      `the mode's runner reported nothing (exit ${code}); its last lines:\n${tail}`;
  }
  mark(`${mode}: done in ${secs.toFixed(1)} s (exit ${code})`);
  save();
}
save();
process.exit(0);
