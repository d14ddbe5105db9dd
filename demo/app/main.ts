// The demo app: what a single-page app does with the npm package. The import resolves through the
// package's "exports" (here by self-reference), registers <se-solve>, and brings its types.
import 'se-widgets/se-solve.js';
import type { SeResultEvent, SeSolve } from 'se-widgets';

const mount = document.getElementById('app');
const log = document.getElementById('events');

function note(text: string): void {
  const li = document.createElement('li');
  li.textContent = text;
  log?.prepend(li);
}

const solve: SeSolve = document.createElement('se-solve');
solve.id = 'app-solve';
solve.widget = 'run-demo';
solve.backend = location.origin;
solve.languages = 'python3 cpp c';
solve.language = 'python3';

for (const type of ['se-ready', 'se-submit', 'se-status', 'se-error', 'se-token-expired'] as const)
  solve.addEventListener(type, () => note(type));
solve.addEventListener('se-result', (e: SeResultEvent) =>
  note(`se-result: ${e.detail.result.status.name}`),
);
solve.addEventListener(
  'se-ready',
  () => {
    if (!solve.source.includes('input()')) {
      solve.source = 'name = input()\nprint(f"Hello, {name}!")\n';
      solve.input = 'app';
    }
  },
  { once: true },
);
mount?.append(solve);
