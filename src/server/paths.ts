import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the folder holding package.json (from `src/server` or `dist/server`). */
export const packageRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('se-widgets: cannot find the package root');
})();

export const demoDir = join(packageRoot, 'demo');
export const distDir = join(packageRoot, 'dist');

/**
 * Where the browser package's build lives (the script-tag bundles, the ESM elements, the
 * manifest): this package's own dist/ in the repository, else the se-widgets package that the
 * se-widgets-server package depends on.
 */
export const browserDistDir = (() => {
  if (existsSync(join(distDir, 'cdn'))) return distDir;
  try {
    return join(dirname(createRequire(import.meta.url).resolve('se-widgets/package.json')), 'dist');
  } catch {
    return distDir;
  }
})();

/**
 * What `/dist/` serves, by first path segment (the folder holding it): the browser package's public
 * parts and the demo app.
 */
export const PUBLIC_DIST = new Map<string, string>([
  ['cdn', browserDistDir],
  ['elements', browserDistDir],
  ['embed', browserDistDir],
  ['shared', browserDistDir],
  ['custom-elements.json', browserDistDir],
  ['demo-app', distDir],
]);
