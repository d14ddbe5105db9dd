import type { HealthResponse } from '../shared/v1.js';
import type { ModuleName } from '../upstream/index.js';
import type { Backend } from './backend.js';

const CACHE_MS = 5000;
const PROBE_TIMEOUT_MS = 3000;

/**
 * `GET /healthz`: whether each configured module answers its `/test` method (probed at most every
 * 5 s, whatever the request rate), and the embedded engine's sandbox self-test. `ok` needs the
 * Compilers and Problems modules reachable and, with the embedded engine, a working sandbox.
 */
export class Health {
  private cached: { at: number; value: Promise<HealthResponse> } | null = null;

  constructor(private readonly b: Backend) {}

  get(): Promise<HealthResponse> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > CACHE_MS) {
      this.cached = { at: now, value: this.probe() };
    }
    return this.cached.value;
  }

  /** Forgets the cached answer (after the upstream changes). */
  reset(): void {
    this.cached = null;
  }

  private async probe(): Promise<HealthResponse> {
    const { upstream, link } = this.b;
    const modules: ModuleName[] = ['compilers', 'problems', 'containers'];
    const reachable = await Promise.all(
      modules.map(async (m) => {
        const client = upstream[m];
        if (!client) return false;
        try {
          await client.test({ timeoutMs: PROBE_TIMEOUT_MS });
          return true;
        } catch {
          return false;
        }
      }),
    );
    const out: HealthResponse = {
      ok: false,
      upstream: {
        compilers: { reachable: reachable[0]!, embedded: !!link.embedded?.includes('compilers') },
        problems: { reachable: reachable[1]!, embedded: !!link.embedded?.includes('problems') },
        containers: { reachable: reachable[2]!, embedded: !!link.embedded?.includes('containers') },
      },
    };
    if (link.sandbox) {
      const s = link.sandbox();
      out.sandbox = {
        ok: s.ok,
        problems: [...s.problems],
        ...(s.limits ? { limits: s.limits } : {}),
      };
    }
    out.ok = reachable[0]! && reachable[1]! && (out.sandbox?.ok ?? true);
    return out;
  }
}
