// `npm run pack`: the two packages this repository publishes, each installable alone, staged
// from the build in dist/packages/<name>/ and packed beside as dist/packages/<name>-<version>.tgz:
//   se-widgets         the browser package: elements, define modules, the iframe host SDK, the
//                      script-tag bundles, types and the manifest; only browser dependencies, no
//                      install script.
//   se-widgets-server  the signing backend, the embedded engine, its native helper's source and
//                      the `se-widgets` command; it depends on se-widgets for the bundles it serves.
// The manifests are written here from the root package.json (same version, the same dependency
// ranges), so the packages cannot drift from what the repository is tested with.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { must, root } from './lib.mjs';

const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = join(root, 'dist/packages');

/** The root's range for each named dependency (a name the root lacks is a mistake here). */
function deps(names) {
  return Object.fromEntries(
    names.map((n) => {
      const range = rootPkg.dependencies[n];
      if (!range) throw new Error(`pack: ${n} is not a dependency of the root package.json`);
      return [n, range];
    }),
  );
}

const common = {
  version: rootPkg.version,
  license: rootPkg.license,
  type: 'module',
};

/** Source maps of the tsc output point into src/, which is not shipped: leave them out. */
const noTscMaps = (path) => !path.endsWith('.js.map') && !path.endsWith('.d.ts.map');
/**
 * The bundles, with their precompressed .br/.gz siblings (served as they are), without their
 * source maps (5 of the 8 MB; `npm run build` in a checkout writes them for debugging).
 */
const noMaps = (path) => !/\.map(\.(br|gz))?$/.test(path);

export const packages = [
  {
    manifest: {
      name: 'se-widgets',
      ...common,
      description:
        'Embeddable coding widgets for learning and assessment: <se-solve> and the iframe embed SDK.',
      main: './dist/elements/index.js',
      types: './dist/elements/index.d.ts',
      exports: {
        '.': rootPkg.exports['.'],
        './se-solve.js': rootPkg.exports['./se-solve.js'],
        './se-workspace.js': rootPkg.exports['./se-workspace.js'],
        './embed.js': rootPkg.exports['./embed.js'],
        './terminal.js': rootPkg.exports['./terminal.js'],
        './custom-elements.json': './dist/custom-elements.json',
        './cdn/*': './dist/cdn/*',
        './package.json': './package.json',
      },
      sideEffects: ['./dist/elements/define/*.js', './dist/cdn/*.js'],
      customElements: 'dist/custom-elements.json',
      dependencies: deps(
        Object.keys(rootPkg.dependencies).filter(
          (n) =>
            n.startsWith('@codemirror/') ||
            n.startsWith('@lezer/') ||
            n.startsWith('@xterm/') ||
            ['lit', 'valibot'].includes(n),
        ),
      ),
    },
    copy: [
      ['dist/elements', noTscMaps],
      ['dist/embed', noTscMaps],
      ['dist/shared', noTscMaps],
      ['dist/cdn', noMaps],
      ['dist/custom-elements.json'],
      ['README.md'],
      ['CHANGELOG.md'],
      ['LICENSE'],
    ],
  },
  {
    manifest: {
      name: 'se-widgets-server',
      ...common,
      description:
        'The se-widgets signing backend and embedded Sphere Engine-compatible engine (the `se-widgets` command).',
      engines: rootPkg.engines,
      os: ['linux'],
      bin: rootPkg.bin,
      main: './dist/server/index.js',
      types: './dist/server/index.d.ts',
      exports: {
        '.': { types: './dist/server/index.d.ts', default: './dist/server/index.js' },
        './package.json': './package.json',
      },
      scripts: { postinstall: rootPkg.scripts.postinstall },
      dependencies: {
        'se-widgets': rootPkg.version,
        ...deps(['better-sqlite3', 'busboy', 'jose', 'valibot', 'ws']),
      },
    },
    copy: [
      ['bin'],
      ['dist/server', noTscMaps],
      ['dist/engine', noTscMaps],
      ['dist/cli', noTscMaps],
      ['dist/upstream', noTscMaps],
      ['dist/shared', noTscMaps],
      ['dist/demo-app', noMaps],
      ['demo', (path) => !path.includes('/app/') && !path.endsWith('/app')],
      ['problems'],
      ['schemas'],
      ['projects'],
      ['native', (path) => !path.includes('/build')],
      ['scripts/build-native.mjs'],
      ['README.md'],
      ['CHANGELOG.md'],
      ['LICENSE'],
    ],
  },
];

/** Stages one package in dist/packages/<name>/ and packs it; returns the tarball's path. */
export async function pack(p) {
  const dir = join(out, p.manifest.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [from, keep = () => true] of p.copy) {
    const src = join(root, from);
    if (!existsSync(src)) throw new Error(`pack: ${from} is missing; run 'npm run build' first`);
    mkdirSync(dirname(join(dir, from)), { recursive: true });
    cpSync(src, join(dir, from), {
      recursive: true,
      filter: (s) => s === src || keep(s.slice(root.length)),
    });
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify(p.manifest, null, 2) + '\n');
  await must('npm', ['pack', '--silent', '--pack-destination', out], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return join(out, `${p.manifest.name}-${p.manifest.version}.tgz`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (!existsSync(join(root, 'dist/.build-stamp')))
    throw new Error("pack: dist/ is missing or incomplete; run 'npm run build' first");
  for (const p of packages) process.stdout.write(`${await pack(p)}\n`);
}
