import { css } from 'lit';
import { baseRules, palette } from '../palette.js';

const solve = palette('solve');

export const styles = css`
  :host {
    ${solve.host}
    --se-solve-height: auto;
    --se-solve-editor-height: 16rem;
    --se-solve-statement-max-height: 40%;

    display: block;
    box-sizing: border-box;
    height: var(--se-solve-height);
    min-width: 0;
    font-family: var(--se-solve-font);
    font-size: var(--se-solve-font-size);
    line-height: 1.45;
    color: var(--se-solve-foreground);
  }
  ${solve.themes}
  ${baseRules}

  .frame {
    display: flex;
    flex-direction: column;
    gap: 0.5rem;
    height: 100%;
    min-height: 0;
    padding: 0.75rem;
    background: var(--se-solve-background);
    border: 1px solid var(--se-solve-border-color);
    border-radius: var(--se-solve-radius);
  }

  .statement {
    flex: 0 1 auto;
    min-height: 3rem;
    max-height: var(--se-solve-statement-max-height);
    overflow: auto;
    overflow-wrap: anywhere;
    padding: 0 0.25rem;
  }
  .statement h2 {
    margin: 0 0 0.5rem;
    font-size: 1.2em;
  }
  .statement pre,
  .statement code {
    font-family: var(--se-solve-font-mono);
  }
  .statement pre {
    padding: 0.5rem;
    overflow: auto;
    background: var(--se-solve-surface);
    border-radius: var(--se-solve-radius);
  }
  .statement img {
    max-width: 100%;
    height: auto;
  }
  .statement a {
    color: inherit;
    text-decoration: underline;
  }

  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
  }
  .toolbar .spacer {
    flex: 1 1 0;
  }
  .picker {
    display: flex;
    align-items: center;
    gap: 0.4rem;
    min-width: 0;
    max-width: 100%;
  }
  select,
  textarea,
  button {
    font: inherit;
    color: inherit;
    border-radius: var(--se-solve-radius);
  }
  select {
    min-width: 0;
    max-width: 100%;
    min-height: 2.25rem;
    padding: 0.25rem 0.5rem;
    background: var(--se-solve-background);
    border: 1px solid var(--se-solve-border-color);
  }
  button {
    min-height: 2.25rem;
    min-width: 2.75rem;
    padding: 0.25rem 1rem;
    border: 1px solid var(--se-solve-accent);
    background: var(--se-solve-accent);
    color: var(--se-solve-accent-foreground);
    font-weight: 600;
    cursor: pointer;
  }
  button.secondary {
    background: transparent;
    color: var(--se-solve-foreground);
    border-color: var(--se-solve-border-color);
    font-weight: 400;
  }
  button[aria-disabled='true'] {
    cursor: progress;
    opacity: 0.85;
  }
  :is(button, select, textarea, pre, .statement, a):focus-visible {
    outline: var(--se-solve-focus-ring);
    outline-offset: 2px;
  }

  .editor {
    flex: 1 1 var(--se-solve-editor-height);
    height: var(--se-solve-editor-height);
    min-height: 6rem;
    overflow: hidden;
    border: 1px solid var(--se-solve-border-color);
    border-radius: var(--se-solve-radius);
    background: var(--se-solve-code-background);
  }
  .editor:focus-within {
    outline: var(--se-solve-focus-ring);
    outline-offset: 1px;
  }
  /* The script-tag placeholder's code box: where CodeMirror's text will be, with a gutter drawn
     like the editor's, so the editor arrives without a jump. */
  .editor textarea.code {
    display: block;
    width: 100%;
    height: 100%;
    margin: 0;
    border: 0;
    border-radius: 0;
    resize: none;
    outline: none;
    padding: 4px 2px 4px 27px;
    color: var(--se-solve-code-foreground);
    background: linear-gradient(
      to right,
      var(--se-solve-code-gutter-background) 20px,
      var(--se-solve-border-color) 20px 21px,
      transparent 21px
    );
    font-family: var(--se-solve-font-mono);
    font-size: var(--se-solve-code-font-size);
    line-height: 1.5;
    white-space: pre;
    tab-size: 4;
  }
  .hint {
    margin: 0;
    font-size: 0.85em;
    color: var(--se-solve-muted);
  }

  .stdin {
    display: flex;
    flex-direction: column;
    gap: 0.25rem;
    flex: 0 0 auto;
  }
  textarea {
    width: 100%;
    min-height: 3.5rem;
    height: 4.5rem;
    resize: vertical;
    padding: 0.4rem 0.5rem;
    font-family: var(--se-solve-font-mono);
    font-size: var(--se-solve-code-font-size);
    background: var(--se-solve-code-background);
    border: 1px solid var(--se-solve-border-color);
  }

  .results {
    flex: 0 1 auto;
    min-height: 0;
    overflow: auto;
  }
  .results:empty {
    display: none;
  }
  .status {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.4rem;
    min-height: 1.5rem;
    font-weight: 600;
  }
  .status .summary {
    font-weight: 400;
  }
  .tone-ok {
    color: var(--se-solve-success);
  }
  .tone-fail {
    color: var(--se-solve-error);
  }
  .tone-warn {
    color: var(--se-solve-warning);
  }
  /* Stale results keep their colours (dimming them fails contrast); a bar and the note say so. */
  .stale .details {
    border-inline-start: 4px dashed var(--se-solve-warning);
    padding-inline-start: 0.5rem;
  }
  .work {
    display: contents;
  }
  [hidden] {
    display: none !important;
  }
  .badge {
    padding: 0.1rem 0.5rem;
    border: 1px solid var(--se-solve-border-color);
    border-radius: var(--se-solve-radius);
    font-size: 0.85em;
  }
  .try {
    display: flex;
    flex-direction: column;
    gap: 0.4rem;
    flex: 0 0 auto;
  }
  .try summary {
    cursor: pointer;
  }
  .try[open] {
    gap: 0.4rem;
  }
  .try > button {
    align-self: flex-start;
  }
  .reason {
    margin: 0.25rem 0;
  }
  mark.diff-line {
    color: inherit;
    background: transparent;
    text-decoration: underline wavy var(--se-solve-error);
    text-underline-offset: 3px;
    font-weight: 700;
  }
  .note {
    display: flex;
    align-items: center;
    gap: 0.4rem;
    margin: 0.25rem 0;
    font-size: 0.9em;
    color: var(--se-solve-warning);
  }
  .muted {
    color: var(--se-solve-muted);
    margin: 0.25rem 0;
  }
  .metrics {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 1.25rem;
    margin: 0.5rem 0;
  }
  .metrics div {
    display: flex;
    gap: 0.35rem;
  }
  .metrics dt {
    color: var(--se-solve-muted);
  }
  .metrics dd {
    margin: 0;
  }
  h3 {
    margin: 0.6rem 0 0.25rem;
    font-size: 0.95em;
  }
  pre {
    margin: 0;
    max-height: 14rem;
    overflow: auto;
    padding: 0.5rem;
    font-family: var(--se-solve-font-mono);
    font-size: var(--se-solve-code-font-size);
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    background: var(--se-solve-surface);
    border: 1px solid var(--se-solve-border-color);
    border-radius: var(--se-solve-radius);
  }
  .stderr pre,
  .cmpinfo pre {
    border-left: 4px solid var(--se-solve-error);
  }
  .tests {
    overflow-x: auto;
  }
  table {
    border-collapse: collapse;
    margin: 0.5rem 0;
    min-width: 100%;
  }
  caption {
    text-align: start;
    font-weight: 600;
    padding-bottom: 0.25rem;
  }
  th,
  td {
    text-align: start;
    padding: 0.25rem 0.6rem;
    border-bottom: 1px solid var(--se-solve-border-color);
    white-space: nowrap;
  }
  td .icon {
    margin-inline-end: 0.2rem;
  }
  .diff {
    margin: 0.25rem 0;
  }
  .diff summary {
    cursor: pointer;
  }
  .diff-panes {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr));
    gap: 0.5rem;
  }
  .message {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
    padding: 0.5rem 0.75rem;
    border: 1px solid var(--se-solve-error);
    border-radius: var(--se-solve-radius);
    color: var(--se-solve-foreground);
    background: var(--se-solve-surface);
  }
  .message .icon {
    color: var(--se-solve-error);
  }
`;
