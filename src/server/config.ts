import { readFile } from 'node:fs/promises';
import * as v from 'valibot';
import type { DisplayOptions, SessionAction, WidgetMode } from '../shared/v1.js';
import type { Endpoint, ModuleName } from '../upstream/index.js';
import { required } from '../shared/schema.js';
import { defaultConfigJson } from './default-config.js';

/** Per-minute allowances, counted separately per subject (session `sub`) and per client IP. */
export interface PerMinute {
  subject: number;
  ip: number;
}

/** Caps of a widget. A host-signed token may tighten them, never loosen them. */
export interface WidgetLimits {
  /** bytes of source code (UTF-8) */
  sourceBytes: number;
  /** bytes of program input (UTF-8) */
  inputBytes: number;
  runsPerMinute: PerMinute;
  submissionsPerMinute: PerMinute;
  /** runs and submissions of one subject executing at once */
  concurrentRuns: number;
  /** bytes of each stream (output, error, compiler messages) shown inline */
  streamBytes: number;
  /** time limit passed to the Compilers API, seconds (unset: the upstream's default) */
  timeLimitSec: number | null;
}

/** What a workspace widget (`mode: "workspace"`) lets a learner do with its project. */
export interface WorkspacePolicy {
  /** the Containers project: its name or id */
  project: string;
  /** the scenarios the widget offers (its buttons), or null for every scenario of the project */
  scenarios: string[] | null;
  /** whether the learner may open a terminal (only on the embedded engine) */
  terminal: boolean;
  /** paths (relative, a folder covers what is under it) the learner never sees */
  hidden: string[];
  /** paths the learner may read but not change, beyond the project's own read-only files */
  readOnly: string[];
  /** the largest file the learner may write, bytes */
  fileBytes: number;
  /** scenario runs per minute, per subject and per client IP */
  runsPerMinute: PerMinute;
  /** terminals of one subject open at once */
  terminals: number;
}

export interface WidgetConfig {
  id: string;
  /**
   * the hosted service's widget hash this widget stands in for: pages written for the hosted JS
   * SDK (`data-widget="HASH"`) reach this widget by it; null when none
   */
  hash: string | null;
  mode: WidgetMode;
  /** a workspace widget's project and policy; null for the other modes */
  workspace: WorkspacePolicy | null;
  /** problem id or code; required for public problem widgets, otherwise the token may name it */
  problem: number | string | null;
  /** compiler ids the widget allows, or null for every compiler of the upstream */
  compilers: number[] | null;
  defaultCompiler: number | null;
  display: DisplayOptions;
  /** exact page origins (`https://lms.example.org`), or `"self"` for the backend's own origin */
  origins: string[];
  /** true: anyone on an allowed origin may get an anonymous session; false: host-signed tokens only */
  public: boolean;
  actions: SessionAction[];
  limits: WidgetLimits;
}

export interface SessionSettings {
  issuer: string;
  audience: string;
  /** lifetime of the tokens this backend mints (at most 900) */
  ttlSeconds: number;
  /** how long refreshes may extend one session, counted from its first token */
  maxLifetimeSeconds: number;
  /** session minting and refreshing, per subject and per IP */
  perMinute: PerMinute;
}

export interface UpstreamSettings {
  endpoints: Partial<Record<ModuleName, Endpoint>>;
  /** per-request timeout (ms) */
  timeoutMs: number;
  retries: number;
  /** HMAC secret of the webhooks the upstream sends to `/webhooks/sphere-engine` */
  webhookSecret: string | null;
}

export interface BackendConfig {
  widgets: Map<string, WidgetConfig>;
  sessions: SessionSettings;
  upstream: UpstreamSettings;
  /** the backend's public URL (behind a proxy); `"self"` origins resolve to its origin */
  publicUrl: string | null;
  /** take the client IP from the last `X-Forwarded-For` entry (only behind a trusted proxy) */
  trustProxy: boolean;
}

