// The OS packages `npm start` and `npm test` need, and their installation with apt-get where this
// user may (root, or password-less sudo). Set SE_NO_AUTO_INSTALL=1 to never install anything.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { run } from './lib.mjs';

const onPath = (cmd) =>
  spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** What the engine's sandbox needs to run code (the C helper is built with the compiler). */
export const START_PACKAGES = [
  { name: 'bubblewrap', why: 'the sandbox', present: () => onPath('bwrap') },
  {
    name: 'gcc',
    why: 'building the sandbox helper',
    present: () => onPath(process.env.CC || 'cc'),
  },
  {
    name: 'libc6-dev',
    why: 'building the sandbox helper (static glibc)',
    present: () => existsSync('/usr/include/stdio.h'),
  },
];

/** What `npm test` needs beyond that. */
export const TEST_PACKAGES = [
  ...START_PACKAGES,
  { name: 'chromium', why: 'the browser tests', present: () => onPath('chromium') },
  { name: 'openssl', why: "the README's token recipe", present: () => onPath('openssl') },
  {
    name: 'libseccomp-dev',
    why: "comparing the seccomp filter with libseccomp's",
    present: () => existsSync('/usr/include/seccomp.h'),
  },
];

/** How this user can run apt-get as root: '' (is root), 'sudo -n', or null (cannot). */
function rootPrefix() {
  if (!onPath('apt-get')) return null;
  if (process.getuid?.() === 0) return '';
  if (onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0)
    return 'sudo -n';
  return null;
}

/**
 * Installs the missing packages of `list` when this user can; `who` prefixes the messages.
 * Resolves to { missing: names still missing, command: what to type for them }.
 */
export async function ensurePackages(list, who) {
  let missing = list.filter((p) => !p.present());
  if (missing.length === 0) return { missing: [], command: '' };
  const names = () => missing.map((p) => p.name).join(' ');
  const command = () => `${process.getuid?.() === 0 ? '' : 'sudo '}apt-get install -y ${names()}`;
  const prefix = process.env.SE_NO_AUTO_INSTALL === '1' ? null : rootPrefix();
  if (prefix !== null) {
    const sudo = prefix ? prefix.split(' ') : [];
    const [cmd, ...pre] = sudo.length ? sudo : ['apt-get'];
    const args = (rest) => (sudo.length ? [...pre, 'apt-get', ...rest] : rest);
    process.stdout.write(
      `${who}: installing ${names()} with apt-get (${missing.map((p) => `${p.name}: ${p.why}`).join('; ')})\n`,
    );
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await run(cmd, args(['update', '-q']), { env });
    const code = await run(cmd, args(['install', '-y', '-q', ...missing.map((p) => p.name)]), {
      env,
    });
    if (code !== 0) process.stdout.write(`${who}: apt-get install exited with ${code}\n`);
    missing = missing.filter((p) => !p.present());
  }
  return { missing: missing.map((p) => p.name), command: missing.length ? command() : '' };
}
