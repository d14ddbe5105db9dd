import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { WidgetConfig } from './config.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const WILDCARD = new Set(['0.0.0.0', '::', '']);

/**
 * Page origins allowed to call the API: each widget's exact list, where `"self"` stands for the
 * backend's own origin. Without a configured public URL, `self` is the address the backend listens
 * on (with `localhost`/`127.0.0.1`/`[::1]` interchangeable on loopback); when it listens on every
 * interface, the request's Host counts only when it is an IP address or `localhost`, so a DNS name
 * rebound to this machine does not become "self".
 */
export class Origins {
  private fixedSelf = new Set<string>();
  private port = 0;
  private wildcard = false;

  constructor(
    private readonly widgets: Map<string, WidgetConfig>,
    private readonly publicUrl: string | null,
  ) {}

  /** Records where the server listens (call once it does). */
  bind(host: string, port: number): void {
    this.port = port;
    this.fixedSelf = new Set(this.publicUrl ? [this.publicUrl] : []);
    this.wildcard = WILDCARD.has(host);
    if (LOOPBACK.has(host)) {
      for (const h of ['127.0.0.1', 'localhost', '[::1]'])
        this.fixedSelf.add(`http://${h}:${port}`);
    } else if (!this.wildcard) {
      this.fixedSelf.add(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
    }
  }

  isSelf(origin: string, req: IncomingMessage): boolean {
    if (this.fixedSelf.has(origin)) return true;
    if (!this.wildcard) return false;
    const host = req.headers.host;
    if (!host || origin !== `http://${host}`) return false;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    const name = url.hostname.replace(/^\[|\]$/g, '');
    return (isIP(name) !== 0 || name === 'localhost') && Number(url.port || 80) === this.port;
  }

  /**
   * The origins `"self"` stands for on this request, as a list (for `frame-ancestors`): the fixed
   * ones, plus the request's own Host when the server listens on every interface and `isSelf`
   * accepts it.
   */
  selfOrigins(req: IncomingMessage): string[] {
    const out = [...this.fixedSelf];
    const host = req.headers.host;
    if (this.wildcard && host && this.isSelf(`http://${host}`, req)) out.push(`http://${host}`);
    return out;
  }

  /** True when `origin` may use `widget`. */
  allows(widget: WidgetConfig, origin: string, req: IncomingMessage): boolean {
    if (origin === 'null') return false;
    for (const o of widget.origins) {
      if (o === origin) return true;
      if (o === 'self' && this.isSelf(origin, req)) return true;
    }
    return false;
  }

  /** True when some widget allows `origin` (preflights, and errors before a widget is known). */
  allowsAny(origin: string, req: IncomingMessage): boolean {
    for (const w of this.widgets.values()) if (this.allows(w, origin, req)) return true;
    return false;
  }
}
