import type { Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';

/** Labels the editable content element for assistive technology and links it to a hint. */
export function contentLabel(label: string, describedBy?: string): Extension {
  const attrs: Record<string, string> = { 'aria-label': label };
  if (describedBy) attrs['aria-describedby'] = describedBy;
  return EditorView.contentAttributes.of(attrs);
}
