import type { Transport } from './transport.js';

/** What the client of every module (Compilers, Problems, Containers) has: `close` and `GET /test`. */
export abstract class ModuleClient {
  constructor(protected readonly http: Transport) {}

  /** Closes the client's kept-alive connections. */
  close(): void {
    this.http.close();
  }

  /** `GET /test`: answers when the module is reachable and the token is accepted. */
  test(options: { timeoutMs?: number } = {}): Promise<{ message: string }> {
    return this.http.json('GET', '/test', options);
  }
}
