/** Registers `<se-solve>`. Importing it twice, or beside the script-tag bundle, is harmless. */
import { SeSolve } from '../se-solve/se-solve.js';

if (!customElements.get('se-solve')) {
  customElements.define('se-solve', SeSolve);
}

export { SeSolve };

declare global {
  interface HTMLElementTagNameMap {
    'se-solve': SeSolve;
  }
}
