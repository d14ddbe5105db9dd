/**
 * Compiler errors and tracebacks as editor diagnostics on their lines. The lint package is loaded
 * the first time there is something to mark; its gutter goes into the compartment given.
 */
import type { Compartment, StateEffect } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import type { LineMark } from './message-lines.js';

/** Replaces the editor's diagnostics with `marks` (an empty list clears them). */
export async function showDiagnostics(
  view: EditorView,
  gutter: Compartment,
  marks: LineMark[],
  alive: () => boolean,
): Promise<void> {
  if (!marks.length && !gutter.get(view.state)) return;
  const { setDiagnostics, lintGutter } = await import('@codemirror/lint');
  if (!alive()) return;
  const doc = view.state.doc;
  const diagnostics = marks
    .filter((m) => m.line >= 1 && m.line <= doc.lines)
    .map((m) => {
      const line = doc.line(m.line);
      let from = m.column ? Math.min(line.from + m.column - 1, line.to) : line.from;
      // A column at the end of the line ("expected ';'") would be an invisible empty range.
      if (from >= line.to) from = line.from;
      return {
        from,
        to: line.to,
        severity: m.severity,
        message: m.message,
      };
    });
  const spec = setDiagnostics(view.state, diagnostics);
  const effects: StateEffect<unknown>[] = [];
  if (Array.isArray(spec.effects)) effects.push(...(spec.effects as StateEffect<unknown>[]));
  else if (spec.effects) effects.push(spec.effects as StateEffect<unknown>);
  const current = gutter.get(view.state);
  if (!current || (Array.isArray(current) && !current.length))
    effects.push(gutter.reconfigure(lintGutter()));
  view.dispatch({ effects });
}
