import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Backend } from './backend.js';
import { findWidget, type WidgetConfig } from './config.js';

/** Path of the iframe page of `<se-solve>`: `/embed/solve?widget=ID[&theme=][&locale=][&sdk=1]`. */
export const EMBED_SOLVE_PATH = '/embed/solve';

/**
 * Path of the iframe page of `<se-workspace>`:
 * `/embed/workspace?widget=ID[&theme=][&locale=][&terminal=][&sdk=1]`.
 */
export const EMBED_WORKSPACE_PATH = '/embed/workspace';

const TERMINALS = new Set(['open', 'collapsed', 'hidden']);

/** The scripts of the embed page: the script-tag bundle, then the frame's own script. */
const SCRIPTS = ['/dist/cdn/se-widgets.js', '/dist/cdn/se-embed-frame.js'];

const THEMES = new Set(['light', 'dark', 'auto']);

const texts = {
  en: {
    title: 'Code exercise',
    workspaceTitle: 'Coding workspace',
    loading: 'Loading the exercise…',
    workspaceLoading: 'Opening the workspace…',
    notWorkspace: (id: string) =>
      `Widget “${id}” is not a workspace: /embed/workspace shows widgets of "mode": "workspace" (use /embed/solve for the others).`,
    isWorkspace: (id: string) =>
      `Widget “${id}” is a workspace: embed it with /embed/workspace (embedWorkspace, or a data-workspace placeholder).`,
    open: 'Open in a new window',
    noscript: 'This exercise needs JavaScript.',
    notFound: (id: string) => `There is no widget “${id}” on this server.`,
    noSelf: (id: string) =>
      `Widget “${id}” cannot be embedded in an iframe: add "self" to its origins in the backend's configuration.`,
    badRequest: 'This address is not a valid embed address.',
    tokenInUrl:
      'Session tokens are never accepted in a URL. Give the token to the embed SDK (embedSolve, embedWorkspace), which sends it over a private channel.',
  },
  pl: {
    title: 'Zadanie programistyczne',
    workspaceTitle: 'Projekt programistyczny',
    loading: 'Wczytywanie zadania…',
    workspaceLoading: 'Otwieranie projektu…',
    notWorkspace: (id: string) =>
      `Widżet „${id}” nie jest projektem: /embed/workspace pokazuje widżety z "mode": "workspace" (pozostałe: /embed/solve).`,
    isWorkspace: (id: string) =>
      `Widżet „${id}” jest projektem: osadź go przez /embed/workspace (embedWorkspace albo element z data-workspace).`,
    open: 'Otwórz w nowym oknie',
    noscript: 'To zadanie wymaga JavaScriptu.',
    notFound: (id: string) => `Na tym serwerze nie ma widżetu „${id}”.`,
    noSelf: (id: string) =>
      `Widżetu „${id}” nie można osadzić w ramce: dodaj "self" do jego origins w konfiguracji backendu.`,
    badRequest: 'To nie jest poprawny adres osadzenia.',
    tokenInUrl:
      'Tokeny sesji nigdy nie są przyjmowane w adresie URL. Przekaż token do SDK (embedSolve, embedWorkspace), które wysyła go prywatnym kanałem.',
  },
} as const;
type Locale = keyof typeof texts;

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** JSON safe inside a `<script type="application/json">` element (no `</script>`, no `<!--`). */
function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** An origin as a CSP source expression; null for what CSP cannot express (IPv6 literals). */
function cspSource(origin: string): string | null {
  return /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin) ? origin : null;
}

/**
 * The exact origins allowed to frame a widget's embed page: its `origins`, with `"self"` resolved
 * the way the API resolves it for this request (the listening address and its loopback aliases,
 * or `publicUrl`).
 */
export function frameAncestors(b: Backend, widget: WidgetConfig, req: IncomingMessage): string[] {
  const out = new Set<string>();
  for (const o of widget.origins) {
    for (const origin of o === 'self' ? b.origins.selfOrigins(req) : [o]) {
      if (cspSource(origin)) out.add(origin);
    }
  }
  return [...out];
}

/**
 * The page's Content-Security-Policy: only its own scripts, no plugins, no `<base>`, no forms, the
 * API on its own origin, and framing by the widget's exact origins (`'none'` when there is none).
 * Styles allow inline ones: Lit and CodeMirror set element styles at run time.
 */
function pageCsp(ancestors: string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "connect-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https:",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
    `frame-ancestors ${ancestors.length ? ancestors.join(' ') : "'none'"}`,
  ].join('; ');
}

