/**
 * The classic script (`dist/cdn/se-widgets.classic.js`), for pages that can only add a plain
 * `<script src>`: it adds the module bundle beside it (`se-widgets.js`), so the page gets the same
 * shell and the same chunks as with `<script type="module">`, and both share the browser's cache.
 * The elements are defined once that bundle has run (`customElements.whenDefined('se-solve')`).
 */
(() => {
  const self = document.currentScript as HTMLScriptElement | null;
  if (!self?.src) {
    console.error('se-widgets: load se-widgets.classic.js with a <script src> tag');
    return;
  }
  const url = new URL('se-widgets.js', self.src).href;
  // Already on the page (a module script tag, or this script twice): the browser runs it once anyway.
  if (document.querySelector(`script[type="module"][src="${url}"]`)) return;
  const script = document.createElement('script');
  script.type = 'module';
  script.src = url;
  document.head.append(script);
})();
export {};
