/**
 * What the Compilers and Problems APIs have in common (their specs agree on these), as schema
 * pieces: the `ids` parameter of `GET /submissions`, a submission's compiler and version, a tar.gz
 * upload in `source`, the checks of a submission's source size and files; and in their answers,
 * a submission's compiler, a result's figures and the `date` format.
 */
import * as v from 'valibot';
import type { SubmissionCompiler } from '../shared/compilers.js';
import type { LanguageInfo } from './exec/types.js';
import { FilesError, validateFiles } from './exec/files.js';
import { ArchiveError, unpackTarGz } from './archive.js';
import { UploadedArchive, type Body } from './http/body.js';
import {
  body,
  check,
  failure,
  int,
  intValue,
  lookup,
  optional,
  raw,
  required,
  type Failure,
} from './http/params.js';
import { LIMITS } from './limits.js';

const CreationFailed = 1003;
const CompilerNotFound = 201101;
const CompilerNotProvided = 201104;
const IdsNotProvided = 205104;
const IdsInvalid = 205105;
const IdsTooMany = 205106;
const SourceTooLarge = 201306;

/**
 * The query of `GET /submissions?ids=`: comma-separated integers, at most `max`; duplicates are
 * answered once.
 */
export function idsQuery(max: number) {
  const notProvided = failure(IdsNotProvided, 'identifiers are not provided');
  return v.object({
    ids: required(
      notProvided,
      v.pipe(
        v.string(),
        check((s) => s.trim() !== '', notProvided),
        v.transform((s) => s.split(',').map((p) => p.trim())),
        check(
          (parts) => parts.every((p) => /^\d{1,15}$/.test(p)),
          failure(IdsInvalid, 'invalid format of identifiers: give integers separated by commas'),
        ),
        v.transform((parts) => [...new Set(parts.map(Number))]),
        check(
          (ids) => ids.length <= max,
          (issue) =>
            failure(
              IdsTooMany,
              `maximum number of identifiers exceeded: at most ${max}, got ${(issue.input as number[]).length}`,
            ),
        ),
      ),
    ),
  });
}

/** A submission's (or judge's) compiler and version, as chosen. */
export interface CompilerChoice {
  language: LanguageInfo;
  version: { id: number; name: string };
}

export interface CompilerParamOptions {
  /** text a compiler id may be (digits; the modules differ on a sign) */
  pattern?: RegExp;
  /** the version when none is named; undefined when the language has none to offer */
  defaultVersion(language: LanguageInfo): { id: number; name: string } | undefined;
  /** the failure of a version the language does not have */
  versionNotFound(language: LanguageInfo): Failure;
  /**
   * For an update: the compiler id now. Then `compilerId` may be left out (the current compiler,
   * with the version given) and both may be left out (no change: null).
   */
  current?: number;
}

/**
 * `compilerId` and `compilerVersionId`, checked in that order against the languages this engine
 * runs: 201104 when no compiler is named, 201101 when it is not one of them, then the module's
 * failure for the version.
 */
export function compilerParams(languages: Map<number, LanguageInfo>, o: CompilerParamOptions) {
  const notFound = failure(CompilerNotFound, 'compiler not found');
  const language = v.pipe(
    int(notFound, o.pattern),
    lookup((id: number) => languages.get(id), notFound),
  );
  return v.pipe(
    v.object({
      compilerId:
        o.current === undefined
          ? required(failure(CompilerNotProvided, 'compiler not provided'), language)
          : optional(language, undefined),
      compilerVersionId: raw(),
    }),
    v.rawTransform(({ dataset, addIssue, NEVER }): CompilerChoice | null => {
      const { compilerId, compilerVersionId } = dataset.value;
      let lang = compilerId;
      if (!lang) {
        if (compilerVersionId === undefined) return null;
        lang = languages.get(o.current!);
        if (!lang) {
          addIssue({ message: notFound });
          return NEVER;
        }
      }
      const version =
        compilerVersionId === undefined
          ? o.defaultVersion(lang)
          : lang.versions.find((x) => x.id === intValue(compilerVersionId, o.pattern));
      if (!version) {
        addIssue({ message: o.versionNotFound(lang) });
        return NEVER;
      }
      return { language: lang, version };
    }),
  );
}

/**
 * The files of a program sent as a tar.gz archive in `source` (a multipart upload), checked by
 * the multi-file rules; null when `source` is not an archive. Reads the whole body: 1003 when
 * `files` is given too or the archive is refused (named why), 201306 when its files are over the
 * source cap. Nothing is stored or written before the parameters pass.
 */
export const archivedSource = v.pipe(
  body,
  v.rawTransform<Body, Record<string, string> | null>(({ dataset, addIssue, NEVER }) => {
    const { source, files } = dataset.value;
    if (!(source instanceof UploadedArchive)) return null;
    if (files !== undefined && files !== null && files !== '') {
      addIssue({
        message: failure(
          CreationFailed,
          'creation failed: send the program as a tar.gz source or as files, not both',
        ),
      });
      return NEVER;
    }
    let unpacked: Record<string, string>;
    try {
      unpacked = unpackTarGz(source.data);
    } catch (err) {
      if (!(err instanceof ArchiveError)) throw err;
      addIssue({
        message:
          err.kind === 'size'
            ? failure(SourceTooLarge, err.message)
            : failure(CreationFailed, `creation failed: ${err.message}`),
      });
      return NEVER;
    }
    const refused = fileRulesRefusal(unpacked);
    if (refused) {
      addIssue({ message: refused });
      return NEVER;
    }
    return unpacked;
  }),
);

/** The spec's 400 when a submission's source (all its files together) is too large. */
export function sourceSize<T>(bytesOf: (value: T) => number) {
  return check(
    (x: T) => bytesOf(x) <= LIMITS.sourceBytes,
    (issue) =>
      failure(
        SourceTooLarge,
        `source size limit exceeded: ${bytesOf(issue.input as T)} bytes, at most ${LIMITS.sourceBytes}`,
      ),
  );
}

/** Bytes of a source and its files together. */
export function programBytes(source: string, files: Record<string, string> | null): number {
  let bytes = Buffer.byteLength(source);
  for (const content of Object.values(files ?? {})) bytes += Buffer.byteLength(content);
  return bytes;
}

/** Multi-file `files` by the execution core's rules; a refusal is the spec's 400/1003. */
export function fileRules<T>(filesOf: (value: T) => Record<string, string> | null) {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    const files = filesOf(dataset.value as T);
    const refused = files && fileRulesRefusal(files);
    if (refused) addIssue({ message: refused });
  });
}

function fileRulesRefusal(files: Record<string, string>): Failure | null {
  try {
    validateFiles(files);
    return null;
  } catch (err) {
    if (err instanceof FilesError)
      return failure(CreationFailed, `creation failed: ${err.message}`);
    throw err;
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

/** The `compiler` of a submission: the names it was made with. */
export function submissionCompiler(
  id: number,
  name: string,
  versionId: number,
  versionName: string,
): SubmissionCompiler {
  return { id, name, version: { id: versionId, name: versionName } };
}

/** A result's time, memory and signal, as the specs answer them: null while still executing. */
export interface ResultFigures {
  time: number | null;
  memory: number | null;
  signal: number | null;
}

/** The figures of a result from its stored row: none (nulls) while it is executing. */
export function resultFigures(executing: boolean, row: ResultFigures): ResultFigures {
  return executing
    ? { time: null, memory: null, signal: null }
    : { time: row.time, memory: row.memory, signal: row.signal };
}

/** `yyyy-mm-dd hh:mm:ss +00:00` (server time, UTC), as the specs' `date` fields. */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' +00:00';
}
