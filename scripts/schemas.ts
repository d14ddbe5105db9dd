// `npm run schemas`: writes the JSON Schema of the backend's configuration file and of the `/v1`
// bodies and answers to schemas/, from the valibot schemas the code validates with (src/server/
// config.ts, src/shared/v1.ts). test/shared/schemas.test.ts fails when the files are stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  toJsonSchema,
  toJsonSchemaDefs,
  type ConversionConfig,
  type JsonSchema,
} from '@valibot/to-json-schema';
import prettier from 'prettier';
import type * as v from 'valibot';
import { configFile } from '../src/server/config.js';
import * as v1 from '../src/shared/v1.js';
import * as v1Workspace from '../src/shared/v1-workspace.js';

export const SCHEMAS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');

const config: ConversionConfig = {
  // Checks a JSON Schema cannot say (custom checks, transforms) are left out: the file's schema
  // is what an editor can check, the backend checks the rest.
  errorMode: 'ignore',
  overrideSchema({ valibotSchema, jsonSchema }) {
    const s = valibotSchema as v.GenericSchema & { wrapped?: v.GenericSchema; default?: unknown };
    // the start of every parameter of src/shared/schema.ts (anything, `null` when missing): its
    // default is how valibot runs the entry, not a value a file or a client should send
    if (s.type === 'optional' && s.wrapped?.type === 'unknown' && s.default === null) return {};
    if (s.type !== 'object') return undefined;
    // a parameter says in its metadata (`param`) whether it is required: to valibot every one is
    // optional, since "not sent" is read by the parameter itself
    const properties: Record<string, JsonSchema> = {};
    const required = new Set(jsonSchema.required ?? []);
    for (const [key, p] of Object.entries(jsonSchema.properties ?? {})) {
      if (typeof p !== 'object') continue;
      const { param, ...rest } = p as JsonSchema & { param?: 'required' | 'optional' };
      if (param === 'required') required.add(key);
      if (param === 'optional') required.delete(key);
      properties[key] = rest;
    }
    const { required: _, ...rest } = jsonSchema;
    return { ...rest, properties, ...(required.size ? { required: [...required] } : {}) };
  },
};

function convert(schema: v.GenericSchema): JsonSchema {
  const { $schema: _, ...rest } = toJsonSchema(schema, config);
  return rest;
}

/** The `/v1` bodies and answers, by name: every schema src/shared/v1.ts and v1-workspace.ts export. */
const v1Definitions = Object.fromEntries(
  Object.entries({ ...v1, ...v1Workspace })
    .filter(([name, s]) => typeof s === 'object' && s !== null && 'kind' in s && name !== 'v')
    .map(([name, s]) => [name.replace(/Schema$/, ''), s as v.GenericSchema]),
);

/** The JSON Schema files, by file name, as `npm run schemas` writes them. */
export function jsonSchemas(): Record<string, JsonSchema> {
  return {
    'config.schema.json': {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'se-widgets backend configuration (se-widgets serve --config FILE)',
      ...convert(configFile),
    },
    'v1.schema.json': {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title:
        'se-widgets backend: the /v1 request bodies and answers (src/shared/v1.ts, v1-workspace.ts)',
      $defs: toJsonSchemaDefs(v1Definitions, config),
    },
  };
}

/** A file's text, as prettier formats it (`npm run lint` checks the committed files). */
export async function fileText(schema: JsonSchema, name: string): Promise<string> {
  const file = join(SCHEMAS_DIR, name);
  const options = await prettier.resolveConfig(file);
  return prettier.format(JSON.stringify(schema), { ...options, filepath: file });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  mkdirSync(SCHEMAS_DIR, { recursive: true });
  for (const [name, schema] of Object.entries(jsonSchemas())) {
    writeFileSync(join(SCHEMAS_DIR, name), await fileText(schema, name));
    process.stdout.write(`schemas: wrote schemas/${name}\n`);
  }
}
