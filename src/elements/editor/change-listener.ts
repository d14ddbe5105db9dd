import type { Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';

/**
 * Reports document changes; `byUser` is true for input, paste, undo and the like, false for changes
 * the element made itself (a host setting `source`, a language template).
 */
export function changeListener(report: (source: string, byUser: boolean) => void): Extension {
  return EditorView.updateListener.of((update) => {
    if (!update.docChanged) return;
    const byUser = update.transactions.some(
      (tr) =>
        tr.isUserEvent('input') ||
        tr.isUserEvent('delete') ||
        tr.isUserEvent('move') ||
        tr.isUserEvent('undo') ||
        tr.isUserEvent('redo'),
    );
    report(update.state.doc.toString(), byUser);
  });
}
