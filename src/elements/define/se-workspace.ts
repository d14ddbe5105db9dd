/** Registers `<se-workspace>`. Importing it twice, or beside the script-tag bundle, is harmless. */
import { SeWorkspace } from '../se-workspace/se-workspace.js';

if (!customElements.get('se-workspace')) {
  customElements.define('se-workspace', SeWorkspace);
}

export { SeWorkspace };

declare global {
  interface HTMLElementTagNameMap {
    'se-workspace': SeWorkspace;
  }
}
