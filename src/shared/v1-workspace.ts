/**
 * The `/v1` API of workspace widgets (`<se-workspace>`): a session of a widget whose mode is
 * `workspace` has one workspace of its own (per widget and subject), created on first use from the
 * widget's project and kept. Bodies and answers are schemas (valibot), as in v1.ts.
 *
 * - `POST /v1/workspace`: opens it (creates, or resumes a stopped one) → `V1Workspace`
 * - `GET /v1/workspace/file?path=P` → `V1File`; `PUT /v1/workspace/file` `{path, content}` → `V1File`
 * - `POST /v1/workspace/runs` `{scenario?}` → `{id}`; `GET /v1/workspace/runs/:id` → `V1ScenarioResult`
 * - `GET /v1/workspace/runs/:id/events` → server-sent events, as `/v1/runs/:id/events`: `status`
 *   (`V1ScenarioStatusEvent`) on each change, one `stage` (`V1ScenarioStageEvent`) per stage once
 *   known, then `result` (`V1ScenarioResult`) and the end; `error` (`V1Error`) when it fails
 * - `POST /v1/workspace/files` `{path, type: 'file' | 'dir'}` → 201 `V1FileEntry` (creates an empty
 *   file or a folder; its parent must exist; 409 `conflict` when the path exists)
 * - `POST /v1/workspace/rename` `{from, to}` → `V1FileEntry` (a file or a folder; `to`'s parent must
 *   exist; 409 when `to` exists)
 * - `DELETE /v1/workspace/file?path=P` → 204 (a file, or a folder with what is in it)
 * - `POST /v1/workspace/reset` `{path?}` → `V1Workspace` (one file, or the whole workspace, back to
 *   the project's template; the rest of the tree is kept when a path is given)
 * - `POST /v1/workspace/terminal` `{terminal?}` → `V1TerminalTicket`, then a WebSocket on the
 *   ticket's `path` (`/v1/terminal?widget=ID`) whose first frame (HELLO, terminal.ts) carries the
 *   ticket
 *
 * Paths are relative to the workspace folder, `/`-separated, without `.` or `..` parts. Hidden
 * paths answer 404, read-only ones 403 to every change.
 */
import * as v from 'valibot';
import { optional, required } from './schema.js';

const needed = (key: string) => `'${key}' is required.`;
const string = (key: string) => v.string(`'${key}' must be a string.`);

/** `PUT /v1/workspace/file` body. */
export const WriteFileBody = v.object({
  path: required(needed('path'), string('path'), 'value'),
  content: required(needed('content'), string('content'), 'value'),
  /**
   * the `version` of the file this edit started from (from `V1File`); a file changed since then
   * is not overwritten (409 `conflict`). Absent: written whatever is there.
   */
  baseVersion: optional(string('baseVersion'), undefined, 'value'),
});

/** `POST /v1/workspace/files` body. */
export const CreateFileBody = v.object({
  path: required(needed('path'), string('path'), 'value'),
  type: optional(v.picklist(['file', 'dir'], '\'type\' must be "file" or "dir".'), 'file', 'value'),
});

/** `POST /v1/workspace/rename` body. */
export const RenameBody = v.object({
  from: required(needed('from'), string('from'), 'value'),
  to: required(needed('to'), string('to'), 'value'),
});

/** `POST /v1/workspace/reset` body. */
export const ResetBody = v.object({
  /** one file or folder to reset; absent: the whole workspace */
  path: optional(string('path'), undefined, 'value'),
});

/** `POST /v1/workspace/runs` body. */
export const RunScenarioBody = v.object({
  /** a scenario the widget offers (default: the first it offers) */
  scenario: optional(string('scenario'), undefined, 'value'),
});

/** `POST /v1/workspace/terminal` body. */
export const TerminalTicketBody = v.object({
  /** which terminal of the workspace: `1` to `3` (default `1`) */
  terminal: optional(string('terminal'), undefined, 'value'),
});