/** A mistake in a configuration file: the message names the field. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const defaultLimits: WidgetLimits = {
  sourceBytes: 64 * 1024,
  inputBytes: 64 * 1024,
  runsPerMinute: { subject: 10, ip: 60 },
  submissionsPerMinute: { subject: 5, ip: 30 },
  concurrentRuns: 2,
  streamBytes: 64 * 1024,
  timeLimitSec: null,
};

const defaultDisplay: DisplayOptions = {
  perTestResults: false,
  output: true,
  expectedVsGot: false,
};

// --- the file's schema. Each message is what follows the field's name in the error (" must be
// ..." or ": ..."); `explain` puts the name in front, from the issue's path.

type Json = Record<string, unknown>;

const isObject = (x: unknown): x is Json =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

const MAX = Number.MAX_SAFE_INTEGER;

function wholeNumber(min: number, max = MAX) {
  const m = ` must be a whole number between ${min} and ${max}`;
  return v.pipe(v.number(m), v.integer(m), v.minValue(min, m), v.maxValue(max, m));
}

const bool = v.boolean(' must be true or false');

const text = v.pipe(
  v.string(' must be a non-empty string'),
  v.minLength(1, ' must be a non-empty string'),
);

/** An object with only these fields (each may be left out unless its schema says). */
function fields<const E extends v.ObjectEntries>(entries: E, notObject: string) {
  const keys = Object.keys(entries);
  const unknownField = (o: Json) => Object.keys(o).find((k) => !keys.includes(k));
  return v.pipe(
    v.custom<Json>(isObject, notObject),
    v.check(
      (o: Json) => unknownField(o) === undefined,
      (issue) => `: unknown field '${unknownField(issue.input as Json)}'`,
    ),
    v.object(entries),
    // for the JSON Schema (npm run schemas), which cannot read the check above
    v.metadata({ additionalProperties: false }),
  );
}

const perMinute = fields(
  { subject: v.optional(wholeNumber(1)), ip: v.optional(wholeNumber(1)) },
  ' must be an object {subject, ip}',
);

/** Limits as given: the fields left out come from the base they refine. */
const limits = fields(
  {
    sourceBytes: v.optional(wholeNumber(1, 16 * 1024 * 1024)),
    inputBytes: v.optional(wholeNumber(0, 16 * 1024 * 1024)),
    runsPerMinute: v.optional(perMinute),
    submissionsPerMinute: v.optional(perMinute),
    concurrentRuns: v.optional(wholeNumber(1, 1000)),
    streamBytes: v.optional(wholeNumber(1, 16 * 1024 * 1024)),
    timeLimitSec: v.nullish(wholeNumber(1, 60)),
  } satisfies Record<keyof WidgetLimits, v.GenericSchema>,
  ' must be an object',
);
type LimitsInput = v.InferOutput<typeof limits>;

function refine(base: WidgetLimits, given: LimitsInput | undefined): WidgetLimits {
  if (!given) return base;
  const per = (b: PerMinute, g: Partial<PerMinute> | undefined): PerMinute => ({
    subject: g?.subject ?? b.subject,
    ip: g?.ip ?? b.ip,
  });
  return {
    sourceBytes: given.sourceBytes ?? base.sourceBytes,
    inputBytes: given.inputBytes ?? base.inputBytes,
    runsPerMinute: per(base.runsPerMinute, given.runsPerMinute),
    submissionsPerMinute: per(base.submissionsPerMinute, given.submissionsPerMinute),
    concurrentRuns: given.concurrentRuns ?? base.concurrentRuns,
    streamBytes: given.streamBytes ?? base.streamBytes,
    timeLimitSec: given.timeLimitSec ?? base.timeLimitSec,
  };
}

const origin = v.pipe(
  text,
  v.check(
    (s: string) => s === 'self' || URL.canParse(s),
    (issue) => `: '${String(issue.input)}' is not an origin (e.g. https://lms.example.org)`,
  ),
  v.check(
    (s: string) => {
      if (s === 'self') return true;
      const u = new URL(s);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === s;
    },
    (issue) =>
      `: '${String(issue.input)}' is not an exact origin (scheme://host[:port], no path, no trailing slash)`,
  ),
);

