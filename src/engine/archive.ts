/**
 * A multi-file program sent as a tar.gz archive in `source` (a multipart file upload, as the
 * vendor's `createWithTarSource` does): unpacked in memory into the `files` map of multi-file
 * mode, before anything is stored or written. Only plain files and folders are taken: absolute
 * names, `..`, links, devices, FIFOs and unknown entry types refuse the whole archive, and the
 * unpacked size, the entry count and every name are capped. Nothing is written to disk here.
 */
import { gunzipSync } from 'node:zlib';
import { decodeText, InvalidText } from './http/body.js';
import { LIMITS } from './limits.js';
import { tarOf, type TarFile } from '../shared/tar.js';

/** Caps of an archive (the unpacked files also follow the multi-file rules and the source cap). */
export const ARCHIVE_LIMITS = {
  /** bytes the gzip stream may unpack to (the tar, headers and padding included) */
  tarBytes: 4 * 1024 * 1024,
  /** entries of any kind (folders and metadata headers included) */
  entries: 1000,
} as const;

/** Why an archive is refused: `size` for the source cap (201306), `invalid` otherwise (1003). */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
  constructor(
    readonly kind: 'invalid' | 'size',
    message: string,
  ) {
    super(message);
  }
}

const BLOCK = 512;

/** An entry of an archive, as taken: a plain file or a folder, with a relative name. */
export interface TarEntry extends TarFile {
  data: Buffer;
}

/** Caps of {@link readTarGz}. */
export interface TarCaps {
  /** bytes the gzip stream may unpack to */
  tarBytes: number;
  /** entries of any kind */
  entries: number;
  /** plain files */
  files: number;
  /** bytes of the files' contents together */
  fileBytes: number;
  /** take an archive of folders only (default: refused, "holds no files") */
  allowNoFiles?: boolean;
}

/**
 * The files of a tar.gz archive, by relative name (`src/main.py`). Throws ArchiveError naming the
 * first problem. File contents must be UTF-8 text (multi-file mode holds text files).
 */
export function unpackTarGz(data: Buffer): Record<string, string> {
  const entries = readTarGz(data, {
    ...ARCHIVE_LIMITS,
    files: LIMITS.files,
    fileBytes: LIMITS.sourceBytes,
  });
  const files: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const e of entries) {
    if (e.type !== 'file') continue;
    const text = decodeText(e.data);
    if (text instanceof InvalidText) {
      throw new ArchiveError(
        'invalid',
        `the source archive's ${e.name} is not UTF-8 text (byte ${text.at}); multi-file mode takes text files`,
      );
    }
    files[e.name] = text;
  }
  return files;
}

/**
 * The plain files and folders of a tar.gz archive, in order, with relative names (`src/a.c`).
 * Absolute names, `..`, links, devices, FIFOs, unknown entry types and a name given twice refuse
 * the whole archive (ArchiveError naming the first problem), as do the caps; an archive with no
 * file is refused too. Nothing is written anywhere.
 */
