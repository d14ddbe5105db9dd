// End to end, as an app developer and an operator install them: the two packages this repository
// publishes, packed by `npm run pack`, installed from their tarballs into fresh folders. A fresh
// Vite app installs the browser package (no install script, no native module), builds, and runs a
// widget in Chromium against a backend started from the installed server package's command.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from '../../scripts/chromium.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
};
const scratch = mkdtempSync(join(tmpdir(), 'se-packages-'));
let browserTgz = '';
let serverTgz = '';

/** Runs a command to its end; throws with its output when it fails. */
function must(cmd: string, args: string[], cwd: string): { out: string; seconds: number } {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  const out = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${out}`);
  return { out, seconds: (Date.now() - t0) / 1000 };
}

/** `npm install` from the tarballs and the local cache (the registry only for what it lacks). */
const npmInstall = (cwd: string, specs: string[]) =>
  must('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...specs], cwd);

/** The packages of an install that declare an install script (npm records it in the lockfile). */
function withInstallScripts(app: string): string[] {
  const lock = JSON.parse(readFileSync(join(app, 'node_modules/.package-lock.json'), 'utf8')) as {
    packages: Record<string, { hasInstallScript?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([, p]) => p.hasInstallScript)
    .map(([k]) => k);
}

/** Files under `dir` whose name ends with `suffix` (native modules: `.node`). */
function filesEnding(dir: string, suffix: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(suffix));
}

before(() => {
  assert.ok(
    existsSync(join(root, 'dist/.build-stamp')),
    "dist/ is missing: `npm test` builds first; alone, run 'npm run build'",
  );
  const { out } = must(process.execPath, [join(root, 'scripts/pack.mjs')], root);
  [browserTgz, serverTgz] = out.trim().split('\n').slice(-2);
  assert.ok(browserTgz?.endsWith(`se-widgets-${rootPkg.version}.tgz`), out);
  assert.ok(serverTgz?.endsWith(`se-widgets-server-${rootPkg.version}.tgz`), out);
});

after(() => rmSync(scratch, { recursive: true, force: true }));

/** The names in a tarball, without npm's `package/` prefix. */
function listing(tgz: string): string[] {
  return must('tar', ['-tzf', tgz], root)
    .out.trim()
    .split('\n')
    .map((n) => n.replace(/^package\//, ''));
}

/** The package.json inside a tarball. */
function manifest(tgz: string): Record<string, unknown> {
  return JSON.parse(must('tar', ['-xzOf', tgz, 'package/package.json'], root).out) as Record<
    string,
    unknown
  >;
}

describe('the packages (npm pack)', () => {
  it('the browser package holds the elements, bundles and types, and nothing of the server', (t) => {
    const names = listing(browserTgz);
    for (const need of [
      'dist/elements/index.js',
      'dist/elements/index.d.ts',
      'dist/elements/define/se-solve.js',
      'dist/elements/define/se-workspace.js',
      'dist/shared/terminal.js',
      'dist/embed/index.js',
      'dist/cdn/se-widgets.js',
      'dist/cdn/se-widgets.classic.js',
      'dist/cdn/se-embed.js',
      'dist/custom-elements.json',
    ])
      assert.ok(names.includes(need), need);
    for (const n of names)
      assert.doesNotMatch(n, /^(dist\/(engine|server|cli|upstream)|native|bin|scripts|src)\//, n);
    const m = manifest(browserTgz);
    assert.equal(m.name, 'se-widgets');
    // every entry the README imports from the browser package
    for (const entry of ['.', './se-solve.js', './se-workspace.js', './embed.js', './terminal.js'])
      assert.ok(entry in (m.exports as Record<string, unknown>), `exports ${entry}`);
    assert.equal(m.scripts, undefined, 'no script of any kind, so none runs on install');
    const deps = Object.keys(m.dependencies as Record<string, string>);
    for (const d of deps)
      assert.match(d, /^(lit|valibot|@codemirror\/.+|@lezer\/.+|@xterm\/.+)$/, d);
    t.diagnostic(`browser package: ${names.length} files`);
  });

  it('the server package holds the backend, the engine, its native source and the command', () => {
    const names = listing(serverTgz);
    for (const need of [
      'bin/se-widgets.js',
      'dist/cli/main.js',
      'dist/server/index.js',
      'dist/engine/exec/index.js',
      'native/se-init.c',
      'scripts/build-native.mjs',
      'demo/index.html',
      'problems/PRIMES/problem.json',
      'schemas/config.schema.json',
    ])
      assert.ok(names.includes(need), need);
    for (const n of names) assert.doesNotMatch(n, /^(dist\/cdn|native\/build|src|test)\//, n);
    const m = manifest(serverTgz);
    assert.equal(m.name, 'se-widgets-server');
    assert.equal((m.dependencies as Record<string, string>)['se-widgets'], rootPkg.version);
  });
});

describe('a fresh app and a fresh server from the tarballs', () => {
  let backend: ReturnType<typeof spawn> | undefined;
  let site: Server | undefined;
  after(() => {
    backend?.kill('SIGTERM');
    site?.close();
  });

  const app = join(scratch, 'app');
  const srv = join(scratch, 'server');

  it('a fresh Vite app installs the browser package with no script and no native module, and builds', (t) => {
    mkdirSync(app, { recursive: true });
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'fresh-app', private: true, type: 'module' }),
    );
    // the browser package alone first: its whole install runs no script and builds nothing
    const appInstall = npmInstall(app, [browserTgz]);
    t.diagnostic(`browser package installed in ${appInstall.seconds.toFixed(1)} s`);
    assert.deepEqual(
      withInstallScripts(app),
      [],
      'no package of the install has an install script',
    );
    assert.deepEqual(filesEnding(join(app, 'node_modules'), '.node'), [], 'no native module');
    for (const server of ['better-sqlite3', 'busboy', 'jose', 'se-widgets-server'])
      assert.ok(!existsSync(join(app, 'node_modules', server)), server);
    // then the app's own build tool
    npmInstall(app, [`vite@${rootPkg.devDependencies.vite}`]);
    writeFileSync(
      join(app, 'index.html'),
      `<!doctype html><html lang="en"><head><title>loading</title></head><body>
<se-solve id="w" widget="fresh-run"></se-solve>
<script type="module" src="/main.js"></script></body></html>`,
    );
    writeFileSync(
      join(app, 'main.js'),
      `import 'se-widgets/se-solve.js';
const w = document.getElementById('w');
w.backend = new URLSearchParams(location.search).get('backend');
w.addEventListener('se-result', (e) => { document.title = 'result: ' + e.detail.result.status.name; });
`,
    );
    must(join(app, 'node_modules/.bin/vite'), ['build', '--logLevel', 'error'], app);
    assert.ok(existsSync(join(app, 'dist/index.html')));
  });

  it('a fresh folder installs the server package (its native helper built on install)', (t) => {
    mkdirSync(srv, { recursive: true });
    writeFileSync(
      join(srv, 'package.json'),
      JSON.stringify({ name: 'fresh-server', private: true }),
    );
    const srvInstall = npmInstall(srv, [serverTgz, browserTgz]);
    t.diagnostic(`server package installed in ${srvInstall.seconds.toFixed(1)} s`);
    assert.ok(existsSync(join(srv, 'node_modules/se-widgets-server/native/build/se-init')));
  });

  it("the app's widget runs a program against the installed server's backend", async () => {
    // the app's own origin, serving its Vite build
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
    site = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const file = join(app, 'dist', path === '/' ? 'index.html' : path);
      if (!file.startsWith(join(app, 'dist')) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    });
    await new Promise<void>((resolve) => site!.listen(0, '127.0.0.1', resolve));
    const appUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;

    writeFileSync(
      join(srv, 'widgets.json'),
      JSON.stringify({
        widgets: [
          {
            id: 'fresh-run',
            mode: 'run',
            compilers: [116],
            defaultCompiler: 116,
            origins: [appUrl],
            public: true,
          },
        ],
      }),
    );
    backend = spawn(
      join(srv, 'node_modules/.bin/se-widgets'),
      ['serve', '--port', '0', '--config', 'widgets.json'],
      { cwd: srv, env: { ...process.env, SE_SESSION_SECRET: 'k1:' + 'x'.repeat(40) } },
    );
    let log = '';
    const backendUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start in 120 s:\n${log}`)), 120_000);
      const read = (d: Buffer) => {
        log += d.toString();
        const m = /serving on (http:\/\/\S+?)\/?\n/.exec(log);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      backend!.stdout!.on('data', read);
      backend!.stderr!.on('data', read);
      backend!.on('exit', (code) => reject(new Error(`the backend exited (${code}):\n${log}`)));
    });
    // it serves the bundles from the installed browser package
    const bundle = await fetch(`${backendUrl}/dist/cdn/se-widgets.js`);
    assert.equal(bundle.status, 200);

    const browser = await chromium.launch(chromiumLaunchOptions);
    try {
      const page = await browser.newPage();
      await page.goto(`${appUrl}/?backend=${encodeURIComponent(backendUrl)}`);
      const widget = page.locator('#w');
      await page.waitForFunction(
        `document.querySelector('#w')?.shadowRoot?.querySelector('.cm-content') &&
         !document.querySelector('#w').shadowRoot.querySelector('select[disabled]')`,
        undefined,
        { timeout: 60_000 },
      );
      await widget.locator('[part~="run-button"]').click();
      await page.waitForFunction(`document.title.startsWith('result: ')`, undefined, {
        timeout: 60_000,
      });
      assert.equal(await page.title(), 'result: accepted', log);
    } finally {
      await browser.close();
    }
  });
});
