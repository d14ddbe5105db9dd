/**
 * Compiler errors and tracebacks as editor diagnostics on their lines. Their code (./diagnostic-marks)
 * is loaded the first time there is something to mark; its gutter goes into the compartment given.
 */
import type { Compartment } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import type { LineMark } from './message-lines.js';

/** Replaces the editor's diagnostics with `marks` (an empty list clears them). */
export async function showDiagnostics(
  view: EditorView,
  gutter: Compartment,
  marks: LineMark[],
  alive: () => boolean,
): Promise<void> {
  const current = gutter.get(view.state);
  const installed = !!current && !(Array.isArray(current) && !current.length);
  if (!marks.length && !installed) return;
  const { setDiagnostics, diagnosticMarks } = await import('./diagnostic-marks.js');
  if (!alive()) return;
  // A field added by a reconfiguration starts empty and misses that transaction's effects: first
  // the extension, then the marks.
  if (!installed) view.dispatch({ effects: gutter.reconfigure(diagnosticMarks()) });
  const doc = view.state.doc;
  const diagnostics = marks
    .filter((m) => m.line >= 1 && m.line <= doc.lines)
    .map((m) => {
      const line = doc.line(m.line);
      let from = m.column ? Math.min(line.from + m.column - 1, line.to) : line.from;
      // A column at the end of the line ("expected ';'") would be an invisible empty range.
      if (from >= line.to) from = line.from;
      return { from, to: line.to, severity: m.severity, message: m.message };
    });
  view.dispatch({ effects: setDiagnostics.of(diagnostics) });
}