export function readTarGz(data: Buffer, caps: TarCaps): TarEntry[] {
  let tar: Buffer;
  try {
    tar = gunzipSync(data, { maxOutputLength: caps.tarBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ArchiveError(
        'size',
        `source size limit exceeded: the archive unpacks to more than ${caps.tarBytes} bytes`,
      );
    }
    throw new ArchiveError('invalid', 'the source archive is not a valid gzip stream');
  }
  const out: TarEntry[] = [];
  const seen = new Set<string>();
  let total = 0;
  let count = 0;
  let entries = 0;
  // names set by a GNU long-name entry or a pax header, for the next entry only
  let longName: string | null = null;
  let paxPath: string | null = null;
  let paxSize: number | null = null;

  for (let at = 0; ;) {
    if (at + BLOCK > tar.length) {
      if (at >= tar.length || tar.subarray(at).every((b) => b === 0)) break;
      throw new ArchiveError('invalid', 'the source archive ends inside a tar header');
    }
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break; // end of archive
    if (++entries > caps.entries) {
      throw new ArchiveError('invalid', `the source archive has more than ${caps.entries} entries`);
    }
    checkChecksum(header);
    const type = String.fromCharCode(header[156]!);
    const size = paxSize ?? octal(header.subarray(124, 136), 'size');
    const start = at + BLOCK;
    const end = start + size;
    if (end > tar.length) throw new ArchiveError('invalid', 'the source archive is cut short');
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    const body = tar.subarray(start, end);

    if (type === 'L') {
      longName = cString(body);
      continue;
    }
    if (type === 'x') {
      const pax = parsePax(body);
      paxPath = pax.path ?? null;
      paxSize = pax.size ?? null;
      continue;
    }
    if (type === 'g') continue; // global pax header: nothing we use
    const raw = paxPath ?? longName ?? headerName(header);
    longName = paxPath = null;
    paxSize = null;
    const name = entryName(raw);
    if (type === '1' || type === '2' || type === 'K') {
      throw new ArchiveError(
        'invalid',
        `the source archive holds a link (${raw}): links are not allowed`,
      );
    }
    if (type === '3' || type === '4' || type === '6') {
      throw new ArchiveError(
        'invalid',
        `the source archive holds a device or FIFO (${raw}): only files and folders are allowed`,
      );
    }
    const mode = octal(header.subarray(100, 108), 'mode') & 0o777;
    if (type === '5') {
      if (name !== null) out.push({ name, type: 'dir', mode, data: Buffer.alloc(0) });
      continue;
    }
    if (type !== '0' && type !== '\0' && type !== '7') {
      throw new ArchiveError(
        'invalid',
        `the source archive holds an entry of unknown type '${type}' (${raw})`,
      );
    }
    if (name === null)
      throw new ArchiveError('invalid', `the source archive holds a file with no name`);
    if (seen.has(name)) throw new ArchiveError('invalid', `the source archive holds ${name} twice`);
    seen.add(name);
    if (++count > caps.files) {
      throw new ArchiveError('invalid', `the source archive holds more than ${caps.files} files`);
    }
    total += size;
    if (total > caps.fileBytes) {
      throw new ArchiveError(
        'size',
        `source size limit exceeded: the archive's files hold more than ${caps.fileBytes} bytes`,
      );
    }
    out.push({ name, type: 'file', mode, data: body });
  }
  if (count === 0 && !caps.allowNoFiles)
    throw new ArchiveError('invalid', 'the source archive holds no files');
  return out;
}

/**
 * A relative name from an entry's name: `./` prefixes dropped, a folder's trailing `/` too;
 * null for the archive's root itself. Absolute names and `..` refuse the archive.
 */
function entryName(raw: string): string | null {
  if (raw.startsWith('/')) {
    throw new ArchiveError('invalid', `the source archive holds an absolute name (${raw})`);
  }
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw new ArchiveError('invalid', `the source archive holds a name with .. (${raw})`);
  }
  return parts.length ? parts.join('/') : null;
}

function headerName(h: Buffer): string {
  const name = cString(h.subarray(0, 100));
  // ustar: a prefix (a folder) in bytes 345..500
  const ustar = h.subarray(257, 262).toString('latin1') === 'ustar';
  const prefix = ustar ? cString(h.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** Text up to the first NUL; names must be UTF-8 like contents. */
function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  const text = decodeText(nul === -1 ? b : b.subarray(0, nul));
  if (text instanceof InvalidText) {
    throw new ArchiveError('invalid', 'the source archive holds a name that is not UTF-8');
  }
  return text;
}

/** An octal number field (NUL- or space-terminated); base-256 numbers are refused (too large). */
function octal(b: Buffer, what: string): number {
  if (b[0]! & 0x80)
    throw new ArchiveError('invalid', `the source archive's ${what} field is too large`);
  const text = b
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^[ ]+/, '');
  if (!/^[0-7]*$/.test(text)) {
    throw new ArchiveError(
      'invalid',
      `the source archive has a malformed ${what} field: not a tar archive`,
    );
  }
  return text === '' ? 0 : parseInt(text, 8);
}

function checkChecksum(h: Buffer): void {
  const stored = octal(h.subarray(148, 156), 'checksum');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  if (sum !== stored)
    throw new ArchiveError(
      'invalid',
      'the source archive is not a tar archive (bad header checksum)',
    );
}

/** A pax extended header's `path` and `size` (records `LEN key=value\n`). */
function parsePax(b: Buffer): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  let at = 0;
  while (at < b.length) {
    const space = b.indexOf(0x20, at);
    const len = space === -1 ? NaN : Number(b.subarray(at, space).toString('latin1'));
    if (!Number.isInteger(len) || len <= 0 || at + len > b.length) {
      throw new ArchiveError('invalid', 'the source archive has a malformed pax header');
    }
    const record = decodeText(b.subarray(space + 1, at + len - 1));
    if (record instanceof InvalidText) {
      throw new ArchiveError('invalid', 'the source archive has a pax header that is not UTF-8');
    }
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.path = value;
    if (key === 'size') {
      if (!/^\d{1,15}$/.test(value))
        throw new ArchiveError('invalid', 'the source archive has a malformed pax size');
      out.size = Number(value);
    }
    if (key === 'linkpath') {
      throw new ArchiveError('invalid', 'the source archive holds a link: links are not allowed');
    }
    at += len;
  }
  return out;
}

/**
 * A plain tar (shared/tar.ts) of `entries`, owned by uid 0 with the given modes: what
 * {@link readTarGz} took, written afresh, so a tar reader sees only plain files and folders with
 * clean names.
 */
export function writeTar(entries: readonly TarEntry[]): Buffer {
  const tar = tarOf(entries);
  return Buffer.from(tar.buffer, tar.byteOffset, tar.length);
}
