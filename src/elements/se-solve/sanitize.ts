/**
 * Problem statements are HTML written by problem setters: parsed inert with DOMParser and rebuilt
 * from an allowlist of elements and attributes. No script, no event handler, no style, no
 * `javascript:` or other active URL survives; anything unknown becomes its text.
 */

const allowedElements = new Set([
  'a',
  'abbr',
  'b',
  'blockquote',
  'br',
  'caption',
  'code',
  'dd',
  'del',
  'div',
  'dl',
  'dt',
  'em',
  'figcaption',
  'figure',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'i',
  'img',
  'ins',
  'kbd',
  'li',
  'mark',
  'ol',
  'p',
  'pre',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strong',
  'sub',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'u',
  'ul',
  'var',
]);

/** Elements dropped with everything inside them. */
const droppedWithContent = new Set([
  'script',
  'style',
  'template',
  'iframe',
  'object',
  'embed',
  'noscript',
  'svg',
  'math',
  'head',
  'title',
  'meta',
  'link',
  'base',
  'form',
  'input',
  'button',
  'select',
  'textarea',
  'frame',
  'frameset',
  'applet',
  'audio',
  'video',
  'canvas',
  'xmp',
  'noembed',
  'noframes',
  'plaintext',
]);

const allowedAttributes: Record<string, Set<string>> = {
  '*': new Set(['title', 'lang', 'dir']),
  a: new Set(['href']),
  img: new Set(['src', 'alt', 'width', 'height']),
  td: new Set(['colspan', 'rowspan']),
  th: new Set(['colspan', 'rowspan', 'scope']),
  ol: new Set(['start', 'type']),
};

/** URLs that may stay: web links, mail, same-document anchors and relative paths. */
function safeUrl(value: string, forImage: boolean): string | null {
  // Browsers ignore control characters and whitespace inside schemes ("java\tscript:").
  // eslint-disable-next-line no-control-regex
  const compact = value.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(compact)?.[1]?.toLowerCase();
  if (!scheme) return value.trim();
  if (scheme === 'https' || scheme === 'http') return value.trim();
  if (!forImage && scheme === 'mailto') return value.trim();
  if (forImage && /^data:image\/(png|gif|jpe?g|webp);base64,[a-z0-9+/=\s]+$/i.test(compact))
    return compact;
  return null;
}

function clean(source: Node, doc: Document, out: Node): void {
  for (const child of Array.from(source.childNodes)) {
    if (child.nodeType === Node.TEXT_NODE) {
      out.appendChild(doc.createTextNode(child.textContent ?? ''));
      continue;
    }
    if (child.nodeType !== Node.ELEMENT_NODE) continue;
    const el = child as Element;
    const name = el.localName.toLowerCase();
    if (droppedWithContent.has(name) || el.namespaceURI !== 'http://www.w3.org/1999/xhtml')
      continue;
    if (!allowedElements.has(name)) {
      clean(el, doc, out);
      continue;
    }
    const copy = doc.createElement(name);
    for (const attr of Array.from(el.attributes)) {
      const an = attr.name.toLowerCase();
      if (!allowedAttributes['*'].has(an) && !allowedAttributes[name]?.has(an)) continue;
      let value: string | null = attr.value;
      if (an === 'href' || an === 'src') value = safeUrl(value, an === 'src');
      if (value === null) continue;
      copy.setAttribute(an, value);
    }
    if (name === 'a' && copy.hasAttribute('href')) {
      copy.setAttribute('target', '_blank');
      copy.setAttribute('rel', 'noopener noreferrer nofollow');
    }
    if (name === 'img') {
      copy.setAttribute('loading', 'lazy');
      copy.setAttribute('referrerpolicy', 'no-referrer');
      if (!copy.hasAttribute('alt')) copy.setAttribute('alt', '');
    }
    clean(el, doc, copy);
    out.appendChild(copy);
  }
}

/**
 * The statement as a fragment of the current document, safe to insert: parsing happens in an
 * inert document (no script runs, no image loads while parsing).
 */
export function sanitizeStatement(html: string, target: Document = document): DocumentFragment {
  const parsed = new DOMParser().parseFromString(html, 'text/html');
  const fragment = target.createDocumentFragment();
  clean(parsed.body, target, fragment);
  return fragment;
}
