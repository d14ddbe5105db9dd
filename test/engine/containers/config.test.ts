// The scenario configuration (version 2.1): defaults filled in, and each refusal naming its key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultScenario,
  parseProjectConfig,
  parseProjectConfigText,
  ProjectConfigError,
} from '../../../src/engine/containers/config.js';

const ok = (scenarios: unknown, extra: Record<string, unknown> = {}) => ({
  version: 2.1,
  scenarios,
  ...extra,
});

function refused(value: unknown, message: RegExp) {
  assert.throws(
    () => parseProjectConfig(value),
    (err: unknown) => err instanceof ProjectConfigError && message.test(err.message),
  );
}

describe('parseProjectConfig', () => {
  it('fills in every stage, timeouts and files; ignores unknown keys', () => {
    const c = parseProjectConfig(
      ok({ run: { stages: { build: { command: 'make' } }, color: 'blue' } }, { extra: { a: 1 } }),
    );
    assert.deepEqual(c, {
      version: 2.1,
      scenarios: {
        run: {
          default: false,
          stages: {
            init: { command: null, timeout: 60, skip: false, redirect_streams_to: 'console' },
            build: { command: 'make', timeout: 60, skip: false, redirect_streams_to: 'console' },
            run: { command: null, timeout: 10, skip: false, redirect_streams_to: 'console' },
            test: { command: null, timeout: 60, skip: false, redirect_streams_to: 'console' },
            post: { command: null, timeout: 60, skip: false, redirect_streams_to: 'console' },
          },
          output: null,
          auxdata: {},
        },
      },
      files: { read_only: [], open_at_startup: [] },
    });
  });

  it('keeps what is given', () => {
    const c = parseProjectConfig(
      ok(
        {
          a: {
            default: true,
            network: false,
            services: [],
            stages: {
              run: { command: './x', timeout: 3600, skip: true, redirect_streams_to: 'none' },
            },
            output: { type: 'web', path: 'out/index.html', show_at_startup: true },
            auxdata: { results: 'out/' },
          },
        },
        { files: { read_only: ['Makefile', 'lib/'], open_at_startup: ['main.c'] } },
      ),
    );
    const a = c.scenarios.a!;
    assert.deepEqual(a.stages.run, {
      command: './x',
      timeout: 3600,
      skip: true,
      redirect_streams_to: 'none',
    });
    assert.deepEqual(a.output, { type: 'web', path: 'out/index.html', show_at_startup: true });
    assert.deepEqual(a.auxdata, { results: 'out/' });
    assert.deepEqual(c.files, { read_only: ['Makefile', 'lib/'], open_at_startup: ['main.c'] });
  });

  it('refuses services and network, saying why', () => {
    refused(
      ok({ a: { services: { db: { image: 'postgres' } } } }),
      /^scenarios\.a\.services: .*no Docker services/,
    );
    refused(ok({ a: { network: true } }), /^scenarios\.a\.network: .*no network/);
  });

  it('names the key of a wrong value', () => {
    refused(
      ok({ run: { stages: { run: { timeout: 0 } } } }),
      /^scenarios\.run\.stages\.run\.timeout: must be an integer from 1 to 3600$/,
    );
    refused(ok({ run: { stages: { run: { timeout: 1.5 } } } }), /stages\.run\.timeout/);
    refused(
      ok({ run: { stages: { build: { command: 5 } } } }),
      /^scenarios\.run\.stages\.build\.command:/,
    );
    refused(
      ok({ run: { stages: { compile: {} } } }),
      /^scenarios\.run\.stages: has an unknown stage "compile"/,
    );
    refused(
      ok({ run: { stages: { run: { redirect_streams_to: 'file' } } } }),
      /redirect_streams_to: must be "console" or "none"/,
    );
    refused({ scenarios: { a: {} } }, /^version: must be 2\.1$/);
    refused({ version: 2.1 }, /^scenarios: must be an object of scenarios$/);
    refused(ok({}), /^scenarios: must hold at least one scenario$/);
    refused(ok({ 'a b': {} }), /no scenario name/);
    refused(ok({ ['x'.repeat(65)]: {} }), /no scenario name/);
    refused(
      ok({ a: { default: true }, b: { default: true } }),
      /at most one scenario may be the default/,
    );
    refused([], /^the configuration: must be a JSON object$/);
  });

  it('refuses paths outside the workspace or not normalized', () => {
    const bad = ['/etc/passwd', '../x', 'a/../../x', './a', 'a//b', '', 'a\0b', '.'];
    for (const p of bad) {
      refused(ok({ a: {} }, { files: { read_only: [p] } }), /^files\.read_only\.0: /);
      refused(ok({ a: { auxdata: { out: p } } }), /^scenarios\.a\.auxdata\.out: /);
      refused(ok({ a: { output: { type: 'file', path: p } } }), /^scenarios\.a\.output\.path: /);
    }
    refused(ok({ a: {} }, { files: { open_at_startup: ['./a'] } }), /write "a"/);
  });

  it('parseProjectConfigText refuses text that is not JSON', () => {
    assert.throws(() => parseProjectConfigText('{'), ProjectConfigError);
    assert.equal(parseProjectConfigText(JSON.stringify(ok({ a: {} }))).version, 2.1);
  });
});

describe('defaultScenario', () => {
  it('is the one marked default, else the first', () => {
    assert.equal(defaultScenario(parseProjectConfig(ok({ a: {}, b: { default: true } }))), 'b');
    assert.equal(defaultScenario(parseProjectConfig(ok({ z: {}, a: {} }))), 'z');
  });
});
