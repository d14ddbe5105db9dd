/**
 * Diagnostics drawn on their lines: an underline on the range and a marker in a gutter, each with
 * the message as its title. Not @codemirror/lint: its hover tooltips and panel need the tooltip and
 * panel machinery of @codemirror/view, which would then ride in the editor's first chunk (about
 * 4 KB brotli) although a widget needs none of it until a compile error comes back.
 */
import {
  RangeSet,
  StateEffect,
  StateField,
  type EditorState,
  type Extension,
} from '@codemirror/state';
import { Decoration, EditorView, GutterMarker, gutter, type DecorationSet } from '@codemirror/view';

export interface Diagnostic {
  from: number;
  to: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

const weight = { info: 0, warning: 1, error: 2 } as const;

class Marker extends GutterMarker {
  constructor(
    readonly severity: Diagnostic['severity'],
    readonly text: string,
  ) {
    super();
  }

  override eq(other: GutterMarker): boolean {
    return other instanceof Marker && other.severity === this.severity && other.text === this.text;
  }

  override toDOM(): Node {
    const el = document.createElement('div');
    el.className = `cm-lint-marker cm-lint-marker-${this.severity}`;
    el.title = this.text;
    return el;
  }
}

interface Marks {
  ranges: DecorationSet;
  markers: RangeSet<GutterMarker>;
}

function build(state: EditorState, list: readonly Diagnostic[]): Marks {
  const byLine = new Map<number, Diagnostic[]>();
  for (const d of list) {
    const at = state.doc.lineAt(d.from).from;
    byLine.set(at, [...(byLine.get(at) ?? []), d]);
  }
  const markers = [...byLine].map(([at, ds]) => {
    const worst = ds.reduce((a, b) => (weight[b.severity] > weight[a.severity] ? b : a));
    return new Marker(worst.severity, ds.map((d) => d.message).join('\n')).range(at);
  });
  const ranges = list
    .filter((d) => d.to > d.from)
    .map((d) =>
      Decoration.mark({
        class: `cm-lintRange cm-lintRange-${d.severity}`,
        attributes: { title: d.message },
      }).range(d.from, d.to),
    );
  return { ranges: Decoration.set(ranges, true), markers: RangeSet.of(markers, true) };
}

/** Replaces every diagnostic (an empty list clears them). */
export const setDiagnostics = StateEffect.define<readonly Diagnostic[]>();

const marks = StateField.define<Marks>({
  create: () => ({ ranges: Decoration.none, markers: RangeSet.empty }),
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setDiagnostics)) return build(tr.state, e.value);
    if (!tr.docChanged) return value;
    return { ranges: value.ranges.map(tr.changes), markers: value.markers.map(tr.changes) };
  },
  provide: (f) => EditorView.decorations.from(f, (v) => v.ranges),
});

function svg(content: string, attrs = 'viewBox="0 0 40 40"'): string {
  return `url('data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" ${attrs}>${encodeURIComponent(content)}</svg>')`;
}
const underline = (color: string) =>
  svg(
    `<path d="m0 2.5 l2 -1.5 l1 0 l2 1.5 l1 0" stroke="${color}" fill="none" stroke-width=".7"/>`,
    'width="6" height="3"',
  );

// The look of @codemirror/lint's ranges and gutter markers (shape tells the severity, not colour
// alone: circle, triangle, square).
const theme = EditorView.baseTheme({
  '.cm-lintRange': {
    backgroundPosition: 'left bottom',
    backgroundRepeat: 'repeat-x',
    paddingBottom: '0.7px',
  },
  '.cm-lintRange-error': { backgroundImage: underline('#f11') },
  '.cm-lintRange-warning': { backgroundImage: underline('orange') },
  '.cm-lintRange-info': { backgroundImage: underline('#999') },
  '.cm-gutter-lint': { width: '1.4em', '& .cm-gutterElement': { padding: '.2em' } },
  '.cm-lint-marker': { width: '1em', height: '1em' },
  '.cm-lint-marker-info': {
    content: svg(
      '<path fill="#aaf" stroke="#77e" stroke-width="6" stroke-linejoin="round" d="M5 5L35 5L35 35L5 35Z"/>',
    ),
  },
  '.cm-lint-marker-warning': {
    content: svg(
      '<path fill="#fe8" stroke="#fd7" stroke-width="6" stroke-linejoin="round" d="M20 6L37 35L3 35Z"/>',
    ),
  },
  '.cm-lint-marker-error': {
    content: svg('<circle cx="20" cy="20" r="15" fill="#f87" stroke="#f43" stroke-width="6"/>'),
  },
});

/** The state, the underlines and the gutter of the diagnostics. */
export function diagnosticMarks(): Extension {
  return [
    marks,
    gutter({ class: 'cm-gutter-lint', markers: (view) => view.state.field(marks).markers }),
    theme,
  ];
}
