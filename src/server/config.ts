import { readFile } from 'node:fs/promises';
import type { DisplayOptions, SessionAction, WidgetMode } from '../shared/v1.js';
import type { Endpoint, ModuleName } from '../upstream/index.js';
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

export interface WidgetConfig {
  id: string;
  mode: WidgetMode;
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

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function int(v: unknown, where: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(`${where} must be a whole number between ${min} and ${max}`);
  }
  return v;
}

function bool(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(`${where} must be true or false`);
  return v;
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string' || v === '')
    throw new ConfigError(`${where} must be a non-empty string`);
  return v;
}

function known(obj: Json, keys: string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!keys.includes(k)) throw new ConfigError(`${where}: unknown field '${k}'`);
  }
}

function perMinute(v: unknown, base: PerMinute, where: string): PerMinute {
  if (v === undefined) return base;
  if (!isObject(v)) throw new ConfigError(`${where} must be an object {subject, ip}`);
  known(v, ['subject', 'ip'], where);
  return {
    subject: v.subject === undefined ? base.subject : int(v.subject, `${where}.subject`, 1),
    ip: v.ip === undefined ? base.ip : int(v.ip, `${where}.ip`, 1),
  };
}

function limits(v: unknown, base: WidgetLimits, where: string): WidgetLimits {
  if (v === undefined) return base;
  if (!isObject(v)) throw new ConfigError(`${where} must be an object`);
  known(v, Object.keys(defaultLimits), where);
  const n = (key: keyof WidgetLimits, min: number, max: number) =>
    v[key] === undefined ? (base[key] as number) : int(v[key], `${where}.${key}`, min, max);
  return {
    sourceBytes: n('sourceBytes', 1, 16 * 1024 * 1024),
    inputBytes: n('inputBytes', 0, 16 * 1024 * 1024),
    runsPerMinute: perMinute(v.runsPerMinute, base.runsPerMinute, `${where}.runsPerMinute`),
    submissionsPerMinute: perMinute(
      v.submissionsPerMinute,
      base.submissionsPerMinute,
      `${where}.submissionsPerMinute`,
    ),
    concurrentRuns: n('concurrentRuns', 1, 1000),
    streamBytes: n('streamBytes', 1, 16 * 1024 * 1024),
    timeLimitSec:
      v.timeLimitSec === undefined || v.timeLimitSec === null
        ? base.timeLimitSec
        : int(v.timeLimitSec, `${where}.timeLimitSec`, 1, 60),
  };
}

function origin(v: unknown, where: string): string {
  const s = str(v, where);
  if (s === 'self') return s;
  let parsed: URL;
  try {
    parsed = new URL(s);
  } catch {
    throw new ConfigError(`${where}: '${s}' is not an origin (e.g. https://lms.example.org)`);
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.origin !== s) {
    throw new ConfigError(
      `${where}: '${s}' is not an exact origin (scheme://host[:port], no path, no trailing slash)`,
    );
  }
  return s;
}

function widget(v: unknown, base: WidgetLimits, where: string): WidgetConfig {
  if (!isObject(v)) throw new ConfigError(`${where} must be an object`);
  known(
    v,
    [
      'id',
      'mode',
      'problem',
      'compilers',
      'defaultCompiler',
      'display',
      'origins',
      'public',
      'actions',
      'limits',
    ],
    where,
  );
  const id = str(v.id, `${where}.id`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id)) {
    throw new ConfigError(`${where}.id must be letters, digits, '.', '_' or '-' (64 at most)`);
  }
  const at = `widget '${id}'`;
  if (v.mode !== 'run' && v.mode !== 'problem') {
    throw new ConfigError(`${at}: mode must be "run" or "problem"`);
  }
  const mode = v.mode;
  let problem: number | string | null = null;
  if (v.problem !== undefined && v.problem !== null) {
    if (typeof v.problem === 'number') problem = int(v.problem, `${at}: problem`, 1);
    else problem = str(v.problem, `${at}: problem`);
  }
  const isPublic = v.public === undefined ? false : bool(v.public, `${at}: public`);
  if (mode === 'problem' && problem === null && isPublic) {
    throw new ConfigError(`${at}: a public problem widget needs a problem`);
  }
  if (mode === 'run' && problem !== null) {
    throw new ConfigError(`${at}: a run widget has no problem`);
  }
  let compilers: number[] | null = null;
  if (v.compilers !== undefined && v.compilers !== 'all') {
    if (!Array.isArray(v.compilers) || v.compilers.length === 0) {
      throw new ConfigError(`${at}: compilers must be "all" or a non-empty list of compiler ids`);
    }
    compilers = v.compilers.map((c, i) => int(c, `${at}: compilers[${i}]`, 1));
  }
  const defaultCompiler =
    v.defaultCompiler === undefined || v.defaultCompiler === null
      ? null
      : int(v.defaultCompiler, `${at}: defaultCompiler`, 1);
  if (defaultCompiler !== null && compilers && !compilers.includes(defaultCompiler)) {
    throw new ConfigError(`${at}: defaultCompiler ${defaultCompiler} is not in compilers`);
  }
  let display = { ...defaultDisplay };
  if (v.display !== undefined) {
    if (!isObject(v.display)) throw new ConfigError(`${at}: display must be an object`);
    known(v.display, Object.keys(defaultDisplay), `${at}: display`);
    for (const [k, value] of Object.entries(v.display)) {
      display = { ...display, [k]: bool(value, `${at}: display.${k}`) };
    }
  }
  if (!Array.isArray(v.origins)) {
    throw new ConfigError(`${at}: origins must be a list (exact origins or "self")`);
  }
  const origins = v.origins.map((o, i) => origin(o, `${at}: origins[${i}]`));
  const allActions: SessionAction[] = mode === 'run' ? ['run'] : ['run', 'submit'];
  let actions = allActions;
  if (v.actions !== undefined) {
    if (!Array.isArray(v.actions)) throw new ConfigError(`${at}: actions must be a list`);
    actions = v.actions.map((a, i) => {
      if (!allActions.includes(a as SessionAction)) {
        throw new ConfigError(
          `${at}: actions[${i}] must be one of ${allActions.map((x) => `"${x}"`).join(', ')}`,
        );
      }
      return a as SessionAction;
    });
  }
  return {
    id,
    mode,
    problem,
    compilers,
    defaultCompiler,
    display,
    origins,
    public: isPublic,
    actions,
    limits: limits(v.limits, base, `${at}: limits`),
  };
}

