/**
 * The editing features every widget editor has. Deliberately smaller than CodeMirror's
 * `basicSetup` (no autocompletion, search or lint until needed) to keep the first load small.
 */
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, indentOnInput, indentUnit } from '@codemirror/language';
import { EditorState, type Extension } from '@codemirror/state';
import {
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from '@codemirror/view';

/**
 * Line numbers, history, bracket matching, auto-indent, and Tab indenting. Tab is bound, so
 * CodeMirror's escape hatch applies: Escape then Tab moves focus on, and Ctrl-m (Shift-Alt-m on
 * macOS) toggles Tab-focus mode.
 */
export function basicSetup(): Extension {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    drawSelection(),
    EditorState.allowMultipleSelections.of(true),
    indentOnInput(),
    indentUnit.of('    '),
    bracketMatching(),
    highlightActiveLine(),
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
  ];
}
