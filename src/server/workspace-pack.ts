/**
 * A scenario run on a Containers service without the embedded engine's `POST /workspaces/:id/
 * scenarios` (the hosted service): the backend reads the workspace's files through the standard
 * files API and sends them as a submission of the workspace's project, the way the spec runs any
 * submission (`POST /submissions`, a tar.gz whose root holds one folder `workspace/`).
 */
import { gzipSync } from 'node:zlib';
import { tarOf, type TarFile } from '../shared/tar.js';
import type { ContainersClient } from '../upstream/containers.js';
import { tooLarge } from './errors.js';

/** What one packed run may hold (the hosted service's upload limit is 16 MiB a file). */
const PACK_LIMITS = {
  /** bytes of the files, all together */
  bytes: 16 * 1024 * 1024,
  /** files and folders */
  entries: 2000,
  /** folder depth */
  depth: 32,
} as const;

const overCap = (what: string) =>
  tooLarge(
    `The workspace is too large to run here: more than ${what}. Remove files you do not need.`,
  );

/** The files of workspace `id` as a Containers submission `source` (tar.gz of `workspace/`). */
export async function packWorkspace(client: ContainersClient, id: string): Promise<Uint8Array> {
  const entries: TarFile[] = [
    { name: 'workspace', type: 'dir', mode: 0o755, data: new Uint8Array() },
  ];
  let bytes = 0;
  const mode = (perm: string | number) => {
    const bits = Number.parseInt(String(perm), 8);
    return Number.isFinite(bits) ? bits & 0o777 : 0o644;
  };
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > PACK_LIMITS.depth) throw overCap(`${PACK_LIMITS.depth} folders deep`);
    const listing = await client.listFiles(id, dir === '' ? undefined : `${dir}/`);
    for (const f of listing.files) {
      const path = dir ? `${dir}/${f.name}` : f.name;
      if (entries.length >= PACK_LIMITS.entries) throw overCap(`${PACK_LIMITS.entries} files`);
      const body = await client.file(id, path, PACK_LIMITS.bytes - bytes);
      if (!body.complete) throw overCap(`${PACK_LIMITS.bytes / 1024 / 1024} MiB of files`);
      bytes += body.raw.length;
      entries.push({ name: `workspace/${path}`, type: 'file', mode: mode(f.perm), data: body.raw });
    }
    for (const d of listing.dirs) {
      const path = dir ? `${dir}/${d.name}` : d.name;
      if (entries.length >= PACK_LIMITS.entries) throw overCap(`${PACK_LIMITS.entries} files`);
      entries.push({
        name: `workspace/${path}`,
        type: 'dir',
        mode: mode(d.perm),
        data: new Uint8Array(),
      });
      await walk(path, depth + 1);
    }
  };
  await walk('', 0);
  return gzipSync(tarOf(entries));
}
