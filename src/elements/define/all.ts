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
