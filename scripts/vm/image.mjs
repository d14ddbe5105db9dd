// The cached base image of scripts/test-cgroup2.mjs: a Debian 12 (bookworm) root filesystem made
// by debootstrap from Debian's packages, as an ext4 disk image, plus its kernel and initrd. The
// image does not hold the project: each run brings the checkout in on a second disk, so the image
// is rebuilt only when what goes into it changes (the key hashes this file's inputs).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bump when the build steps below change in a way the key would not see. */
const BUILD_VERSION = 1;
export const SUITE = 'bookworm';
export const MIRROR = 'http://deb.debian.org/debian';
/**
 * Installed on top of debootstrap's minbase. g++ brings gcc and libc6-dev (the verdict tests
 * compile C and C++, and npm test's native step builds the sandbox helpers with them);
 * libseccomp-dev lets that step build the seccomp filter in the guest when the checkout's
 * native/build/ is missing or stale; dbus is what `systemd-run --wait --pipe` talks to.
 */
export const PACKAGES = [
  'linux-image-amd64',
  'systemd',
  'systemd-sysv',
  'udev',
  'dbus',
  'bubblewrap',
  'libseccomp2',
  'libseccomp-dev',
  'python3',
  'g++',
];
const BOOT_SCRIPT = fileURLToPath(new URL('./guest-boot.sh', import.meta.url));

const UNIT = `[Unit]
Description=se-widgets cgroup v2 test run (scripts/test-cgroup2.mjs)
After=basic.target dbus.socket systemd-user-sessions.service
Wants=dbus.socket

[Service]
Type=simple
Environment=HOME=/root LANG=C.UTF-8
ExecStart=/usr/local/sbin/sevm-boot
TimeoutStartSec=infinity

[Install]
WantedBy=multi-user.target
`;

/** Units that would only slow the boot or wait for a login on the console. */
const MASKED = [
  'serial-getty@ttyS0.service',
  'getty@tty1.service',
  'console-getty.service',
  'apt-daily.timer',
  'apt-daily-upgrade.timer',
  'systemd-timesyncd.service',
  'e2scrub_reap.service',
];

export function imageKey() {
  const h = createHash('sha256');
  h.update(
    JSON.stringify({ BUILD_VERSION, SUITE, MIRROR, PACKAGES, UNIT, MASKED, variant: 'minbase' }),
  );
  h.update(readFileSync(BOOT_SCRIPT));
  return h.digest('hex').slice(0, 16);
}

/** Paths of the image for the current key; `ready` when a finished build is cached. */
export function imagePaths(cacheDir) {
  const key = imageKey();
  const dir = join(cacheDir, `image-${key}`);
  return {
    key,
    dir,
    disk: join(dir, 'root.ext4'),
    kernel: join(dir, 'vmlinuz'),
    initrd: join(dir, 'initrd.img'),
    info: join(dir, 'image.json'),
    ready: existsSync(join(dir, 'image.json')),
  };
}

function runLogged(cmd, args, log) {
  return new Promise((resolve, reject) => {
    log.write(`\n$ ${[cmd, ...args].join(' ')}\n`);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')}... exited with ${code}`)),
    );
  });
}

/** Unmounts whatever an interrupted debootstrap left mounted under `dir` (never rm -rf through a mount). */
function unmountUnder(dir) {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1])
    .filter((m) => m && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  return mounts;
}

