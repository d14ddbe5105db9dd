/**
 * A project's scenario configuration: the hosted service's `project_config`, version 2.1, as far
 * as this engine can provide it (WORKSPACE.md, "Scenario configuration").
 *
 * ```json
 * {
 *   "version": 2.1,
 *   "scenarios": {
 *     "run": {
 *       "default": true,
 *       "stages": { "build": { "command": "make" }, "run": { "command": "./main", "timeout": 10 } },
 *       "output": { "type": "console", "path": null, "show_at_startup": false },
 *       "auxdata": { "results": "out/" }
 *     }
 *   },
 *   "files": { "read_only": ["Makefile"], "open_at_startup": ["main.c"] }
 * }
 * ```
 *
 * Keys this engine does not know are ignored (the hosted service has more). `services` and
 * `network: true` are refused: there are no Docker services and no network here.
 */
import { posix } from 'node:path';
import * as v from 'valibot';
import { required } from '../../shared/schema.js';
import type { StageName } from '../../shared/containers.js';

export type { StageName };

/** The stages of a scenario, in the order they run. */
export const STAGE_NAMES: readonly StageName[] = ['init', 'build', 'run', 'test', 'post'];

/** A configuration that cannot be used; the message names the key and says why. */
export class ProjectConfigError extends Error {
  override name = 'ProjectConfigError';
}

/** Limits of a configuration. */
export const CONFIG_LIMITS = {
  /** stage timeouts, in seconds */
  timeout: { min: 1, max: 3600, default: 60, run: 10 },
  scenarioName: /^[A-Za-z0-9_-]{1,64}$/,
  /** entries of each path list and of auxdata */
  paths: 1000,
  pathChars: 4096,
} as const;

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * A path under the workspace: relative, normalized, no `..`, no NUL; a folder entry may end in
 * `/`. The message says what to write instead when it can.
 */
export function pathProblem(p: string): string | null {
  if (p === '') return 'must not be empty';
  if (p.length > CONFIG_LIMITS.pathChars)
    return `must be at most ${CONFIG_LIMITS.pathChars} characters`;
  if (p.includes('\0')) return 'must not contain a NUL character';
  if (p.startsWith('/')) return `must be relative to the workspace (got "${p}")`;
  const bare = p.endsWith('/') ? p.slice(0, -1) : p;
  if (bare.split('/').includes('..')) return `must not contain ".." (got "${p}")`;
  const norm = posix.normalize(bare);
  if (norm === '.' || bare === '') return `must name a file or folder under the workspace`;
  if (norm !== bare)
    return `must be normalized (got "${p}", write "${norm}${p.endsWith('/') ? '/' : ''}")`;
  return null;
}

const workspacePath = v.pipe(
  v.string('must be a path (text) relative to the workspace'),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = pathProblem(dataset.value);
    if (problem) addIssue({ message: problem });
  }),
);

const pathList = v.pipe(
  v.optional(v.nullable(v.array(workspacePath, 'must be a list of paths')), []),
  v.transform((x) => x ?? []),
  v.maxLength(CONFIG_LIMITS.paths, `must hold at most ${CONFIG_LIMITS.paths} paths`),
);

function timeout(fallback: number) {
  const { min, max } = CONFIG_LIMITS.timeout;
  const wrong = `must be an integer from ${min} to ${max}`;
  return v.optional(
    v.pipe(v.number(wrong), v.integer(wrong), v.minValue(min, wrong), v.maxValue(max, wrong)),
    fallback,
  );
}

function stage(name: StageName) {
  const fallback = name === 'run' ? CONFIG_LIMITS.timeout.run : CONFIG_LIMITS.timeout.default;
  return v.pipe(
    v.optional(v.nullable(v.custom<Json>(isObject, 'must be an object or null')), {}),
    v.transform((x) => x ?? {}),
    v.object({
      command: v.pipe(
        v.optional(v.nullable(v.string('must be a shell command (text) or null')), null),
        // an empty command runs nothing, as an absent one
        v.transform((c) => (c === null || c.trim() === '' ? null : c)),
      ),
      timeout: timeout(fallback),
      skip: v.optional(v.boolean('must be true or false'), false),
      redirect_streams_to: v.optional(
        v.picklist(['console', 'none'], 'must be "console" or "none"'),
        'console',
      ),
    }),
  );
}

const stages = v.pipe(
  v.optional(v.nullable(v.custom<Json>(isObject, 'must be an object of stages')), {}),
  v.transform((x) => x ?? {}),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const unknown = Object.keys(dataset.value).find((k) => !STAGE_NAMES.includes(k as StageName));
    if (unknown !== undefined) {
      addIssue({
        message: `has an unknown stage "${unknown}" (the stages are ${STAGE_NAMES.join(', ')})`,
      });
    }
  }),
  v.object({
    init: stage('init'),
    build: stage('build'),
    run: stage('run'),
    test: stage('test'),
    post: stage('post'),
  }),
);

const output = v.pipe(
  v.optional(
    v.nullable(
      v.pipe(
        v.custom<Json>(isObject, 'must be an object {type, path, show_at_startup} or null'),
        v.object({
          type: v.pipe(v.string('must be text'), v.nonEmpty('must not be empty')),
          path: v.optional(v.nullable(workspacePath), null),
          show_at_startup: v.optional(v.boolean('must be true or false'), false),
        }),
      ),
    ),
    null,
  ),
);

