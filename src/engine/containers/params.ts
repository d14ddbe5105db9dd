/**
 * The parameters of the Containers API's methods (spec/containers-api-v1.1.txt, "Request
 * parameters"), as schemas; each failure carries the spec's error code (see ../http/params.ts).
 *
 * Files (`files`, `source`, `filedata`) come as multipart file parts; a JSON or form body, which
 * cannot carry a file part, may give a tar.gz as base64 text, and `filedata` as the file's text.
 */
import * as v from 'valibot';
import { InvalidText, UploadedArchive, type Body } from '../http/body.js';
import {
  body,
  bool,
  check,
  failure,
  int,
  optional,
  required,
  text,
  withBody,
  type Failure,
} from '../http/params.js';
import { ContainersError as E } from './errors.js';

const invalid = (message: string): Failure => failure(E.InvalidRequestData, message);

/** A `limit` query parameter: an integer in [1, max], `fallback` when absent. */
function limit(max: number, fallback: number) {
  const wrong = invalid(`invalid request data: limit must be an integer from 1 to ${max}`);
  return optional(
    v.pipe(
      int(wrong),
      check((n: number) => n >= 1 && n <= max, wrong),
    ),
    fallback,
  );
}

/** `page_token`: base64 of an offset, as the spec's examples give them (`MTA=` is 10). */
const pageToken = optional(
  v.pipe(
    v.string(),
    v.rawTransform<string, number>(({ dataset, addIssue, NEVER }) => {
      const t = dataset.value;
      const decoded = /^[A-Za-z0-9+/_-]+={0,2}$/.test(t) ? Buffer.from(t, 'base64').toString() : '';
      if (!/^\d{1,9}$/.test(decoded)) {
        addIssue({ message: invalid('invalid request data: page_token is not one this API gave') });
        return NEVER;
      }
      return Number(decoded);
    }),
  ),
  0,
);

/** The page token of `offset`. */
export const tokenOf = (offset: number): string => Buffer.from(String(offset)).toString('base64');

/** `GET /projects` */
export const projectListParams = v.object({ limit: limit(20, 10), page_token: pageToken });

/** `GET /workspaces` (`states` is read from the repeated `states[]` by the router) */
export const workspaceListParams = v.object({
  project_id: optional(text(invalid('invalid request data: project_id must be text')), null),
  limit: limit(30, 10),
  page_token: pageToken,
  states: v.pipe(
    v.array(v.string()),
    check(
      (xs: string[]) => xs.every((x) => /^[1-5]$/.test(x)),
      invalid('invalid request data: states are workspace state codes 1 to 5'),
    ),
    v.transform((xs: string[]) => [...new Set(xs.map(Number))]),
  ),
});

/** `GET /submissions` */
export const submissionListParams = v.object({
  ids: optional(
    v.pipe(
      v.string(),
      v.transform((s: string) =>
        s
          .split(',')
          .map((p) => p.trim())
          .filter((p) => p !== ''),
      ),
      check(
        (parts: string[]) => parts.every((p) => /^\d{1,15}$/.test(p)),
        failure(E.IdsInvalid, 'invalid format of identifiers: give integers separated by commas'),
      ),
      v.transform((parts: string[]) => [...new Set(parts.map(Number))]),
      check(
        (ids: number[]) => ids.length <= 20,
        failure(E.IdsTooMany, 'maximum number of identifiers exceeded: at most 20'),
      ),
    ),
    null,
  ),
  limit: limit(20, 20),
  page_token: pageToken,
});

/** A tar.gz in a file part, or as base64 text (JSON, form). */
function archive(name: string, code: number) {
  return v.pipe(
    v.unknown(),
    v.rawTransform<unknown, Buffer>(({ dataset, addIssue, NEVER }) => {
      const x = dataset.value;
      if (x instanceof UploadedArchive) return x.data;
      if (typeof x === 'string' && /^[A-Za-z0-9+/\s]+={0,2}\s*$/.test(x))
        return Buffer.from(x, 'base64');
      addIssue({
        message: failure(
          code,
          `${name} must be a tar.gz file (a multipart file part, or base64 text in JSON or a form)`,
        ),
      });
      return NEVER;
    }),
  );
}

const minutes = (name: string, min: number, max: number, fallback: number) => {
  const wrong = invalid(`invalid request data: ${name} must be an integer from ${min} to ${max}`);
  return optional(
    v.pipe(
      int(wrong),
      check((n: number) => n >= min && n <= max, wrong),
    ),
    fallback,
  );
};

