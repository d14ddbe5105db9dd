/**
 * The editing features every widget editor has. Deliberately smaller than CodeMirror's
 * `basicSetup` (no autocompletion, search or lint until needed) to keep the first load small.
 */
import type { Extension } from '@codemirror/state';
import { displaySetup } from './display-setup.js';
import { editingKeys } from './editing-keys.js';

/**
 * Line numbers, history, bracket matching, auto-indent, and Tab indenting. Tab is bound, so
 * CodeMirror's escape hatch applies: Escape then Tab moves focus on, and Ctrl-m (Shift-Alt-m on
 * macOS) toggles Tab-focus mode. `<se-solve>` takes the two halves apart (./display-setup at once,
 * ./editing-keys on first use); this is both at once.
 */
export function basicSetup(): Extension {
  return [displaySetup(), editingKeys()];
}