const commonHeaders: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  html: string,
  headers: Record<string, string>,
): void {
  const body = Buffer.from(html, 'utf8');
  res.writeHead(status, {
    ...commonHeaders,
    ...headers,
    'Content-Length': String(body.length),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * An error page: text only, no script. It may be framed anywhere, so that a teacher who embedded
 * a wrong address reads why in the frame instead of a browser's "refused to connect"; it acts on
 * no session and holds nothing.
 */
function sendErrorPage(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  locale: Locale,
  message: string,
  ancestors: string[] | null = null,
): void {
  const html = `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(texts[locale].title)}</title>
<style>body{margin:0;padding:1rem;font:1rem/1.45 system-ui,sans-serif;color:#1f2328;background:#fff}p{margin:0;max-width:40rem}</style>
</head>
<body>
<main><p role="alert">${escapeHtml(message)}</p></main>
</body>
</html>
`;
  const frames = ancestors === null ? '*' : ancestors.length ? ancestors.join(' ') : "'none'";
  send(req, res, status, html, {
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors ${frames}`,
  });
}

const PAGE_STYLE = `
html{color-scheme:light;background:Canvas;color:CanvasText}
html[data-theme=dark]{color-scheme:dark}
html[data-theme=auto]{color-scheme:light dark}
html,body{margin:0;padding:0}
body{font:1rem/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}
main{display:block}
se-solve,se-workspace{display:block}
.loading{margin:0;padding:1rem}
.bar{margin:0;padding:0.25rem 0.5rem;text-align:end;font-size:0.875rem}
.bar a{color:inherit}
.bar a:focus-visible{outline:2px solid currentColor;outline-offset:2px}
html.fill,html.fill body{height:100%}
html.fill main{display:flex;flex-direction:column;height:100%}
html.fill se-solve{flex:1 1 0;min-height:0;--se-solve-height:100%}
html.fill se-workspace{flex:1 1 0;min-height:0;--se-workspace-height:100%}
html.fill .bar{flex:none}
`
  .trim()
  .replace(/\n/g, '');

function localeOf(url: URL): Locale | null {
  const raw = url.searchParams.get('locale');
  if (raw === null || raw === '') return 'en';
  return raw === 'en' || raw === 'pl' ? raw : null;
}

/**
 * Serves `GET /embed/solve` and `GET /embed/workspace`: a small page hosting one `<se-solve>` (or
 * one `<se-workspace>`, for a widget of `"mode": "workspace"`) that fills the frame, for iframe
 * embeds (see `src/embed/`). Answers false for any other path (the caller goes on routing).
 *
 * Query: `widget` (required), `theme` (`light`, `dark`, `auto`), `locale` (`en`, `pl`), `sdk=1`
 * (embedded by the SDK: the page waits for its handshake); for workspaces also `terminal`
 * (`open`, `collapsed`, `hidden`). A token in the query is refused: tokens travel over the SDK's
 * channel only.
 */
export function serveEmbed(
  b: Backend,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): boolean {
  if (url.pathname !== EMBED_SOLVE_PATH && url.pathname !== EMBED_WORKSPACE_PATH) return false;
  const workspace = url.pathname === EMBED_WORKSPACE_PATH;
  const locale = localeOf(url) ?? 'en';
  const t = texts[locale];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendErrorPage(req, res, 405, locale, t.badRequest);
    return true;
  }
  const params = url.searchParams;
  if (params.has('token') || params.has('access_token')) {
    sendErrorPage(req, res, 400, locale, t.tokenInUrl);
    return true;
  }
  const id = params.get('widget') ?? '';
  const theme = params.get('theme') ?? 'light';
  const sdk = params.get('sdk');
  const terminal = params.get('terminal');
  if (
    !id ||
    id.length > 256 ||
    !THEMES.has(theme) ||
    localeOf(url) === null ||
    (sdk !== null && sdk !== '1') ||
    (terminal !== null && (!workspace || !TERMINALS.has(terminal)))
  ) {
    sendErrorPage(req, res, 400, locale, t.badRequest);
    return true;
  }
  // A hosted widget hash (pages written for the hosted JS SDK) names the widget it stands for.
  const widget = findWidget(b.config, id);
  if (!widget) {
    sendErrorPage(req, res, 404, locale, t.notFound(id));
    return true;
  }
  const ancestors = frameAncestors(b, widget, req);
  if (!widget.origins.includes('self')) {
    // The widget in the frame calls the API from the backend's own origin: "self" must be allowed.
    sendErrorPage(req, res, 403, locale, t.noSelf(widget.id), ancestors);
    return true;
  }
  if (workspace !== (widget.mode === 'workspace')) {
    const message = workspace ? t.notWorkspace(widget.id) : t.isWorkspace(widget.id);
    sendErrorPage(req, res, 404, locale, message, ancestors);
    return true;
  }
  const config = {
    kind: workspace ? 'workspace' : 'solve',
    widget: widget.id,
    origins: ancestors,
    sdk: sdk === '1',
    theme,
    locale,
    ...(terminal !== null ? { terminal } : {}),
  };
  const open = new URLSearchParams({ widget: widget.id, theme, locale });
  if (terminal !== null) open.set('terminal', terminal);
  const path = workspace ? EMBED_WORKSPACE_PATH : EMBED_SOLVE_PATH;
  const html = `<!doctype html>
<html lang="${locale}" data-theme="${escapeHtml(theme)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(workspace ? t.workspaceTitle : t.title)}</title>
<style>${PAGE_STYLE}</style>
<script type="application/json" id="se-embed-config">${inlineJson(config)}</script>
${SCRIPTS.map((s) => `<script type="module" src="${s}"></script>`).join('\n')}
</head>
<body>
<main>
<p id="se-loading" class="loading" role="status">${escapeHtml(workspace ? t.workspaceLoading : t.loading)}</p>
<noscript><p class="loading">${escapeHtml(t.noscript)}</p></noscript>
<p class="bar"><a id="se-open" href="${escapeHtml(`${path}?${open}`)}" target="_blank" rel="noopener">${escapeHtml(t.open)}</a></p>
</main>
</body>
</html>
`;
  send(req, res, 200, html, { 'Content-Security-Policy': pageCsp(ancestors) });
  return true;
}