async function removeTree(dir, log) {
  if (!existsSync(dir)) return;
  for (const m of unmountUnder(dir)) await runLogged('umount', ['-l', m], log);
  if (unmountUnder(dir).length) throw new Error(`${dir} still has mounts; not removing it`);
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Builds the image into a temporary folder and renames it into place when complete, so that an
 * interrupted build is never taken for a cached one. `log` receives the tools' output.
 */
export async function buildImage(cacheDir, log, say) {
  const paths = imagePaths(cacheDir);
  const work = join(cacheDir, `build-${paths.key}`);
  const rootfs = join(work, 'rootfs');
  const debs = join(cacheDir, 'debs');
  await removeTree(work, log);
  mkdirSync(rootfs, { recursive: true });
  mkdirSync(debs, { recursive: true });

  const t0 = Date.now();
  say(`debootstrap ${SUITE} (minbase + ${PACKAGES.join(' ')}) from ${MIRROR}`);
  await runLogged(
    'debootstrap',
    [
      '--variant=minbase',
      `--include=${PACKAGES.join(',')}`,
      `--cache-dir=${debs}`,
      SUITE,
      rootfs,
      MIRROR,
    ],
    log,
  );
  say(`debootstrap done in ${((Date.now() - t0) / 1000).toFixed(0)} s; configuring`);

  writeFileSync(join(rootfs, 'etc/hostname'), 'sevm\n');
  writeFileSync(join(rootfs, 'etc/hosts'), '127.0.0.1 localhost\n127.0.1.1 sevm\n');
  writeFileSync(join(rootfs, 'etc/fstab'), '/dev/vda / ext4 rw,errors=remount-ro 0 1\n');
  rmSync(join(rootfs, 'etc/machine-id'), { force: true });
  await runLogged('chroot', [rootfs, 'systemd-machine-id-setup'], log);
  copyFileSync(BOOT_SCRIPT, join(rootfs, 'usr/local/sbin/sevm-boot'));
  chmodSync(join(rootfs, 'usr/local/sbin/sevm-boot'), 0o755);
  const sys = join(rootfs, 'etc/systemd/system');
  writeFileSync(join(sys, 'sevm.service'), UNIT);
  mkdirSync(join(sys, 'multi-user.target.wants'), { recursive: true });
  symlinkSync(
    '/etc/systemd/system/sevm.service',
    join(sys, 'multi-user.target.wants/sevm.service'),
  );
  for (const unit of MASKED) {
    rmSync(join(sys, unit), { force: true });
    symlinkSync('/dev/null', join(sys, unit));
  }
  await runLogged('chroot', [rootfs, 'apt-get', 'clean'], log);
  rmSync(join(rootfs, 'var/lib/apt/lists'), { recursive: true, force: true });
  mkdirSync(join(rootfs, 'var/lib/apt/lists/partial'), { recursive: true });

  const boot = readdirSync(join(rootfs, 'boot'));
  const vmlinuz = boot.find((f) => f.startsWith('vmlinuz-'));
  const initrd = boot.find((f) => f.startsWith('initrd.img-'));
  if (!vmlinuz || !initrd)
    throw new Error(`no kernel or initrd in the guest's /boot (found: ${boot.join(' ')})`);
  copyFileSync(join(rootfs, 'boot', vmlinuz), join(work, 'vmlinuz'));
  copyFileSync(join(rootfs, 'boot', initrd), join(work, 'initrd.img'));

  // Room for the project checkout (~0.5 GB with node_modules), test scratch and logs.
  const usedKb = Number(
    (await capture('du', ['-sk', '--one-file-system', rootfs])).split(/\s/)[0] || 0,
  );
  const sizeMb = Math.ceil(usedKb / 1024) + 3072;
  say(`making the ext4 image (${sizeMb} MiB, ${Math.round(usedKb / 1024)} MiB used)`);
  if (unmountUnder(rootfs).length) throw new Error(`${rootfs} still has mounts after debootstrap`);
  await runLogged(
    'mkfs.ext4',
    ['-q', '-F', '-L', 'sevm-root', '-d', rootfs, join(work, 'root.ext4'), `${sizeMb}M`],
    log,
  );
  await removeTree(rootfs, log);
  writeFileSync(
    join(work, 'image.json'),
    JSON.stringify(
      {
        key: paths.key,
        suite: SUITE,
        packages: PACKAGES,
        kernel: vmlinuz,
        builtAt: new Date().toISOString(),
        buildSecs: Math.round((Date.now() - t0) / 1000),
      },
      null,
      2,
    ) + '\n',
  );
  rmSync(paths.dir, { recursive: true, force: true });
  renameSync(work, paths.dir);
  return imagePaths(cacheDir);
}

function capture(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} exited with ${code}`)),
    );
  });
}

/** Removes cached images of other keys and half-finished builds. */
export async function pruneImages(cacheDir, log) {
  const { key } = imagePaths(cacheDir);
  for (const e of existsSync(cacheDir) ? readdirSync(cacheDir) : []) {
    if ((e.startsWith('image-') || e.startsWith('build-')) && !e.endsWith(key))
      await removeTree(join(cacheDir, e), log);
  }
}
