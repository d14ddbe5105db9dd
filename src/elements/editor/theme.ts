/**
 * The editor's look, entirely from the element's CSS custom properties, so one theme extension
 * serves light and dark and hosts restyle it without touching CodeMirror's DOM.
 */
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import type { Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';

const v = (name: string) => `var(--se-solve-code-${name})`;

const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.moduleKeyword, t.operatorKeyword], color: v('keyword') },
  { tag: [t.string, t.special(t.string), t.regexp, t.character], color: v('string') },
  {
    tag: [t.comment, t.lineComment, t.blockComment, t.docComment],
    color: v('comment'),
    fontStyle: 'italic',
  },
  { tag: [t.number, t.bool, t.null, t.atom], color: v('number') },
  {
    tag: [t.definition(t.variableName), t.function(t.variableName), t.function(t.propertyName)],
    color: v('function'),
  },
  { tag: [t.typeName, t.className, t.namespace, t.standard(t.variableName)], color: v('type') },
  { tag: [t.processingInstruction, t.meta, t.macroName], color: v('meta') },
  { tag: t.invalid, color: v('invalid') },
  { tag: t.strong, fontWeight: 'bold' },
  { tag: t.emphasis, fontStyle: 'italic' },
]);

/** Theme and highlighting; `dark` picks CodeMirror's dark base styles (selection, cursor). */
export function editorTheme(dark: boolean): Extension {
  return [
    EditorView.theme(
      {
        '&': {
          color: 'var(--se-solve-code-foreground)',
          backgroundColor: 'var(--se-solve-code-background)',
          height: '100%',
          fontSize: 'var(--se-solve-code-font-size)',
        },
        '&.cm-focused': { outline: 'none' },
        '.cm-scroller': {
          fontFamily: 'var(--se-solve-font-mono)',
          lineHeight: '1.5',
        },
        '.cm-content': { caretColor: 'var(--se-solve-code-foreground)' },
        '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--se-solve-code-foreground)' },
        '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection':
          { backgroundColor: 'var(--se-solve-code-selection)' },
        '.cm-gutters': {
          backgroundColor: 'var(--se-solve-code-gutter-background)',
          color: 'var(--se-solve-code-gutter-foreground)',
          borderRight: '1px solid var(--se-solve-border-color)',
        },
        '.cm-activeLine': { backgroundColor: 'var(--se-solve-code-active-line)' },
        '.cm-activeLineGutter': {
          backgroundColor: 'var(--se-solve-code-active-line)',
          color: 'var(--se-solve-code-foreground)',
        },
        '.cm-matchingBracket, &.cm-focused .cm-matchingBracket': {
          backgroundColor: 'transparent',
          outline: '1px solid var(--se-solve-code-comment)',
          color: 'inherit',
        },
        '.cm-diagnostic': { whiteSpace: 'pre-wrap', fontFamily: 'var(--se-solve-font-mono)' },
        '.cm-tooltip': {
          backgroundColor: 'var(--se-solve-background)',
          color: 'var(--se-solve-foreground)',
          border: '1px solid var(--se-solve-border-color)',
        },
      },
      { dark },
    ),
    syntaxHighlighting(highlight),
  ];
}
