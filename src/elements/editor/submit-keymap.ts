import { Prec, type Extension } from '@codemirror/state';
import { keymap } from '@codemirror/view';

/** Ctrl+Enter (Cmd+Enter on macOS) calls `action`; above every other binding of the key. */
export function submitKeymap(action: () => void): Extension {
  return Prec.highest(
    keymap.of([
      {
        key: 'Mod-Enter',
        run: () => {
          action();
          return true;
        },
        preventDefault: true,
      },
    ]),
  );
}