const WIDGET_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const modeWrong = ' must be "run", "problem" or "workspace"';
const PATH_RE = /^(?!\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[^\0]{1,1024}$/;
const relPath = v.pipe(
  text,
  v.check((s: string) => PATH_RE.test(s), ' must be a relative path without . or .. parts'),
);
const paths = v.array(relPath, ' must be a list of relative paths');
const workspacePolicy = fields(
  {
    project: required(' must be a non-empty string (the project name or id)', text, 'value'),
    scenarios: v.optional(
      v.pipe(
        v.array(text, ' must be a list of scenario names'),
        v.minLength(1, ' must not be empty'),
      ),
    ),
    terminal: v.optional(bool),
    hidden: v.optional(paths),
    readOnly: v.optional(paths),
    fileBytes: v.optional(wholeNumber(1, 16 * 1024 * 1024)),
    runsPerMinute: v.optional(perMinute),
    terminals: v.optional(wholeNumber(1, 10)),
  },
  ' must be an object {project, scenarios?, terminal?, hidden?, readOnly?, ...}',
);
const compilersWrong = ' must be "all" or a non-empty list of compiler ids';
const originsWrong = ' must be a list (exact origins or "self")';

const widget = v.pipe(
  fields(
    {
      id: required(
        ' must be a non-empty string',
        v.pipe(text, v.regex(WIDGET_ID, " must be letters, digits, '.', '_' or '-' (64 at most)")),
        'value',
      ),
      hash: v.optional(
        v.pipe(text, v.regex(WIDGET_ID, " must be letters, digits, '.', '_' or '-' (64 at most)")),
      ),
      mode: required(modeWrong, v.picklist(['run', 'problem', 'workspace'], modeWrong), 'value'),
      workspace: v.optional(workspacePolicy),
      problem: v.nullish(v.union([wholeNumber(1), text], ' must be a non-empty string')),
      public: v.optional(bool),
      compilers: v.optional(
        v.pipe(
          v.custom<'all' | unknown[]>(
            (x) => x === 'all' || (Array.isArray(x) && x.length > 0),
            compilersWrong,
          ),
          // "all" is every compiler: null
          v.transform((x) => (x === 'all' ? null : x)),
          v.nullable(v.array(wholeNumber(1))),
          v.metadata({
            anyOf: [
              { const: 'all' },
              { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1 } },
            ],
          }),
        ),
      ),
      defaultCompiler: v.nullish(wholeNumber(1)),
      display: v.optional(
        fields(
          {
            perTestResults: v.optional(bool),
            output: v.optional(bool),
            expectedVsGot: v.optional(bool),
          },
          ' must be an object',
        ),
      ),
      origins: required(originsWrong, v.array(origin, originsWrong), 'value'),
      actions: v.optional(
        v.pipe(
          v.array(v.unknown(), ' must be a list'),
          v.metadata({ items: { enum: ['run', 'submit', 'workspace'] } }),
        ),
      ),
      limits: v.optional(limits),
    },
    ' must be an object',
  ),
  v.check(
    (w) => !(w.mode === 'problem' && w.problem == null && w.public === true),
    ': a public problem widget needs a problem',
  ),
  v.check((w) => !(w.mode === 'run' && w.problem != null), ': a run widget has no problem'),
  v.check(
    (w) => (w.mode === 'workspace') === (w.workspace !== undefined),
    (issue) =>
      (issue.input as { mode: string }).mode === 'workspace'
        ? ': a workspace widget needs "workspace": {"project": ...}'
        : ': only a workspace widget has "workspace"',
  ),
  v.check(
    (w) => !(w.mode === 'workspace' && w.problem != null),
    ': a workspace widget has no problem',
  ),
  v.check(
    (w) => w.defaultCompiler == null || !w.compilers || w.compilers.includes(w.defaultCompiler),
    (issue) =>
      `: defaultCompiler ${(issue.input as { defaultCompiler: number }).defaultCompiler} is not in compilers`,
  ),
  v.check(
    (w) => badAction(w) === undefined,
    (issue) => {
      const w = issue.input as { mode: WidgetMode; actions?: unknown[] };
      const allowed = allActions(w.mode)
        .map((x) => `"${x}"`)
        .join(', ');
      return `: actions[${badAction(w)}] must be one of ${allowed}`;
    },
  ),
);

