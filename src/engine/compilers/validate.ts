import { checkFileRules, checkSourceSize, refuseInvalidText, unpackSource } from '../api-common.js';
import type { LanguageInfo } from '../exec/types.js';
import type { Body } from '../http/body.js';
import { LIMITS } from '../limits.js';
import { badRequest, CompilersError as E } from './errors.js';

/** A validated `POST /submissions`. */
export interface CreateRequest {
  language: LanguageInfo;
  version: { id: number; name: string };
  source: string;
  input: string;
  /**
   * multi-file mode: file name to content; a non-empty `source` is one of them, under the
   * language's single-file name (e.g. `prog.cpp`) unless `files` already has that name
   */
  files: Record<string, string> | null;
  timeLimitSec: number;
  memoryLimitKb: number;
}

/** Most ids `GET /submissions?ids=` takes. */
export const MAX_IDS = 20;

/**
 * Validates the parameters of `POST /submissions` (spec table "Request parameters"), in this order:
 * compiler, version, multi-file support, source, sizes, limits. Throws the spec's 400 errors.
 */
export function parseCreate(body: Body, languages: Map<number, LanguageInfo>): CreateRequest {
  refuseInvalidText(body, E.CreationFailed);
  const compilerId = body.compilerId;
  if (compilerId === undefined || compilerId === null || compilerId === '') {
    throw badRequest(E.CompilerNotProvided, 'compiler not provided');
  }
  const language = languages.get(toInt(compilerId) ?? NaN);
  if (!language) throw badRequest(E.CompilerNotFound, 'compiler not found');

  const version = parseVersion(body.compilerVersionId, language);

  // a tar.gz upload in `source` is multi-file mode (its files checked as `files` are)
  const archived = unpackSource(body);
  const files = archived ?? parseFiles(body.files);
  if (files && !language.multiFile) {
    throw badRequest(
      E.MultiFileNotSupported,
      `compiler not supported for multi-files submissions: ${language.name}`,
    );
  }

  const source = !archived && typeof body.source === 'string' ? body.source : '';
  if (source === '' && !files) throw badRequest(E.SourceNotProvided, 'source not provided');
  let sourceBytes = Buffer.byteLength(source);
  for (const content of Object.values(files ?? {})) sourceBytes += Buffer.byteLength(content);
  checkSourceSize(sourceBytes);

  if (files) checkFileRules(files);

  const input = parseInput(body.input);
  const inputBytes = Buffer.byteLength(input);
  if (inputBytes > LIMITS.inputBytes) {
    throw badRequest(
      E.InputTooLarge,
      `input size limit exceeded: ${inputBytes} bytes, at most ${LIMITS.inputBytes}`,
    );
  }

  const t = LIMITS.timeSec;
  const timeLimitSec = inRange(body.timeLimit, t.min, t.max, t.default);
  if (timeLimitSec === null) {
    throw badRequest(
      E.TimeLimitOutOfRange,
      `time limit out of range: give seconds from ${t.min} to ${t.max}`,
    );
  }
  const m = LIMITS.memoryKb;
  const memoryLimitKb = inRange(body.memoryLimit, m.min, m.max, m.default);
  if (memoryLimitKb === null) {
    throw badRequest(
      E.MemoryLimitOutOfRange,
      `memory limit out of range: give kilobytes from ${m.min} to ${m.max}`,
    );
  }

  return {
    language,
    version,
    source,
    input,
    files:
      files && source !== '' && !(language.sourceFile in files)
        ? { [language.sourceFile]: source, ...files }
        : files,
    timeLimitSec,
    memoryLimitKb: Math.floor(memoryLimitKb),
  };
}

function parseVersion(value: unknown, language: LanguageInfo): { id: number; name: string } {
  if (value === undefined || value === null || value === '') {
    return (
      language.versions.find((v) => v.id === language.defaultVersionId) ?? language.versions[0]!
    );
  }
  const id = toInt(value);
  const version = language.versions.find((v) => v.id === id);
  if (!version) throw badRequest(E.VersionNotFound, 'compiler version not found');
  return version;
}

function parseFiles(value: unknown): Record<string, string> | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(E.CreationFailed, 'creation failed: files must map file names to contents');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return null;
  if (entries.length > LIMITS.files) {
    throw badRequest(E.CreationFailed, `creation failed: more than ${LIMITS.files} files`);
  }
  const files = Object.create(null) as Record<string, string>;
  for (const [name, content] of entries) {
    if (typeof content !== 'string') {
      throw badRequest(E.CreationFailed, `creation failed: the content of '${name}' is not text`);
    }
    files[name] = content;
  }
  return files;
}

function parseInput(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw badRequest(E.CreationFailed, 'creation failed: input must be text');
}

/** An integer given as a number or a string of digits; undefined otherwise. */
function toInt(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*\d{1,9}\s*$/.test(value)) return Number(value);
  return undefined;
}

/** A number (or numeric string) within [min, max]; `fallback` when absent; null when not. */
function inRange(value: unknown, min: number, max: number, fallback: number): number | null {
  if (value === undefined || value === null || value === '') return fallback;
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)
        ? Number(value)
        : NaN;
  return Number.isFinite(n) && n >= min && n <= max ? n : null;
}