/** A required text parameter (400 / 10 when missing or not text). */
const requiredText = (name: string) =>
  required(
    invalid(`invalid request data: ${name} is not provided`),
    text(invalid(`invalid request data: ${name} must be text`)),
  );

/** An optional text parameter (null when absent); `empty` as in `optional`. */
const optionalText = (name: string, empty: 'absent' | 'value' = 'absent') =>
  optional(text(invalid(`invalid request data: ${name} must be text`)), null, empty);

const flag = (name: string, fallback: boolean) =>
  optional(bool(invalid(`invalid request data: ${name} must be true or false`)), fallback);

/** `POST /workspaces` */
export const createWorkspaceParams = v.pipe(
  withBody(E.InvalidRequestData),
  v.transform((b: Body): Body => ({
    ...b,
    // the deprecated names, when the new ones are not given
    retention_time_stopped: b.retention_time_stopped ?? b.max_inactive_storage_time,
    retention_time_total: b.retention_time_total ?? b.max_storage_time,
  })),
  v.object({
    project_id: requiredText('project_id'),
    project_config: optionalText('project_config'),
    inactivity_timeout: minutes('inactivity_timeout', 10, 60, 15),
    workspace_token_required: flag('workspace_token_required', false),
    workspace_init: optionalText('workspace_init', 'value'),
    auto_resume: flag('auto_resume', true),
    retention_time_stopped: minutes('retention_time_stopped', 0, 43200, 0),
    retention_time_total: minutes('retention_time_total', 0, 43200, 0),
    files: optional(archive('files', E.InvalidRequestData), null),
  }),
);

/** `POST /submissions` */
export const createSubmissionParams = v.pipe(
  withBody(E.CreationFailed),
  v.object({
    project_id: requiredText('project_id'),
    source: required(
      invalid('invalid request data: source (a tar.gz of a workspace/ folder) is not provided'),
      archive('source', E.InvalidRequestData),
    ),
    scenario: requiredText('scenario'),
    project_config: optionalText('project_config'),
    workspace_init: optionalText('workspace_init', 'value'),
  }),
);

/** `POST /workspaces/:id/files` (the size cap is the router's: it answers 413) */
export const uploadParams = v.pipe(
  body,
  // the file's bytes need not be text: taken as bytes before the body's text is checked
  v.transform((b: Body): Body =>
    b.filedata instanceof InvalidText
      ? { ...b, filedata: new UploadedArchive(b.filedata.bytes, '') }
      : b,
  ),
  withBody(E.FileFailed),
  v.object({
    filedata: required(
      failure(E.FiledataNotProvided, 'filedata not provided'),
      v.pipe(
        v.unknown(),
        v.rawTransform<unknown, Buffer>(({ dataset, addIssue, NEVER }) => {
          const x = dataset.value;
          if (x instanceof UploadedArchive) return x.data;
          if (typeof x === 'string') return Buffer.from(x, 'utf8');
          addIssue({
            message: failure(E.FiledataNotProvided, 'filedata must be a file part or text'),
          });
          return NEVER;
        }),
      ),
      'value',
    ),
    filepath: required(
      failure(E.FilepathNotProvided, 'filepath not provided'),
      text(failure(E.FilepathNotProvided, 'filepath must be text')),
    ),
  }),
);

/** `POST /workspaces/:id/scenarios` (an extension: a scenario run on the workspace's files) */
export const runScenarioParams = v.pipe(
  withBody(E.InvalidRequestData),
  v.object({
    scenario: optionalText('scenario'),
  }),
);

const filepath = required(
  failure(E.FilepathNotProvided, 'filepath not provided'),
  text(failure(E.FilepathNotProvided, 'filepath must be text')),
);

/** `POST /workspaces/:id/files/create` (an extension) */
export const createEntryParams = v.pipe(
  withBody(E.InvalidRequestData),
  v.object({
    filepath,
    type: optional(
      v.picklist(['file', 'dir'], invalid('invalid request data: type must be file or dir')),
      'file',
    ),
  }),
);

/** `POST /workspaces/:id/files/remove` (an extension) */
export const removeEntryParams = v.pipe(withBody(E.InvalidRequestData), v.object({ filepath }));

/** `POST /workspaces/:id/files/rename` (an extension) */
export const renameEntryParams = v.pipe(
  withBody(E.InvalidRequestData),
  v.object({
    filepath,
    target: required(
      failure(E.FilepathNotProvided, 'target not provided'),
      text(failure(E.FilepathNotProvided, 'target must be text')),
    ),
  }),
);

/** `POST /workspaces/:id/reset` (an extension) */
export const resetParams = v.pipe(
  withBody(E.InvalidRequestData),
  v.object({ filepath: optionalText('filepath') }),
);
