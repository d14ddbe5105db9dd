/**
 * The client side of the backend's `/v1/workspace` routes (`src/shared/v1-workspace.ts`): the
 * same requests, errors and Bearer session as `<se-solve>`'s client.
 */
import type {
  V1File,
  V1FileEntry,
  V1ScenarioResult,
  V1TerminalTicket,
  V1Workspace,
} from '../../shared/v1-workspace.js';
import { V1Client } from '../se-solve/api-client.js';

export class WorkspaceClient extends V1Client {
  open(token: string, signal?: AbortSignal): Promise<V1Workspace> {
    return this.request('POST', '/v1/workspace', token, {}, signal);
  }

  read(token: string, path: string, signal?: AbortSignal): Promise<V1File> {
    return this.request(
      'GET',
      `/v1/workspace/file?path=${encodeURIComponent(path)}`,
      token,
      undefined,
      signal,
    );
  }

  write(
    token: string,
    path: string,
    content: string,
    baseVersion: string | undefined,
    signal?: AbortSignal,
  ): Promise<V1File> {
    const body = baseVersion === undefined ? { path, content } : { path, content, baseVersion };
    return this.request('PUT', '/v1/workspace/file', token, body, signal);
  }

  createEntry(token: string, path: string, type: 'file' | 'dir'): Promise<V1FileEntry> {
    return this.request('POST', '/v1/workspace/files', token, { path, type });
  }

  rename(token: string, from: string, to: string): Promise<V1FileEntry> {
    return this.request('POST', '/v1/workspace/rename', token, { from, to });
  }

  remove(token: string, path: string): Promise<void> {
    return this.request('DELETE', `/v1/workspace/file?path=${encodeURIComponent(path)}`, token);
  }

  reset(token: string, path?: string): Promise<V1Workspace> {
    return this.request('POST', '/v1/workspace/reset', token, path === undefined ? {} : { path });
  }

  startScenario(token: string, scenario: string | undefined): Promise<{ id: string }> {
    return this.request(
      'POST',
      '/v1/workspace/runs',
      token,
      scenario === undefined ? {} : { scenario },
    );
  }

  scenarioResult(token: string, id: string, signal?: AbortSignal): Promise<V1ScenarioResult> {
    return this.request(
      'GET',
      `/v1/workspace/runs/${encodeURIComponent(id)}`,
      token,
      undefined,
      signal,
    );
  }

  terminalTicket(token: string, terminal?: '1' | '2' | '3'): Promise<V1TerminalTicket> {
    return this.request(
      'POST',
      '/v1/workspace/terminal',
      token,
      terminal === undefined ? {} : { terminal },
    );
  }

  /** The WebSocket URL of a ticket's path (ws: or wss: on the backend's host). */
  socketUrl(path: string): string {
    const u = new URL(this.url(path));
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    return u.href;
  }
}
