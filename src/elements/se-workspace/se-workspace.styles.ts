import { css } from 'lit';
import { baseRules, editorAliases, palette } from '../palette.js';

const workspace = palette('workspace', { selected: ['#dde8fb', '#2f3b52'] });

export const styles = css`
  :host {
    ${workspace.host}
    --se-workspace-height: 36rem;
    --se-workspace-explorer-width: 14rem;
    --se-workspace-panel-height: 40%;

    ${editorAliases('workspace')}

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
  ${workspace.themes}
  ${baseRules}
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