function endpoint(v: unknown, where: string): Endpoint | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new ConfigError(`${where} must be an object {url, token}`);
  known(v, ['url', 'token'], where);
  const url = str(v.url, `${where}.url`);
  try {
    new URL(url);
  } catch {
    throw new ConfigError(`${where}.url is not a URL`);
  }
  return { url, token: str(v.token, `${where}.token`) };
}

/**
 * Validates a configuration object (the parsed JSON of a `--config` file). Fields left out take
 * their defaults; `widgets` replaces the default widgets when given.
 */
export function parseConfig(raw: unknown): BackendConfig {
  if (!isObject(raw)) throw new ConfigError('the configuration must be a JSON object');
  known(
    raw,
    ['widgets', 'limits', 'sessions', 'upstream', 'publicUrl', 'trustProxy', '$schema'],
    'config',
  );
  const base = limits(raw.limits, defaultLimits, 'limits');
  const widgetList = raw.widgets === undefined ? defaultConfigJson.widgets : raw.widgets;
  if (!Array.isArray(widgetList)) throw new ConfigError('widgets must be a list');
  const widgets = new Map<string, WidgetConfig>();
  widgetList.forEach((w, i) => {
    const parsed = widget(w, base, `widgets[${i}]`);
    if (widgets.has(parsed.id)) throw new ConfigError(`widget '${parsed.id}' is declared twice`);
    widgets.set(parsed.id, parsed);
  });

  const s = raw.sessions === undefined ? {} : raw.sessions;
  if (!isObject(s)) throw new ConfigError('sessions must be an object');
  known(s, ['issuer', 'audience', 'ttlSeconds', 'maxLifetimeSeconds', 'perMinute'], 'sessions');
  const sessions: SessionSettings = {
    issuer: s.issuer === undefined ? 'se-widgets' : str(s.issuer, 'sessions.issuer'),
    audience: s.audience === undefined ? 'se-widgets/v1' : str(s.audience, 'sessions.audience'),
    ttlSeconds:
      s.ttlSeconds === undefined ? 600 : int(s.ttlSeconds, 'sessions.ttlSeconds', 30, 900),
    maxLifetimeSeconds:
      s.maxLifetimeSeconds === undefined
        ? 8 * 3600
        : int(s.maxLifetimeSeconds, 'sessions.maxLifetimeSeconds', 60, 7 * 24 * 3600),
    perMinute: perMinute(s.perMinute, { subject: 10, ip: 30 }, 'sessions.perMinute'),
  };

  const u = raw.upstream === undefined ? {} : raw.upstream;
  if (!isObject(u)) throw new ConfigError('upstream must be an object');
  known(
    u,
    ['compilers', 'problems', 'containers', 'timeoutMs', 'retries', 'webhookSecret'],
    'upstream',
  );
  const endpoints: Partial<Record<ModuleName, Endpoint>> = {};
  for (const m of ['compilers', 'problems', 'containers'] as const) {
    const e = endpoint(u[m], `upstream.${m}`);
    if (e) endpoints[m] = e;
  }
  const upstream: UpstreamSettings = {
    endpoints,
    timeoutMs:
      u.timeoutMs === undefined ? 10000 : int(u.timeoutMs, 'upstream.timeoutMs', 50, 120000),
    retries: u.retries === undefined ? 2 : int(u.retries, 'upstream.retries', 0, 5),
    webhookSecret:
      u.webhookSecret === undefined || u.webhookSecret === null
        ? null
        : str(u.webhookSecret, 'upstream.webhookSecret'),
  };

  let publicUrl: string | null = null;
  if (raw.publicUrl !== undefined && raw.publicUrl !== null) {
    const p = str(raw.publicUrl, 'publicUrl');
    try {
      publicUrl = new URL(p).origin;
    } catch {
      throw new ConfigError('publicUrl is not a URL');
    }
  }
  return {
    widgets,
    sessions,
    upstream,
    publicUrl,
    trustProxy: raw.trustProxy === undefined ? false : bool(raw.trustProxy, 'trustProxy'),
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
