// The JSON Schema files in schemas/ are what `npm run schemas` writes from the valibot schemas
// today (src/server/config.ts, src/shared/v1.ts): a schema changed without them fails here.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileText, jsonSchemas, SCHEMAS_DIR } from '../../scripts/schemas.js';

const generated = jsonSchemas();

describe('JSON Schema files (schemas/)', () => {
  it('are as npm run schemas writes them (run it after changing a schema)', async () => {
    assert.deepEqual(readdirSync(SCHEMAS_DIR).sort(), Object.keys(generated).sort());
    for (const [name, schema] of Object.entries(generated)) {
      const committed = readFileSync(join(SCHEMAS_DIR, name), 'utf8');
      assert.equal(committed, await fileText(schema, name), `schemas/${name} is stale`);
    }
  });

  it('mark the parameters a body and the configuration file require, and only those', () => {
    const defs = (generated['v1.schema.json'] as { $defs: Record<string, { required?: string[] }> })
      .$defs;
    assert.deepEqual(defs.CreateRunBody!.required, ['compilerId', 'source']);
    assert.deepEqual(defs.CreateSessionBody!.required, ['widget']);
    const widget = (
      generated['config.schema.json'] as {
        properties: { widgets: { items: { required: string[]; additionalProperties: boolean } } };
      }
    ).properties.widgets.items;
    assert.deepEqual(widget.required, ['id', 'mode', 'origins']);
    assert.equal(widget.additionalProperties, false);
  });
});