const allActions = (mode: WidgetMode): SessionAction[] =>
  mode === 'run' ? ['run'] : mode === 'workspace' ? ['workspace'] : ['run', 'submit'];

function badAction(w: { mode: WidgetMode; actions?: unknown[] }): number | undefined {
  const i = (w.actions ?? []).findIndex((a) => !allActions(w.mode).includes(a as SessionAction));
  return i === -1 ? undefined : i;
}

const endpoint = fields(
  {
    url: required(
      ' must be a non-empty string',
      v.pipe(
        text,
        v.check((s: string) => URL.canParse(s), ' is not a URL'),
      ),
      'value',
    ),
    token: required(' must be a non-empty string', text, 'value'),
  },
  ' must be an object {url, token}',
);

export const configFile = fields(
  {
    widgets: v.optional(v.array(widget, ' must be a list'), () => [...defaultConfigJson.widgets]),
    limits: v.optional(limits),
    sessions: v.optional(
      fields(
        {
          issuer: v.optional(text),
          audience: v.optional(text),
          ttlSeconds: v.optional(wholeNumber(30, 900)),
          maxLifetimeSeconds: v.optional(wholeNumber(60, 7 * 24 * 3600)),
          perMinute: v.optional(perMinute),
        },
        ' must be an object',
      ),
    ),
    upstream: v.optional(
      fields(
        {
          compilers: v.nullish(endpoint),
          problems: v.nullish(endpoint),
          containers: v.nullish(endpoint),
          timeoutMs: v.optional(wholeNumber(50, 120000)),
          retries: v.optional(wholeNumber(0, 5)),
          webhookSecret: v.nullish(text),
        },
        ' must be an object',
      ),
    ),
    publicUrl: v.nullish(
      v.pipe(
        text,
        v.check((s: string) => URL.canParse(s), ' is not a URL'),
      ),
    ),
    trustProxy: v.optional(bool),
    $schema: v.optional(v.unknown()),
  },
  ' must be a JSON object',
);

/** A configuration file's fields, as written (before defaults). */
export type ConfigFile = v.InferInput<typeof configFile>;

/**
 * The error for an issue: the field's name from the issue's path (`sessions.ttlSeconds`,
 * `widget 'quiz-7': limits.sourceBytes`; a widget is named by its id once the id is valid),
 * then the issue's message.
 */
function explain(issue: v.BaseIssue<unknown>): string {
  const path = issue.path ?? [];
  if (path.length === 0) {
    return issue.message.startsWith(':')
      ? `config${issue.message}`
      : `the configuration${issue.message}`;
  }
  let where = '';
  let afterWidget = false;
  path.forEach((item, i) => {
    const key = item.key as string | number;
    if (typeof key === 'number') where += `[${key}]`;
    else if (afterWidget) where += `: ${key}`;
    else where += where ? `.${key}` : key;
    afterWidget = false;
    const w = item.value;
    // Past a widget whose id is valid, the widget is named by its id (its own unknown fields and
    // id keep the index: the id may be what is wrong).
    if (
      i === 1 &&
      path[0]!.key === 'widgets' &&
      isObject(w) &&
      typeof w.id === 'string' &&
      WIDGET_ID.test(w.id) &&
      path[2]?.key !== 'id' &&
      !(path.length === 2 && issue.message.startsWith(': unknown field'))
    ) {
      where = `widget '${w.id}'`;
      afterWidget = true;
    }
  });
  return where + issue.message;
}

/**
 * Validates a configuration object (the parsed JSON of a `--config` file). Fields left out take
 * their defaults; `widgets` replaces the default widgets when given.
 */
