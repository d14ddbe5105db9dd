/**
 * Entry of the script-tag bundle (`dist/cdn/se-widgets.js`): registers every element with a small
 * shell. Each `<se-solve>` draws its placeholder at once and loads the element's code (the editor
 * and its language pack, in chunks beside this file) when it nears the viewport, gets focus or is
 * asked to act; `loading="eager"` loads it at once.
 */
import { SeSolveBase } from '../se-solve/se-solve-base.js';

SeSolveBase.loadCore = () => import('../se-solve/se-solve.js').then((m) => m.SeSolve);

if (!customElements.get('se-solve')) {
  customElements.define('se-solve', SeSolveBase);
}

/**
 * `<se-workspace>` is defined by its own chunk, loaded the first time the page holds one (now or
 * later): pages with only `<se-solve>` widgets never fetch it.
 */
function defineWorkspaceWhenUsed(): void {
  if (customElements.get('se-workspace')) return;
  let loading = false;
  const load = () => {
    if (loading) return;
    loading = true;
    observer?.disconnect();
    void import('./se-workspace.js');
  };
  const observer =
    typeof MutationObserver === 'function'
      ? new MutationObserver(() => {
          if (document.getElementsByTagName('se-workspace').length) load();
        })
      : null;
  if (document.getElementsByTagName('se-workspace').length) load();
  else observer?.observe(document.documentElement, { childList: true, subtree: true });
}

defineWorkspaceWhenUsed();
