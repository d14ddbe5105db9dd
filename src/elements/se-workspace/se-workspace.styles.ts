import { css, unsafeCSS } from 'lit';

/** Dark defaults, shared by `theme="dark"` and `theme="auto"` under a dark colour scheme. */
const dark = unsafeCSS(`
  --se-workspace-background: var(--se-color-background, #1e1f22);
  --se-workspace-foreground: var(--se-color-foreground, #e8eaed);
  --se-workspace-muted: var(--se-color-muted, #b0b5bc);
  --se-workspace-surface: var(--se-color-surface, #26282c);
  --se-workspace-border-color: var(--se-color-border, #5a5e66);
  --se-workspace-accent: var(--se-color-accent, #8ab4f8);
  --se-workspace-accent-foreground: var(--se-color-accent-foreground, #000000);
  --se-workspace-success: var(--se-color-success, #81e2a6);
  --se-workspace-error: var(--se-color-error, #ffb4ab);
  --se-workspace-warning: var(--se-color-warning, #f5c46b);
  --se-workspace-selected: #2f3b52;
  --se-workspace-code-background: var(--se-color-code-background, #1e1f22);
  --se-workspace-code-foreground: var(--se-color-code-foreground, #e8eaed);
  --se-workspace-code-gutter-background: #26282c;
  --se-workspace-code-gutter-foreground: #b0b5bc;
  --se-workspace-code-active-line: #2b2e34;
  --se-workspace-code-selection: #264f78;
  --se-workspace-code-keyword: #d2a8ff;
  --se-workspace-code-string: #a5d6ff;
  --se-workspace-code-comment: #9ea6b0;
  --se-workspace-code-number: #79c0ff;
  --se-workspace-code-function: #ffc27a;
  --se-workspace-code-type: #ffa657;
  --se-workspace-code-meta: #ff9bce;
  --se-workspace-code-invalid: #ffb4ab;
  color-scheme: dark;
`);