export function parseConfig(raw: unknown): BackendConfig {
  const parsed = v.safeParse(configFile, raw, { abortEarly: true });
  if (!parsed.success) throw new ConfigError(explain(parsed.issues[0]));
  const c = parsed.output;
  const base = refine(defaultLimits, c.limits);
  const widgets = new Map<string, WidgetConfig>();
  for (const w of c.widgets) {
    if (widgets.has(w.id)) throw new ConfigError(`widget '${w.id}' is declared twice`);
    widgets.set(w.id, {
      id: w.id,
      hash: w.hash ?? null,
      mode: w.mode,
      workspace: w.workspace
        ? {
            project: w.workspace.project,
            scenarios: w.workspace.scenarios ?? null,
            terminal: w.workspace.terminal ?? false,
            hidden: w.workspace.hidden ?? [],
            readOnly: w.workspace.readOnly ?? [],
            fileBytes: w.workspace.fileBytes ?? 1024 * 1024,
            runsPerMinute: {
              subject: w.workspace.runsPerMinute?.subject ?? 10,
              ip: w.workspace.runsPerMinute?.ip ?? 60,
            },
            terminals: w.workspace.terminals ?? 3,
          }
        : null,
      problem: w.problem ?? null,
      compilers: w.compilers ?? null,
      defaultCompiler: w.defaultCompiler ?? null,
      display: { ...defaultDisplay, ...w.display },
      origins: w.origins,
      public: w.public ?? false,
      actions: (w.actions as SessionAction[] | undefined) ?? allActions(w.mode),
      limits: refine(base, w.limits),
    });
  }
  const ids = new Set(widgets.keys());
  const hashes = new Set<string>();
  for (const w of widgets.values()) {
    if (w.hash === null) continue;
    if (hashes.has(w.hash) || (ids.has(w.hash) && w.hash !== w.id))
      throw new ConfigError(`widget hash '${w.hash}' names two widgets`);
    hashes.add(w.hash);
  }
  const s = c.sessions ?? {};
  const u = c.upstream ?? {};
  const endpoints: Partial<Record<ModuleName, Endpoint>> = {};
  for (const m of ['compilers', 'problems', 'containers'] as const) {
    const e = u[m];
    if (e) endpoints[m] = { url: e.url, token: e.token };
  }
  return {
    widgets,
    sessions: {
      issuer: s.issuer ?? 'se-widgets',
      audience: s.audience ?? 'se-widgets/v1',
      ttlSeconds: s.ttlSeconds ?? 600,
      maxLifetimeSeconds: s.maxLifetimeSeconds ?? 8 * 3600,
      perMinute: {
        subject: s.perMinute?.subject ?? 10,
        ip: s.perMinute?.ip ?? 30,
      },
    },
    upstream: {
      endpoints,
      timeoutMs: u.timeoutMs ?? 10000,
      retries: u.retries ?? 2,
      webhookSecret: u.webhookSecret ?? null,
    },
    publicUrl: c.publicUrl == null ? null : new URL(c.publicUrl).origin,
    trustProxy: c.trustProxy ?? false,
  };
}

/** The built-in configuration: the demo widgets `run-demo` and `problem-demo`. */
export function defaultConfig(): BackendConfig {
  return parseConfig(defaultConfigJson);
}

/** Reads and validates a JSON configuration file. */
export async function loadConfig(file: string): Promise<BackendConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ConfigError(`cannot read the configuration file ${file}${code ? ` (${code})` : ''}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // The parser's message may quote the file, and the file may hold access tokens.
    const at = /position (\d+)/.exec(err instanceof Error ? err.message : '');
    throw new ConfigError(`${file} is not valid JSON${at ? ` (at byte ${at[1]})` : ''}`);
  }
  try {
    return parseConfig(json);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${file}: ${err.message}`);
    throw err;
  }
}

/**
 * The widget a page names: by its id, or by its `hash` (the hosted service's widget hash, for
 * pages written for the hosted JS SDK); undefined when none matches.
 */
export function findWidget(c: BackendConfig, idOrHash: string): WidgetConfig | undefined {
  const byId = c.widgets.get(idOrHash);
  if (byId) return byId;
  for (const w of c.widgets.values()) if (w.hash === idOrHash) return w;
  return undefined;
}
