import { css, unsafeCSS, type CSSResult } from 'lit';

/**
 * The colours and type of both elements, in one table: each element declares them under its own
 * prefix (`--se-solve-accent`, `--se-workspace-accent`), each defaulting to the page-wide
 * `--se-color-*` / `--se-font-*` property a host sets once for every widget.
 */

/** name → [page-wide property or null, light default, dark default] */
const colours: Record<string, [string | null, string, string]> = {
  background: ['--se-color-background', '#ffffff', '#1e1f22'],
  foreground: ['--se-color-foreground', '#1f2328', '#e8eaed'],
  muted: ['--se-color-muted', '#57606a', '#b0b5bc'],
  surface: ['--se-color-surface', '#f6f8fa', '#26282c'],
  'border-color': ['--se-color-border', '#8c959f', '#5a5e66'],
  accent: ['--se-color-accent', '#0b57d0', '#8ab4f8'],
  success: ['--se-color-success', '#116329', '#81e2a6'],
  error: ['--se-color-error', '#b3261e', '#ffb4ab'],
  warning: ['--se-color-warning', '#7a4d00', '#f5c46b'],
  'code-background': ['--se-color-code-background', '#ffffff', '#1e1f22'],
  'code-foreground': ['--se-color-code-foreground', '#1f2328', '#e8eaed'],
  'code-gutter-background': [null, '#f6f8fa', '#26282c'],
  'code-gutter-foreground': [null, '#57606a', '#b0b5bc'],
  'code-active-line': [null, '#eef3fb', '#2b2e34'],
  'code-selection': [null, '#c8dcfa', '#264f78'],
  'code-keyword': [null, '#8128c8', '#d2a8ff'],
  'code-string': [null, '#0a3069', '#a5d6ff'],
  'code-comment': [null, '#57606a', '#9ea6b0'],
  'code-number': [null, '#0550ae', '#79c0ff'],
  'code-function': [null, '#6639ba', '#ffc27a'],
  'code-type': [null, '#953800', '#ffa657'],
  'code-meta': [null, '#a0114d', '#ff9bce'],
  'code-invalid': [null, '#b3261e', '#ffb4ab'],
};

const fontStack = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const monoStack = "ui-monospace, 'SFMono-Regular', 'DejaVu Sans Mono', Menlo, Consolas, monospace";

function declarations(
  prefix: string,
  scheme: 1 | 2,
  extra: Record<string, [string, string]>,
): string {
  const p = `--se-${prefix}-`;
  const lines = Object.entries(colours).map(([name, [page, ...defaults]]) => {
    const value = defaults[scheme - 1];
    return `${p}${name}: ${page ? `var(${page}, ${value})` : value};`;
  });
  for (const [name, values] of Object.entries(extra))
    lines.push(`${p}${name}: ${values[scheme - 1]};`);
  lines.push(`color-scheme: ${scheme === 1 ? 'light' : 'dark'};`);
  return lines.join('\n');
}

/**
 * The custom properties of an element whose properties are named `--se-<prefix>-*`: `host` goes
 * inside its `:host { }` rule (light colours, fonts, radius, focus ring); `themes` is the rules
 * that switch to the dark colours for `theme="dark"`, and for `theme="auto"` under a dark colour
 * scheme. `extra` adds the element's own colours, as [light, dark].
 */
export function palette(
  prefix: string,
  extra: Record<string, [string, string]> = {},
): { host: CSSResult; themes: CSSResult } {
  const p = `--se-${prefix}-`;
  const dark = declarations(prefix, 2, extra);
  return {
    host: unsafeCSS(`${declarations(prefix, 1, extra)}
    /* Text on the accent: black or white, whichever contrasts more with the accent (relative
       luminance above 0.179 takes black), unless the host gives the pair. */
    ${p}accent-foreground: var(--se-color-accent-foreground, color(from var(${p}accent) srgb-linear
      clamp(0, (0.179 - (0.2126 * r + 0.7152 * g + 0.0722 * b)) * 1000000, 1)
      clamp(0, (0.179 - (0.2126 * r + 0.7152 * g + 0.0722 * b)) * 1000000, 1)
      clamp(0, (0.179 - (0.2126 * r + 0.7152 * g + 0.0722 * b)) * 1000000, 1)));
    ${p}font: var(--se-font-family, ${fontStack});
    ${p}font-mono: var(--se-font-family-mono, ${monoStack});
    ${p}font-size: var(--se-font-size, 1rem);
    ${p}code-font-size: 0.9em;
    ${p}radius: var(--se-radius, 6px);
    /* The foreground contrasts with the background in every theme; an accent may not. */
    ${p}focus-ring: var(--se-focus-ring, 2px solid var(${p}foreground));`),
    themes: unsafeCSS(`:host([theme='dark']) { ${dark} }
  @media (prefers-color-scheme: dark) { :host([theme='auto']) { ${dark} } }`),
  };
}

/**
 * For an element other than `<se-solve>`: the shared editor theme (editor/theme.ts) reads
 * `<se-solve>`'s names, so these point them at the element's own (inside its `:host { }` rule).
 */
export function editorAliases(prefix: string): CSSResult {
  const names = [
    ...Object.keys(colours).filter((name) => name.startsWith('code-')),
    'code-font-size',
    'font-mono',
    'border-color',
    'background',
    'foreground',
  ];
  return unsafeCSS(
    names.map((name) => `--se-solve-${name}: var(--se-${prefix}-${name});`).join('\n'),
  );
}

/** The rules both elements start with: `hidden`, border-box sizing, status icons, `.sr-only`. */
export const baseRules = css`
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  .icon {
    flex: none;
    vertical-align: -0.15em;
  }
  .icon .spin {
    transform-origin: 8px 8px;
    animation: spin 0.9s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .icon .spin {
      animation: none;
    }
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0, 0, 0, 0);
    white-space: nowrap;
    border: 0;
  }
`;
