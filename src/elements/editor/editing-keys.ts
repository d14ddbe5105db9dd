/**
 * The undo history and the key bindings (CodeMirror's default keymap, undo/redo, Tab indenting).
 * Tab is bound, so CodeMirror's escape hatch applies: Escape then Tab moves focus on, and Ctrl-m
 * (Shift-Alt-m on macOS) toggles Tab-focus mode.
 */
import {
  defaultKeymap,
  history,
  historyKeymap,
  indentLess,
  indentMore,
  indentWithTab,
} from '@codemirror/commands';
import type { Extension } from '@codemirror/state';
import { keymap } from '@codemirror/view';

export function editingKeys(): Extension {
  return [history(), keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab])];
}

/** Tab's and Shift+Tab's commands, for a Tab pressed before these bindings had arrived. */
export { indentLess, indentMore };