const auxdata = v.pipe(
  v.optional(
    v.nullable(
      v.pipe(
        v.custom<Json>(isObject, 'must map folders of the archive to paths under the workspace'),
        v.record(workspacePath, workspacePath),
      ),
    ),
    {},
  ),
  v.transform((x) => x ?? {}),
  v.check(
    (x) => Object.keys(x).length <= CONFIG_LIMITS.paths,
    `must hold at most ${CONFIG_LIMITS.paths} entries`,
  ),
);

const noServices = v.custom<unknown>(
  (x) =>
    x === undefined ||
    x === null ||
    (Array.isArray(x) && x.length === 0) ||
    (isObject(x) && Object.keys(x).length === 0),
  'this engine runs no Docker services (each stage is one sandboxed command); remove "services" or leave it empty',
);

const scenario = v.pipe(
  v.custom<Json>(isObject, 'must be an object'),
  v.object({
    default: v.optional(v.boolean('must be true or false'), false),
    network: v.optional(
      v.custom<false | null>(
        (x) => x === false || x === null,
        (issue) =>
          issue.input === true
            ? 'this engine gives stages no network; remove "network" or set it to false'
            : 'must be true or false (and only false is possible here)',
      ),
    ),
    services: v.optional(noServices),
    stages,
    output,
    auxdata,
  }),
);

const config = v.pipe(
  v.custom<Json>(isObject, 'must be a JSON object'),
  v.object(
    {
      version: required(
        'must be 2.1',
        v.pipe(
          v.custom<2.1 | '2.1'>((x) => x === 2.1 || x === '2.1', 'must be 2.1'),
          v.transform((): 2.1 => 2.1),
        ),
      ),
      scenarios: required(
        'must be an object of scenarios',
        v.pipe(
          v.custom<Json>(isObject, 'must be an object of scenarios'),
          v.record(
            v.pipe(
              v.string(),
              v.regex(
                CONFIG_LIMITS.scenarioName,
                (issue) =>
                  `"${String(issue.input)}" is no scenario name (1 to 64 letters, digits, _ or -)`,
              ),
            ),
            scenario,
            'must be an object of scenarios',
          ),
          v.check((s) => Object.keys(s).length > 0, 'must hold at least one scenario'),
          v.check(
            (s) => Object.values(s).filter((x) => x.default).length <= 1,
            (issue) =>
              `at most one scenario may be the default (${Object.entries(
                issue.input as Record<string, { default: boolean }>,
              )
                .filter(([, x]) => x.default)
                .map(([k]) => k)
                .join(', ')} are)`,
          ),
        ),
      ),
      files: v.pipe(
        v.optional(
          v.nullable(
            v.pipe(
              v.custom<Json>(isObject, 'must be an object {read_only, open_at_startup}'),
              v.object({ read_only: pathList, open_at_startup: pathList }),
            ),
          ),
          {},
        ),
        v.transform((x) => x ?? { read_only: [], open_at_startup: [] }),
      ),
    },
    'must be a JSON object',
  ),
  // Omit the keys valibot leaves undefined, so the type is the contract's.
  v.transform((c): ProjectConfig => ({
    version: c.version,
    scenarios: Object.fromEntries(
      Object.entries(c.scenarios).map(([name, s]) => [
        name,
        { default: s.default, stages: s.stages, output: s.output, auxdata: s.auxdata },
      ]),
    ),
    files: c.files as ProjectConfig['files'],
  })),
);

/** One stage of a scenario, after parsing. */
export interface StageConfig {
  /** the shell command; null runs nothing (an absent stage) */
  command: string | null;
  /** seconds: 60 by default, 10 for run; 1 to 3600 */
  timeout: number;
  skip: boolean;
  redirect_streams_to: 'console' | 'none';
}

/** One scenario, after parsing: every stage present. */
export interface ScenarioConfig {
  default: boolean;
  stages: Record<StageName, StageConfig>;
  output: { type: string; path: string | null; show_at_startup: boolean } | null;
  /** archive folder -> path relative to the workspace */
  auxdata: Record<string, string>;
}

/** A project configuration, version 2.1, after parsing. */
export interface ProjectConfig {
  version: 2.1;
  scenarios: Record<string, ScenarioConfig>;
  files: { read_only: string[]; open_at_startup: string[] };
}

// The schema's output is exactly the declared types (a compile error here means they drifted).
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _outputMatches: Equal<v.InferOutput<typeof scenario>['stages'], ScenarioConfig['stages']> =
  true;
void _outputMatches;

function where(issue: v.BaseIssue<unknown>): string {
  const keys = (issue.path ?? []).map((p) => String(p.key));
  return keys.length ? keys.join('.') : 'the configuration';
}

/**
 * Checks a configuration (the parsed JSON) and fills in the defaults: every stage present (an
 * absent one has command null), timeouts, `files` lists. Throws {@link ProjectConfigError}
 * naming the first wrong key, e.g. `scenarios.run.stages.run.timeout: must be an integer from 1
 * to 3600`.
 */
export function parseProjectConfig(value: unknown): ProjectConfig {
  const r = v.safeParse(config, value, { abortEarly: true });
  if (r.success) return r.output;
  const issue = r.issues[0];
  throw new ProjectConfigError(`${where(issue)}: ${issue.message}`);
}

/** {@link parseProjectConfig} of JSON text; text that is not JSON is a ProjectConfigError too. */
export function parseProjectConfigText(text: string): ProjectConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ProjectConfigError(`the configuration is not JSON (${(err as Error).message})`);
  }
  return parseProjectConfig(value);
}

/** The scenario marked default, else the first one. */
export function defaultScenario(config: ProjectConfig): string {
  const names = Object.keys(config.scenarios);
  return names.find((n) => config.scenarios[n]!.default) ?? names[0]!;
}
