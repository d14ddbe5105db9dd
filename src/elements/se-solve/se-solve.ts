import { LitElement, css, html } from 'lit';

/**
 * @summary Solve a programming problem, or run code with input.
 *
 * @tag se-solve
 */
export class SeSolve extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
  `;

  override render() {
    return html`<div part="editor"></div>`;
  }
}