/** A file or folder of the workspace, as the widget may see it. */
export const V1FileEntrySchema = v.object({
  /** relative to the workspace folder, `/`-separated; folders end without a slash */
  path: v.string(),
  type: v.picklist(['file', 'dir']),
  size: v.number(),
  /** the learner may not change it (the project's read-only files and the widget's) */
  readOnly: v.boolean(),
});
export type V1FileEntry = v.InferOutput<typeof V1FileEntrySchema>;

export const V1ScenarioSchema = v.object({ name: v.string(), default: v.boolean() });

/** `POST /v1/workspace`. */
export const V1WorkspaceSchema = v.object({
  /** `running` once open */
  state: v.string(),
  files: v.array(V1FileEntrySchema),
  /** true when the tree was cut at the listing caps */
  truncated: v.boolean(),
  /** the scenarios the widget offers, the default first */
  scenarios: v.array(V1ScenarioSchema),
  /** whether this session may open a terminal (never on a hosted upstream) */
  terminal: v.boolean(),
  /** why not, when `terminal` is false and the widget asked for one */
  terminalUnavailable: v.nullable(v.string()),
});
export type V1Workspace = v.InferOutput<typeof V1WorkspaceSchema>;

/** `GET` and `PUT /v1/workspace/file`. */
export const V1FileSchema = v.object({
  path: v.string(),
  content: v.string(),
  /** changes whenever the file's content does (a hash of it) */
  version: v.string(),
  readOnly: v.boolean(),
});
export type V1File = v.InferOutput<typeof V1FileSchema>;

export const V1StageSchema = v.object({
  name: v.picklist(['init', 'build', 'run', 'test', 'post']),
  skipped: v.boolean(),
  time: v.number(),
  exitCode: v.nullable(v.number()),
  /** the status this stage decided, if it did */
  statusChangedTo: v.nullable(v.object({ code: v.number(), name: v.string() })),
  output: v.string(),
  error: v.string(),
});

export const V1TestCaseSchema = v.object({
  name: v.string(),
  classname: v.string(),
  status: v.picklist(['ok', 'failure', 'error']),
  time: v.number(),
  message: v.string(),
});
export type V1TestCase = v.InferOutput<typeof V1TestCaseSchema>;

/** `GET /v1/workspace/runs/:id`. */
export const V1ScenarioResultSchema = v.object({
  id: v.string(),
  scenario: v.string(),
  executing: v.boolean(),
  status: v.object({ code: v.number(), name: v.string() }),
  score: v.number(),
  time: v.number(),
  stages: v.array(V1StageSchema),
  /** the tests report, or null when the scenario has no test stage or it wrote none */
  tests: v.nullable(v.array(V1TestCaseSchema)),
});
export type V1ScenarioResult = v.InferOutput<typeof V1ScenarioResultSchema>;

/** `status` event of `GET /v1/workspace/runs/:id/events`: the run's status changed. */
export const V1ScenarioStatusEventSchema = v.object({
  id: v.string(),
  executing: v.boolean(),
  status: v.object({ code: v.number(), name: v.string() }),
});
export type V1ScenarioStatusEvent = v.InferOutput<typeof V1ScenarioStatusEventSchema>;

/** `stage` event of `GET /v1/workspace/runs/:id/events`: a stage's outcome and streams. */
export const V1ScenarioStageEventSchema = v.object({
  id: v.string(),
  scenario: v.string(),
  stage: V1StageSchema,
});
export type V1ScenarioStageEvent = v.InferOutput<typeof V1ScenarioStageEventSchema>;

/** `POST /v1/workspace/terminal`. */
export const V1TerminalTicketSchema = v.object({
  /** one-time: send it in the first frame of the WebSocket, within `expiresIn` seconds */
  ticket: v.string(),
  /** the WebSocket's path on the backend */
  path: v.string(),
  expiresIn: v.number(),
});
export type V1TerminalTicket = v.InferOutput<typeof V1TerminalTicketSchema>;
