import { CompilersClient } from './compilers.js';
import { ContainersClient } from './containers.js';
import type { ModuleName } from './errors.js';
import { ProblemsClient } from './problems.js';
import { type Endpoint, Transport, type TransportOptions } from './transport.js';

export type UpstreamEndpoints = Partial<Record<ModuleName, Endpoint>>;

/** Clients of the modules that have an endpoint; a module without one is absent. */
export interface Upstream {
  compilers?: CompilersClient;
  problems?: ProblemsClient;
  containers?: ContainersClient;
}

/** Creates the clients of the configured modules. */
export function createUpstream(
  endpoints: UpstreamEndpoints,
  options: TransportOptions = {},
): Upstream {
  const upstream: Upstream = {};
  if (endpoints.compilers) {
    upstream.compilers = new CompilersClient(
      new Transport('compilers', endpoints.compilers, options),
    );
  }
  if (endpoints.problems) {
    upstream.problems = new ProblemsClient(new Transport('problems', endpoints.problems, options));
  }
  if (endpoints.containers) {
    upstream.containers = new ContainersClient(
      new Transport('containers', endpoints.containers, options),
    );
  }
  return upstream;
}

/** Closes the kept-alive connections of every client. */
export function closeUpstream(upstream: Upstream): void {
  upstream.compilers?.close();
  upstream.problems?.close();
  upstream.containers?.close();
}
