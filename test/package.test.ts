import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnCollect } from './helpers/process.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(root + 'package.json', 'utf8')) as {
  exports: Record<string, string | Record<string, string>>;
};

describe('the built package', () => {
  it('imports in Node without touching customElements', async () => {
    const p = spawnCollect(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('se-widgets'); console.log(typeof m.SeSolve, globalThis.customElements?.get('se-solve'));",
      ],
      {},
    );
    p.child.stdin?.end();
    const { code } = await p.exited;
    assert.equal(code, 0, p.stderr());
    assert.equal(p.stdout().trim(), 'function undefined');
  });

  it('imports the server entry in Node', async () => {
    const p = spawnCollect(process.execPath, [
      '--input-type=module',
      '-e',
      "const m = await import('se-widgets/server'); console.log(typeof m.startServer);",
    ]);
    const { code } = await p.exited;
    assert.equal(code, 0, p.stderr());
    assert.equal(p.stdout().trim(), 'function');
  });

  it('has every exported file, each with its types', () => {
    for (const [key, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') {
        assert.ok(existsSync(root + target), `${key} -> ${target}`);
        continue;
      }
      assert.ok(target.types, `${key} has a types condition`);
      for (const file of Object.values(target))
        assert.ok(existsSync(root + file), `${key} -> ${file}`);
    }
  });

  it('has the script-tag bundles and a manifest that describes se-solve and se-workspace', () => {
    assert.ok(existsSync(root + 'dist/cdn/se-widgets.js'));
    assert.ok(existsSync(root + 'dist/cdn/se-widgets.classic.js'));
    const manifest = JSON.parse(readFileSync(root + 'dist/custom-elements.json', 'utf8')) as {
      modules: Array<{ declarations?: Array<{ tagName?: string; customElement?: boolean }> }>;
    };
    const tags = manifest.modules.flatMap((m) => m.declarations ?? []).map((d) => d.tagName);
    assert.ok(tags.includes('se-solve'), `tags: ${tags.join(', ')}`);
    assert.ok(tags.includes('se-workspace'), `tags: ${tags.join(', ')}`);
  });
});
