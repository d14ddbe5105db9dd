/**
 * The parameters of the Compilers API's methods (spec/compilers-api-v4.txt, "Request
 * parameters"), as schemas; each failure carries the spec's error code (see ../http/params.ts).
 */
import * as v from 'valibot';
import {
  archivedSource,
  compilerParams,
  fileRules,
  idsQuery,
  programBytes,
  sourceSize,
} from '../api-common.js';
import type { LanguageInfo } from '../exec/types.js';
import { withBody, check, decimal, failure, optional, raw, text } from '../http/params.js';
import { LIMITS } from '../limits.js';
import { CompilersError as E } from './errors.js';

/** Most ids `GET /submissions?ids=` takes. */
export const MAX_IDS = 20;

/** `GET /submissions?ids=` */
export const listParams = idsQuery(MAX_IDS);

/** Compiler ids and versions as text: unsigned digits. */
const ID = /^\s*\d{1,9}\s*$/;
/** Limits as text: an unsigned decimal. */
const NUMBER = /^\s*\d+(\.\d+)?\s*$/;

const notText = failure(E.CreationFailed, 'creation failed: input must be text');

/** `files` of multi-file mode: file name to content; null when none are given. */
const files = v.pipe(
  v.custom<Record<string, unknown>>(
    (x) => typeof x === 'object' && x !== null && !Array.isArray(x),
    failure(E.CreationFailed, 'creation failed: files must map file names to contents'),
  ),
  check(
    (f) => Object.keys(f).length <= LIMITS.files,
    failure(E.CreationFailed, `creation failed: more than ${LIMITS.files} files`),
  ),
  check(
    (f) => firstNotText(f) === undefined,
    (issue) =>
      failure(
        E.CreationFailed,
        `creation failed: the content of '${firstNotText(issue.input as Record<string, unknown>)}' is not text`,
      ),
  ),
  v.transform((f) => {
    if (Object.keys(f).length === 0) return null;
    return Object.assign(Object.create(null) as Record<string, string>, f);
  }),
);

function firstNotText(f: Record<string, unknown>): string | undefined {
  return Object.keys(f).find((name) => typeof f[name] !== 'string');
}

/** The program of a submission, once its parameters are read. */
interface Program {
  language: LanguageInfo;
  version: { id: number; name: string };
  files: Record<string, string> | null;
  source: string;
}

/**
 * The program: compiler, version, then the source (a text, a tar.gz upload, or multi-file
 * `files`), with the checks that read them together.
 */
function program(languages: Map<number, LanguageInfo>) {
  return v.pipe(
    withBody(E.CreationFailed, { groups: ['compiler', 'archive'] }),
    v.object({
      compiler: compilerParams(languages, {
        pattern: ID,
        defaultVersion: (l) => l.versions.find((x) => x.id === l.defaultVersionId) ?? l.versions[0],
        versionNotFound: () => failure(E.VersionNotFound, 'compiler version not found'),
      }),
      archive: archivedSource,
      files: optional(files, null),
      source: raw('value'),
    }),
    v.transform(({ compiler, archive, files, source }): Program => ({
      language: compiler!.language,
      version: compiler!.version,
      files: archive ?? files,
      // a tar.gz upload is the whole program; a source that is not text is none
      source: !archive && typeof source === 'string' ? source : '',
    })),
    check(
      (p) => !p.files || p.language.multiFile,
      (issue) =>
        failure(
          E.MultiFileNotSupported,
          `compiler not supported for multi-files submissions: ${(issue.input as Program).language.name}`,
        ),
    ),
    check((p) => p.source !== '' || !!p.files, failure(E.SourceNotProvided, 'source not provided')),
    sourceSize((p: Program) => programBytes(p.source, p.files)),
    fileRules((p: Program) => p.files),
  );
}

/**
 * `POST /submissions`, checked in this order: compiler, version, multi-file support, source,
 * sizes, limits.
 */
export function createParams(languages: Map<number, LanguageInfo>) {
  const t = LIMITS.timeSec;
  const m = LIMITS.memoryKb;
  const timeOut = failure(
    E.TimeLimitOutOfRange,
    `time limit out of range: give seconds from ${t.min} to ${t.max}`,
  );
  const memoryOut = failure(
    E.MemoryLimitOutOfRange,
    `memory limit out of range: give kilobytes from ${m.min} to ${m.max}`,
  );
  return v.pipe(
    withBody(E.CreationFailed, { groups: ['program'] }),
    v.object({
      program: program(languages),
      input: optional(
        v.pipe(
          text(notText),
          check(
            (s) => Buffer.byteLength(s) <= LIMITS.inputBytes,
            (issue) =>
              failure(
                E.InputTooLarge,
                `input size limit exceeded: ${Buffer.byteLength(issue.input as string)} bytes, at most ${LIMITS.inputBytes}`,
              ),
          ),
        ),
        '',
        'value',
      ),
      timeLimit: optional(
        v.pipe(decimal(timeOut, NUMBER), v.minValue(t.min, timeOut), v.maxValue(t.max, timeOut)),
        t.default,
      ),
      memoryLimit: optional(
        v.pipe(
          decimal(memoryOut, NUMBER),
          v.minValue(m.min, memoryOut),
          v.maxValue(m.max, memoryOut),
        ),
        m.default,
      ),
    }),
    v.transform(({ program: p, input, timeLimit, memoryLimit }) => ({
      language: p.language,
      version: p.version,
      source: p.source,
      input,
      // In multi-file mode a non-empty `source` is one of the files, under the language's
      // single-file name (e.g. `prog.cpp`) unless `files` already has that name.
      files:
        p.files && p.source !== '' && !(p.language.sourceFile in p.files)
          ? { [p.language.sourceFile]: p.source, ...p.files }
          : p.files,
      timeLimitSec: timeLimit,
      memoryLimitKb: Math.floor(memoryLimit),
    })),
  );
}

/** A validated `POST /submissions`. */
export type CreateRequest = v.InferOutput<ReturnType<typeof createParams>>;
