/**
 * What the Compilers and Problems APIs have in common (their specs agree on these): the `ids`
 * parameter of `GET /submissions`, the checks of a submission's source and files, and the `date`
 * format.
 */
import { FilesError, validateFiles } from './exec/files.js';
import { ArchiveError, unpackTarGz } from './archive.js';
import { InvalidText, UploadedArchive, type Body } from './http/body.js';
import { ApiError } from './http/errors.js';
import { LIMITS } from './limits.js';

const CreationFailed = 1003;
const IdsNotProvided = 205104;
const IdsInvalid = 205105;
const IdsTooMany = 205106;
const SourceTooLarge = 201306;

/**
 * `ids` of `GET /submissions`: comma-separated integers, at most `max`; duplicates are answered
 * once. Throws the spec's 400 errors.
 */
export function parseIds(ids: string | null, max: number): number[] {
  if (ids === null || ids.trim() === '') {
    throw new ApiError(400, IdsNotProvided, 'identifiers are not provided');
  }
  const parts = ids.split(',').map((s) => s.trim());
  if (!parts.every((p) => /^\d{1,15}$/.test(p))) {
    throw new ApiError(
      400,
      IdsInvalid,
      'invalid format of identifiers: give integers separated by commas',
    );
  }
  const unique = [...new Set(parts.map(Number))];
  if (unique.length > max) {
    throw new ApiError(
      400,
      IdsTooMany,
      `maximum number of identifiers exceeded: at most ${max}, got ${unique.length}`,
    );
  }
  return unique;
}

/** Throws the spec's 400 when a submission's source (all its files together) is too large. */
export function checkSourceSize(bytes: number): void {
  if (bytes > LIMITS.sourceBytes) {
    throw new ApiError(
      400,
      SourceTooLarge,
      `source size limit exceeded: ${bytes} bytes, at most ${LIMITS.sourceBytes}`,
    );
  }
}

/** Checks multi-file `files` by the execution core's rules; a refusal is the spec's 400/1003. */
export function checkFileRules(files: Record<string, string>): void {
  try {
    validateFiles(files);
  } catch (err) {
    if (err instanceof FilesError)
      throw new ApiError(400, CreationFailed, `creation failed: ${err.message}`);
    throw err;
  }
}

/**
 * Refuses a body holding text that is not UTF-8 (form, multipart) or not Unicode (a JSON lone
 * surrogate), rather than storing it changed: 400 with the code `codes` gives its parameter
 * (`files[name]` counts as `files`), else `fallback` (the method's "creation failed").
 */
export function refuseInvalidText(
  body: Body,
  fallback: number,
  codes: Readonly<Record<string, number>> = {},
): void {
  const refuse = (field: string, key: string, v: InvalidText): never => {
    throw new ApiError(
      400,
      codes[key] ?? fallback,
      `${field} is not valid UTF-8 text (${v.at >= 0 ? `byte ${v.at}` : 'a lone surrogate'}); ` +
        'send text as UTF-8',
    );
  };
  for (const [key, v] of Object.entries(body)) {
    if (v instanceof InvalidText) refuse(key, key, v);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const [sub, w] of Object.entries(v)) {
        if (w instanceof InvalidText) refuse(`${key}[${sub}]`, key, w);
      }
    }
  }
}

/** Characters (Unicode code points) of `s`: how name limits count, not UTF-16 units. */
export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The first `max` characters (code points) of `s`, never half a surrogate pair. */
export function firstCodePoints(s: string, max: number): string {
  if (s.length <= max) return s;
  let out = '';
  let n = 0;
  for (const c of s) {
    if (n++ === max) break;
    out += c;
  }
  return out;
}

/**
 * The files of a program sent as a tar.gz archive in `source` (multipart upload), checked by the
 * multi-file rules; null when `source` is not an archive. Throws the spec's 400s: 201306 when the
 * files are over the source cap, 1003 for a refused archive (named why) or when `files` is given
 * too. Nothing is stored or written before this returns.
 */
export function unpackSource(body: Body): Record<string, string> | null {
  const archive = body.source;
  if (!(archive instanceof UploadedArchive)) return null;
  if (body.files !== undefined && body.files !== null && body.files !== '') {
    throw new ApiError(
      400,
      CreationFailed,
      'creation failed: send the program as a tar.gz source or as files, not both',
    );
  }
  let files: Record<string, string>;
  try {
    files = unpackTarGz(archive.data);
  } catch (err) {
    if (!(err instanceof ArchiveError)) throw err;
    throw new ApiError(
      400,
      err.kind === 'size' ? SourceTooLarge : CreationFailed,
      err.kind === 'size' ? err.message : `creation failed: ${err.message}`,
    );
  }
  checkFileRules(files);
  return files;
}

/** `yyyy-mm-dd hh:mm:ss +00:00` (server time, UTC), as the specs' `date` fields. */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' +00:00';
}