export const styles = css`
  :host {
    --se-workspace-background: var(--se-color-background, #ffffff);
    --se-workspace-foreground: var(--se-color-foreground, #1f2328);
    --se-workspace-muted: var(--se-color-muted, #57606a);
    --se-workspace-surface: var(--se-color-surface, #f6f8fa);
    --se-workspace-border-color: var(--se-color-border, #8c959f);
    --se-workspace-accent: var(--se-color-accent, #0b57d0);
    --se-workspace-accent-foreground: var(--se-color-accent-foreground, #ffffff);
    --se-workspace-success: var(--se-color-success, #116329);
    --se-workspace-error: var(--se-color-error, #b3261e);
    --se-workspace-warning: var(--se-color-warning, #7a4d00);
    --se-workspace-selected: #dde8fb;
    --se-workspace-font: var(--se-font-family, system-ui, -apple-system, 'Segoe UI', sans-serif);
    --se-workspace-font-mono: var(
      --se-font-family-mono,
      ui-monospace,
      'SFMono-Regular',
      'DejaVu Sans Mono',
      Menlo,
      Consolas,
      monospace
    );
    --se-workspace-font-size: var(--se-font-size, 1rem);
    --se-workspace-code-font-size: 0.9em;
    --se-workspace-radius: var(--se-radius, 6px);
    --se-workspace-height: 36rem;
    --se-workspace-explorer-width: 14rem;
    --se-workspace-panel-height: 40%;
    --se-workspace-focus-ring: var(--se-focus-ring, 2px solid var(--se-workspace-foreground));
    --se-workspace-code-background: var(--se-color-code-background, #ffffff);
    --se-workspace-code-foreground: var(--se-color-code-foreground, #1f2328);
    --se-workspace-code-gutter-background: #f6f8fa;
    --se-workspace-code-gutter-foreground: #57606a;
    --se-workspace-code-active-line: #eef3fb;
    --se-workspace-code-selection: #c8dcfa;
    --se-workspace-code-keyword: #8128c8;
    --se-workspace-code-string: #0a3069;
    --se-workspace-code-comment: #57606a;
    --se-workspace-code-number: #0550ae;
    --se-workspace-code-function: #6639ba;
    --se-workspace-code-type: #953800;
    --se-workspace-code-meta: #a0114d;
    --se-workspace-code-invalid: #b3261e;

    /* The shared editor theme (editor/theme.ts) reads <se-solve>'s names. */
    --se-solve-code-background: var(--se-workspace-code-background);
    --se-solve-code-foreground: var(--se-workspace-code-foreground);
    --se-solve-code-gutter-background: var(--se-workspace-code-gutter-background);
    --se-solve-code-gutter-foreground: var(--se-workspace-code-gutter-foreground);
    --se-solve-code-active-line: var(--se-workspace-code-active-line);
    --se-solve-code-selection: var(--se-workspace-code-selection);
    --se-solve-code-keyword: var(--se-workspace-code-keyword);
    --se-solve-code-string: var(--se-workspace-code-string);
    --se-solve-code-comment: var(--se-workspace-code-comment);
    --se-solve-code-number: var(--se-workspace-code-number);
    --se-solve-code-function: var(--se-workspace-code-function);
    --se-solve-code-type: var(--se-workspace-code-type);
    --se-solve-code-meta: var(--se-workspace-code-meta);
    --se-solve-code-invalid: var(--se-workspace-code-invalid);
    --se-solve-code-font-size: var(--se-workspace-code-font-size);
    --se-solve-font-mono: var(--se-workspace-font-mono);
    --se-solve-border-color: var(--se-workspace-border-color);
    --se-solve-background: var(--se-workspace-background);
    --se-solve-foreground: var(--se-workspace-foreground);

    display: block;
    box-sizing: border-box;
    height: var(--se-workspace-height);
    container-type: inline-size;
    color: var(--se-workspace-foreground);
    background: var(--se-workspace-background);
    font-family: var(--se-workspace-font);
    font-size: var(--se-workspace-font-size);
    border: 1px solid var(--se-workspace-border-color);
    border-radius: var(--se-workspace-radius);
    overflow: hidden;
  }
  :host([theme='dark']) {
    ${dark}
  }
  @media (prefers-color-scheme: dark) {
    :host([theme='auto']) {
      ${dark}
    }
  }
  :host([hidden]) {
    display: none;
  }
  :host(:fullscreen),
  :host(.se-fullscreen) {
    --se-workspace-height: 100vh;
    border-radius: 0;
  }
  :host(.se-fullscreen) {
    position: fixed;
    inset: 0;
    z-index: 2147483000;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  .frame {
    display: grid;
    grid-template-rows: auto minmax(0, 1fr) auto;
    height: 100%;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.4rem;
    padding: 0.4rem 0.5rem;
    border-bottom: 1px solid var(--se-workspace-border-color);
    background: var(--se-workspace-surface);
  }
  .toolbar .spacer {
    flex: 1;
  }
  button {
    font: inherit;
    font-size: 0.9em;
    color: var(--se-workspace-foreground);
    background: var(--se-workspace-background);
    border: 1px solid var(--se-workspace-border-color);
    border-radius: var(--se-workspace-radius);
    padding: 0.3rem 0.75rem;
    cursor: pointer;
    min-height: 2rem;
  }
  button.primary {
    background: var(--se-workspace-accent);
    color: var(--se-workspace-accent-foreground);
    border-color: var(--se-workspace-accent);
    font-weight: 600;
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.6;
  }
  :focus-visible {
    outline: var(--se-workspace-focus-ring);
    outline-offset: 2px;
  }
  .save-state {
    font-size: 0.85em;
    color: var(--se-workspace-muted);
    display: inline-flex;
    align-items: center;
    gap: 0.3rem;
  }
  .save-state.conflict,
  .save-state.offline {
    color: var(--se-workspace-warning);
  }
  .icon {
    flex: none;
    vertical-align: -0.15em;
  }
  .icon .spin {
    transform-origin: 8px 8px;
    animation: spin 1s linear infinite;
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
  .main {
    display: grid;
    grid-template-columns: var(--se-workspace-explorer-width) minmax(0, 1fr);
    grid-template-rows: minmax(0, 1fr) minmax(6rem, var(--se-workspace-panel-height));
    min-height: 0;
  }
  .main.no-explorer {
    grid-template-columns: minmax(0, 1fr);
  }
  .explorer {
    grid-row: 1 / span 2;
    overflow: auto;
    border-right: 1px solid var(--se-workspace-border-color);
    padding: 0.25rem 0;
    min-height: 0;
  }
  .explorer h2,
  .panel h2 {
    font-size: 0.75em;
    text-transform: uppercase;
    letter-spacing: 0.05em;
    color: var(--se-workspace-muted);
    margin: 0.25rem 0.6rem;
  }
  .explorer-head {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 0.25rem;
    padding-right: 0.4rem;
  }
  .file-actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem;
    padding: 0 0.4rem;
  }
  .file-actions button,
  .tree-form button,
  .tree-confirm button {
    font-size: 0.8em;
    padding: 0.1rem 0.45rem;
    min-height: 1.75rem;
  }
  .tree-form,
  .tree-confirm,
  .tree-error {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.3rem;
    margin: 0.3rem 0.4rem;
    font-size: 0.85em;
  }
  .tree-form label {
    flex: 1 0 100%;
  }
  .tree-form input {
    flex: 1 1 6rem;
    min-width: 0;
    font: inherit;
    color: var(--se-workspace-foreground);
    background: var(--se-workspace-background);
    border: 1px solid var(--se-workspace-border-color);
    border-radius: var(--se-workspace-radius);
    padding: 0.2rem 0.35rem;
  }
  .tree-form input[aria-invalid='true'] {
    border-color: var(--se-workspace-error);
  }
  .tree-error {
    color: var(--se-workspace-error);
  }
  [role='tree'],
  [role='tree'] [role='group'] {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  [role='treeitem'] {
    display: block;
    cursor: pointer;
    outline: none;
  }
  [role='treeitem'] > .row {
    display: flex;
    align-items: center;
    gap: 0.3rem;
    padding: 0.15rem 0.5rem 0.15rem calc(0.6rem + var(--depth, 0) * 0.9rem);
    white-space: nowrap;
    font-size: 0.9em;
  }
  [role='treeitem']:focus-visible > .row {
    outline: var(--se-workspace-focus-ring);
    outline-offset: -2px;
  }
  [role='treeitem'][aria-selected='true'] > .row {
    background: var(--se-workspace-selected);
  }
  .twisty {
    display: inline-block;
    width: 0.8em;
    text-align: center;
    color: var(--se-workspace-muted);
  }
  .badge {
    font-size: 0.75em;
    color: var(--se-workspace-muted);
    border: 1px solid var(--se-workspace-border-color);
    border-radius: 999px;
    padding: 0 0.35rem;
  }
  .work {
    display: grid;
    grid-template-rows: auto minmax(0, 1fr);
    min-height: 0;
    min-width: 0;
  }
  [role='tablist'] {
    display: flex;
    overflow-x: auto;
    border-bottom: 1px solid var(--se-workspace-border-color);
    background: var(--se-workspace-surface);
    min-height: 2.1rem;
  }
  [role='tab'] {
    border: 0;
    border-right: 1px solid var(--se-workspace-border-color);
    border-radius: 0;
    background: transparent;
    padding: 0.3rem 0.7rem;
    white-space: nowrap;
    display: inline-flex;
    align-items: center;
    gap: 0.35rem;
  }
  [role='tab'][aria-selected='true'] {
    background: var(--se-workspace-background);
    box-shadow: inset 0 -2px 0 var(--se-workspace-accent);
    font-weight: 600;
  }
  .dirty {
    color: var(--se-workspace-accent);
    font-size: 0.8em;
  }
  .editor-box {
    position: relative;
    min-height: 0;
    height: 100%;
    overflow: hidden;
    background: var(--se-workspace-code-background);
  }
  .editor-box .cm-editor {
    height: 100%;
  }
  .empty {
    color: var(--se-workspace-muted);
    padding: 1rem;
    margin: 0;
  }
  .panel {
    display: grid;
    grid-template-rows: auto minmax(0, 1fr);
    border-top: 1px solid var(--se-workspace-border-color);
    min-height: 0;
    min-width: 0;
  }
  .panel [role='tabpanel'] {
    overflow: auto;
    min-height: 0;
    padding: 0.5rem;
  }
  .panel [role='tabpanel'].terminal-panel {
    padding: 0.25rem;
    overflow: hidden;
    background: var(--se-workspace-code-background);
  }
  .terminal-box {
    height: 100%;
    width: 100%;
  }
  .terminal-bar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 0.25rem 0.5rem;
    margin: 0 0 0.25rem;
  }
  .terminal-bar > button {
    font-size: 0.8em;
    padding: 0.1rem 0.45rem;
    min-height: 1.75rem;
  }
  .terminal-bar > button[aria-pressed='true'] {
    border-color: var(--se-workspace-accent);
    font-weight: 600;
  }
  .terminal-note {
    margin: 0;
    font-size: 0.85em;
    color: var(--se-workspace-muted);
  }
  .stage {
    margin: 0 0 0.75rem;
  }
  .stage h3 {
    font-size: 0.9em;
    margin: 0 0 0.25rem;
    display: flex;
    gap: 0.5rem;
    align-items: baseline;
  }
  .stage h3 .meta {
    font-weight: normal;
    color: var(--se-workspace-muted);
  }
  pre {
    font-family: var(--se-workspace-font-mono);
    font-size: var(--se-workspace-code-font-size);
    background: var(--se-workspace-surface);
    border: 1px solid var(--se-workspace-border-color);
    border-radius: var(--se-workspace-radius);
    padding: 0.4rem 0.5rem;
    margin: 0.15rem 0 0.4rem;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    max-height: 20rem;
    overflow: auto;
  }
  pre.stderr {
    border-color: var(--se-workspace-error);
  }
  .stream-label {
    font-size: 0.8em;
    color: var(--se-workspace-muted);
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-size: 0.9em;
  }
  caption {
    text-align: start;
    font-weight: 600;
    padding-bottom: 0.3rem;
  }
  th,
  td {
    text-align: start;
    padding: 0.25rem 0.5rem;
    border-bottom: 1px solid var(--se-workspace-border-color);
    vertical-align: top;
  }
  th.test-name {
    width: 30%;
    overflow-wrap: break-word;
  }
  td.test-status,
  td.test-time {
    white-space: nowrap;
  }
  td.message {
    width: 55%;
  }
  td.message pre {
    margin: 0;
    max-height: 8rem;
    font-size: 0.85em;
  }
  .test-ok {
    color: var(--se-workspace-success);
  }
  .test-failure,
  .test-error {
    color: var(--se-workspace-error);
  }
  .status-line {
    display: flex;
    align-items: center;
    gap: 0.4rem;
    margin: 0 0 0.5rem;
    font-weight: 600;
  }
  .status-line.ok {
    color: var(--se-workspace-success);
  }
  .status-line.fail {
    color: var(--se-workspace-error);
  }
  .notice {
    margin: 0.5rem;
    padding: 0.5rem 0.75rem;
    border: 1px solid var(--se-workspace-warning);
    border-radius: var(--se-workspace-radius);
    background: var(--se-workspace-surface);
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
  .notice.error {
    border-color: var(--se-workspace-error);
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
  .hint {
    font-size: 0.8em;
    color: var(--se-workspace-muted);
    padding: 0.15rem 0.5rem;
    margin: 0;
  }
  /* Narrow: the explorer goes above the editor, the panel below it. */
  @container (max-width: 600px) {
    .main,
    .main.no-explorer {
      grid-template-columns: minmax(0, 1fr);
      grid-template-rows: auto minmax(8rem, 1fr) minmax(6rem, var(--se-workspace-panel-height));
    }
    /* The tests table reads as one block per test. */
    table,
    caption,
    tbody,
    tr,
    th,
    td {
      display: block;
      width: auto;
    }
    thead {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0, 0, 0, 0);
    }
    tr {
      border-bottom: 1px solid var(--se-workspace-border-color);
      padding: 0.25rem 0;
    }
    th.test-name,
    td.message {
      width: auto;
    }
    th,
    td {
      border-bottom: 0;
      padding: 0.1rem 0.25rem;
    }
    .explorer {
      grid-row: auto;
      max-height: 11rem;
      border-right: 0;
      border-bottom: 1px solid var(--se-workspace-border-color);
    }
  }
`;
