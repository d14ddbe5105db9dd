/**
 * A project's scenario configuration: the hosted service's `config.json`, version 2.1
 * (WORKSPACE.md, "Scenario configuration"), as a schema. The keys this engine can provide are
 * read; unknown keys are ignored (the hosted service has more); `services` and `network: true`
 * are refused, because this engine has neither Docker services nor a network for stages.
 */
import * as v from 'valibot';
import type { StageName } from '../../shared/containers.js';

export interface StageConfig {
  command: string | null;
  /** seconds */
  timeout: number;
  skip: boolean;
  redirect_streams_to: 'console' | 'none';
}

export interface ScenarioConfig {
  default: boolean;
  stages: Record<StageName, StageConfig>;
  output: { type: string; path: string | null; show_at_startup: boolean } | null;
  /** archive folder name to a path in the workspace */
  auxdata: Record<string, string>;
}

export interface ProjectConfig {
  version: 2.1;
  scenarios: Record<string, ScenarioConfig>;
  files: { read_only: string[]; open_at_startup: string[] };
}

/** A configuration that cannot be used; the message names the key. */
export class ProjectConfigError extends Error {
  override name = 'ProjectConfigError';
}

const STAGE_NAMES: readonly StageName[] = ['init', 'build', 'run', 'test', 'post'];
const SCENARIO_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** A path relative to the workspace: no `..`, not absolute, no NUL; a folder may end in `/`. */
const relPath = v.pipe(
  v.string('must be a path (text)'),
  v.check(
    (p) =>
      p !== '' &&
      !p.startsWith('/') &&
      !p.includes('\0') &&
      !p.split('/').some((s) => s === '..' || s === '.'),
    'must be a path relative to the workspace, without "..", "." or a leading "/"',
  ),
);

const stage = (defaultTimeout: number) =>
  v.optional(
    v.object({
      command: v.optional(v.nullable(v.string('must be a command (text) or null')), null),
      timeout: v.optional(
        v.pipe(
          v.number('must be a number of seconds'),
          v.integer('must be an integer from 1 to 3600'),
          v.minValue(1, 'must be an integer from 1 to 3600'),
          v.maxValue(3600, 'must be an integer from 1 to 3600'),
        ),
        defaultTimeout,
      ),
      skip: v.optional(v.boolean('must be true or false'), false),
      redirect_streams_to: v.optional(
        v.picklist(['console', 'none'], 'must be "console" or "none"'),
        'console',
      ),
    }),
    { command: null },
  );

const scenarioSchema = v.object({
  default: v.optional(v.boolean('must be true or false'), false),
  network: v.optional(
    v.literal(false, 'cannot be true: stages run without a network in this engine'),
    false,
  ),
  services: v.optional(
    v.pipe(
      v.array(v.unknown()),
      v.length(
        0,
        'cannot name services: this engine runs no Docker services (use a hosted endpoint)',
      ),
    ),
    [],
  ),
  stages: v.optional(
    v.object({
      init: stage(60),
      build: stage(60),
      run: stage(10),
      test: stage(60),
      post: stage(60),
    }),
    {},
  ),
  output: v.optional(
    v.nullable(
      v.object({
        type: v.optional(v.string('must be text'), 'terminal'),
        path: v.optional(v.nullable(relPath), null),
        show_at_startup: v.optional(v.boolean('must be true or false'), false),
      }),
    ),
    null,
  ),
  auxdata: v.optional(v.record(relPath, relPath), {}),
});

const configSchema = v.pipe(
  v.object({
    version: v.optional(
      v.union([v.literal(2.1), v.literal('2.1')], 'must be 2.1 (the version this engine reads)'),
      2.1,
    ),
    scenarios: v.pipe(
      v.record(
        v.pipe(v.string(), v.regex(SCENARIO_NAME, 'names are 1-64 letters, digits, _ or -')),
        scenarioSchema,
      ),
      v.check((s) => Object.keys(s).length > 0, 'must hold at least one scenario'),
      v.check(
        (s) => Object.values(s).filter((x) => x.default).length <= 1,
        'at most one scenario may be the default',
      ),
    ),
    files: v.optional(
      v.object({
        read_only: v.optional(v.array(relPath), []),
        open_at_startup: v.optional(v.array(relPath), []),
      }),
      {},
    ),
  }),
);

/** The configuration from its parsed JSON; throws ProjectConfigError naming the first bad key. */
export function parseProjectConfig(value: unknown): ProjectConfig {
  const r = v.safeParse(configSchema, value, { abortEarly: true });
  if (!r.success) {
    const issue = r.issues[0];
    const key = v.getDotPath(issue) ?? (issue.path?.map((p) => String(p.key)).join('.') || '');
    throw new ProjectConfigError(key ? `${key}: ${issue.message}` : issue.message);
  }
  const o = r.output;
  const scenarios: Record<string, ScenarioConfig> = {};
  for (const [name, s] of Object.entries(o.scenarios)) {
    const stages = {} as Record<StageName, StageConfig>;
    for (const st of STAGE_NAMES) {
      const x = s.stages[st] as Partial<StageConfig>;
      stages[st] = {
        command: x.command ?? null,
        timeout: x.timeout ?? (st === 'run' ? 10 : 60),
        skip: x.skip ?? false,
        redirect_streams_to: x.redirect_streams_to ?? 'console',
      };
    }
    scenarios[name] = {
      default: s.default,
      stages,
      output: s.output
        ? { type: s.output.type, path: s.output.path, show_at_startup: s.output.show_at_startup }
        : null,
      auxdata: s.auxdata,
    };
  }
  return {
    version: 2.1,
    scenarios,
    files: {
      read_only: o.files.read_only ?? [],
      open_at_startup: o.files.open_at_startup ?? [],
    },
  };
}

/** The configuration from its JSON text. */
export function parseProjectConfigText(text: string): ProjectConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ProjectConfigError(`not valid JSON (${(err as Error).message})`);
  }
  return parseProjectConfig(value);
}

/** The scenario run when none is named: the one marked default, else the first. */
export function defaultScenario(config: ProjectConfig): string {
  const names = Object.keys(config.scenarios);
  return names.find((n) => config.scenarios[n]!.default) ?? names[0]!;
}
