/**
 * Writing submissions into a box, and reading from a box after code ran in it, safely: names are
 * checked before anything is written, nothing is ever written through a symlink, and a file read
 * back is opened with O_NOFOLLOW, must be regular, and is capped.
 */
import { constants, lstatSync, type Dir } from 'node:fs';
import { lstat, mkdir, open, opendir } from 'node:fs/promises';
import { join } from 'node:path';

export const FILES_LIMITS = {
  maxFiles: 200,
  maxFileBytes: 1024 * 1024,
  maxTotalBytes: 10 * 1024 * 1024,
  maxDepth: 8,
  maxNameLength: 255,
} as const;

/** A multi-file request the engine refuses before running anything (a client error). */
export class FilesError extends Error {
  override name = 'FilesError';
}

const SEGMENT_RE = /^[A-Za-z0-9_+][A-Za-z0-9_.+ -]*$/;

/**
 * Checks a `files` map: relative paths only, no `.`/`..` segments, no leading `-` (they reach
 * compiler command lines), printable names, bounded counts and sizes, no path that is both a file
 * and a folder. Throws FilesError naming the first problem.
 */
export function validateFiles(files: Record<string, string>): void {
  const names = Object.keys(files);
  if (names.length === 0) throw new FilesError('files: no files given');
  if (names.length > FILES_LIMITS.maxFiles)
    throw new FilesError(`files: more than ${FILES_LIMITS.maxFiles} files`);
  let total = 0;
  const dirs = new Set<string>();
  for (const name of names) {
    const content = files[name];
    if (typeof content !== 'string') throw new FilesError(`files: ${name}: content is not text`);
    if (name.length > FILES_LIMITS.maxNameLength)
      throw new FilesError(`files: a name is longer than ${FILES_LIMITS.maxNameLength} characters`);
    if (name.startsWith('/'))
      throw new FilesError(`files: ${name}: absolute paths are not allowed`);
    const segments = name.split('/');
    if (segments.length > FILES_LIMITS.maxDepth)
      throw new FilesError(`files: ${name}: deeper than ${FILES_LIMITS.maxDepth} folders`);
    for (const seg of segments) {
      if (seg === '..' || seg === '.')
        throw new FilesError(`files: ${name}: "." and ".." are not allowed`);
      if (!SEGMENT_RE.test(seg))
        throw new FilesError(
          `files: ${JSON.stringify(name)}: names use letters, digits, space and _ . + - ` +
            '(not first), separated by /',
        );
    }
    for (let i = 1; i < segments.length; i++) dirs.add(segments.slice(0, i).join('/'));
    const bytes = Buffer.byteLength(content, 'utf8');
    if (bytes > FILES_LIMITS.maxFileBytes)
      throw new FilesError(`files: ${name}: larger than ${FILES_LIMITS.maxFileBytes} bytes`);
    total += bytes;
  }
  if (total > FILES_LIMITS.maxTotalBytes)
    throw new FilesError(`files: more than ${FILES_LIMITS.maxTotalBytes} bytes in all`);
  for (const name of names)
    if (dirs.has(name)) throw new FilesError(`files: ${name} is both a file and a folder`);
}

/**
 * Writes checked files under `dir` (a fresh folder nothing ran in yet). O_EXCL|O_NOFOLLOW: a name
 * never lands on something that exists already. Returns every path created, folders first.
 */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<string[]> {
  const created: string[] = [];
  const made = new Set<string>();
  for (const [name, content] of Object.entries(files)) {
    const segments = name.split('/');
    for (let i = 1; i < segments.length; i++) {
      const rel = segments.slice(0, i).join('/');
      if (made.has(rel)) continue;
      await mkdir(join(dir, rel), { mode: 0o755 });
      made.add(rel);
      created.push(join(dir, rel));
    }
    const path = join(dir, name);
    const fh = await open(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o644,
    );
    try {
      await fh.writeFile(content, 'utf8');
    } finally {
      await fh.close();
    }
    created.push(path);
  }
  return created;
}

/**
 * Reads a file from a box after code ran there: O_NOFOLLOW (a planted symlink is refused, not
 * followed), regular files only, at most `capBytes` (a larger file is an error, not truncated).
 */
export async function readBoxFile(dir: string, rel: string, capBytes: number): Promise<Buffer> {
  if (rel.startsWith('/') || rel.split('/').some((s) => s === '..' || s === '' || s === '.'))
    throw new Error(`readBoxFile: ${rel}: not a plain relative path`);
  // Every folder on the way must be a real folder too: walk it with lstat.
  const segments = rel.split('/');
  let at = dir;
  for (const seg of segments.slice(0, -1)) {
    at = join(at, seg);
    const st = await lstat(at);
    if (!st.isDirectory()) throw new Error(`readBoxFile: ${rel}: ${seg} is not a folder`);
  }
  const fh = await open(
    join(dir, rel),
    constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
  );
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`readBoxFile: ${rel}: not a regular file`);
    if (st.size > capBytes) throw new Error(`readBoxFile: ${rel}: larger than ${capBytes} bytes`);
    const buf = Buffer.alloc(Math.min(st.size, capBytes) + 1);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead > capBytes) throw new Error(`readBoxFile: ${rel}: larger than ${capBytes} bytes`);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Bytes used under `dir`, never following symlinks; stops counting once over `capBytes` or past
 * `maxEntries` entries (both answer "over the cap"). Reads each folder as a stream of small
 * batches (never a whole listing at once), so a box stuffed with a million files costs a bounded
 * walk in time and in the engine's memory: O(depth) open folders of `BATCH` entries each.
 */
export async function boxSize(dir: string, capBytes: number, maxEntries = 100000): Promise<number> {
  let total = 0;
  let entries = 0;
  const over = () => total > capBytes || entries > maxEntries;
  const walk = async (d: string, depth: number): Promise<void> => {
    if (depth > MAX_WALK_DEPTH) {
      entries = maxEntries + 1; // deeper than any build needs: count it as over the cap
      return;
    }
    let folder: Dir;
    try {
      folder = await opendir(d, { bufferSize: BATCH });
    } catch {
      return; // vanished, or a path past PATH_MAX
    }
    try {
      for (let e = await folder.read(); e && !over(); e = await folder.read()) {
        entries++;
        const p = join(d, e.name);
        if (e.isDirectory()) await walk(p, depth + 1);
        // synchronous: one small stat per entry, between the awaited batch reads (a promise per
        // file made the walk 50 times slower and its garbage the larger part of its memory)
        else total += (lstatSync(p, { throwIfNoEntry: false })?.blocks ?? 0) * 512;
      }
    } finally {
      await folder.close().catch(() => undefined);
    }
  };
  await walk(dir, 0);
  return over() ? Math.max(total, capBytes + 1) : total;
}

/** Entries read from a folder at a time by `boxSize`. */
const BATCH = 64;
/** Folder depth past which `boxSize` stops and answers "over the cap". */
const MAX_WALK_DEPTH = 64;
