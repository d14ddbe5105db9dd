/**
 * Where a workspace's files live, and how their size is capped (WORKSPACE.md, "Without Docker").
 *
 * - `loop` (root, with mkfs.ext4 and loop devices): an ext4 image per workspace in the data
 *   folder, sparse, of the workspace's disk cap, without a journal (an empty one takes 392 KiB,
 *   with one 8.4 MiB); mounted (nosuid, nodev) while the workspace runs.
 *   The kernel enforces the cap, whatever the learner's programs do.
 * - `bind` (root without loop devices): a folder in the data folder, bind-mounted while it runs.
 * - `folder` (not root): the folder in the data folder itself (the sandbox runs as the engine's
 *   uid, which can reach it).
 *
 * As root the sandbox runs as the workspace's own uid, which cannot traverse the private data
 * folder: so a running workspace is mounted under the executor's scratch folder (searchable,
 * not listable) at an unguessable name. Without a loop image the cap is measured (`du` after each
 * write) and writes are refused over it.
 *
 * The workspace's files are `<root>/workspace`; `<root>` holds nothing else the learner sees.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { removeTree } from '../sandbox/index.js';

export type DiskMode = 'loop' | 'bind' | 'folder';

const MKFS = ['/usr/sbin/mkfs.ext4', '/sbin/mkfs.ext4'].find((p) => existsSync(p));
const MOUNT = ['/usr/bin/mount', '/bin/mount'].find((p) => existsSync(p));
const UMOUNT = ['/usr/bin/umount', '/bin/umount'].find((p) => existsSync(p));

function run(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: {}, timeout: 20000 });
  if (r.error) return `${cmd}: ${r.error.message}`;
  return r.status === 0 ? null : `${cmd} exited ${r.status}: ${String(r.stderr).trim()}`;
}

export interface DiskOptions {
  /** `<dataDir>/containers/workspaces`: images or folders, private */
  storeDir: string;
  /** a folder the sandbox uids can search (the executor's scratch folder) */
  mountDir: string;
  /** the cap of one workspace's files */
  capBytes: number;
  log: (line: string) => void;
}

/** The workspaces' storage: one image or folder each, attached while the workspace runs. */
export class WorkspaceDisk {
  readonly mode: DiskMode;
  /** attached workspaces: id to the host path of their root */
  private readonly attached = new Map<string, string>();

  constructor(private readonly o: DiskOptions) {
    mkdirSync(o.storeDir, { recursive: true, mode: 0o700 });
    this.mode = probeMode(o);
    if (this.mode !== 'loop')
      o.log(
        `containers: workspaces are folders (${this.mode}); their disk cap is measured, not ` +
          'enforced by the kernel' +
          (process.getuid?.() === 0 ? ' (no loop devices or mkfs.ext4)' : ' (not root)'),
      );
  }

  /** True when the kernel caps each workspace's size (a loop-mounted image). */
  get enforced(): boolean {
    return this.mode === 'loop';
  }

  /** Makes the storage of a new workspace, owned by `uid` (as root). Throws what failed. */
  create(id: string, uid: number): void {
    if (this.mode === 'loop') {
      const img = this.image(id);
      rmSync(img, { force: true });
      const why =
        run('/usr/bin/truncate', ['-s', String(this.o.capBytes), img]) ??
        run(MKFS!, [
          '-q',
          '-F',
          '-m',
          '0',
          '-O',
          '^has_journal',
          '-E',
          `root_owner=${uid}:${uid}`,
          img,
        ]);
      if (why) {
        rmSync(img, { force: true });
        throw new Error(why);
      }
      return;
    }
    const dir = this.folder(id);
    mkdirSync(join(dir, 'workspace'), { recursive: true, mode: 0o755 });
    if (process.getuid?.() === 0) {
      chownSync(dir, uid, uid);
      chownSync(join(dir, 'workspace'), uid, uid);
    }
  }

  /**
   * Attaches a workspace's storage; returns the host path of its files folder (`<root>/workspace`,
   * created owned by `uid` when missing). Throws what failed.
   */
  attach(id: string, uid: number): string {
    let root = this.attached.get(id);
    if (!root) {
      if (this.mode === 'folder') root = this.folder(id);
      else {
        root = join(this.o.mountDir, `ws-${randomBytes(16).toString('hex')}`);
        mkdirSync(root, { mode: 0o711 });
        const why =
          this.mode === 'loop'
            ? run(MOUNT!, ['-o', 'loop,nosuid,nodev', '--', this.image(id), root])
            : run(MOUNT!, ['--bind', '-o', 'nosuid,nodev', '--', this.folder(id), root]);
        if (why) {
          rmdirSync(root);
          throw new Error(why);
        }
      }
      this.attached.set(id, root);
    }
    const files = join(root, 'workspace');
    if (!existsSync(files)) {
      mkdirSync(files, { mode: 0o755 });
      if (process.getuid?.() === 0) chownSync(files, uid, uid);
    }
    return files;
  }

  /** The host path of an attached workspace's files, or null. */
  path(id: string): string | null {
    const root = this.attached.get(id);
    return root ? join(root, 'workspace') : null;
  }

  /** Detaches a workspace's storage (its files stay). */
  detach(id: string): void {
    const root = this.attached.get(id);
    if (!root) return;
    this.attached.delete(id);
    if (this.mode === 'folder') return;
    const why = run(UMOUNT!, ['-l', '--', root]);
    if (why) this.o.log(`containers: could not detach workspace ${id}: ${why}`);
    else rmdirSync(root);
  }

  /** Removes a workspace's storage for good. Never throws; returns why not, or null. */
  async remove(id: string): Promise<string | null> {
    this.detach(id);
    if (this.mode === 'loop') {
      rmSync(this.image(id), { force: true });
      return null;
    }
    return removeTree(this.folder(id));
  }

  /** Detaches every attached workspace (the engine is closing). */
  close(): void {
    for (const id of [...this.attached.keys()]) this.detach(id);
  }

  private image(id: string): string {
    return join(this.o.storeDir, `${id}.img`);
  }

  private folder(id: string): string {
    return join(this.o.storeDir, id);
  }
}

/** The best mode this machine allows, tried once with a small image. */
function probeMode(o: DiskOptions): DiskMode {
  if (process.getuid?.() !== 0 || !MOUNT || !UMOUNT) return 'folder';
  const probe = join(o.mountDir, `probe-${randomBytes(8).toString('hex')}`);
  const img = `${probe}.img`;
  mkdirSync(probe, { mode: 0o711 });
  try {
    if (
      MKFS &&
      !run('/usr/bin/truncate', ['-s', String(8 * 1024 * 1024), img]) &&
      !run(MKFS, ['-q', '-F', '-m', '0', img]) &&
      !run(MOUNT, ['-o', 'loop,nosuid,nodev', '--', img, probe])
    ) {
      run(UMOUNT, ['-l', '--', probe]);
      return 'loop';
    }
    return 'bind';
  } finally {
    rmSync(img, { force: true });
    rmdirSync(probe);
  }
}
