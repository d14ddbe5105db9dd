/**
 * The client side of the backend's `/v1/workspace` routes (`src/shared/v1-workspace.ts`): the
 * same requests, errors and Bearer session as `<se-solve>`'s client.
 */
import type {
  V1File,
  V1FileEntry,
  V1ScenarioResult,
  V1ScenarioStageEvent,
  V1ScenarioStatusEvent,
  V1TerminalTicket,
  V1Workspace,
} from '../../shared/v1-workspace.js';
import { V1Client, V1ClientError } from '../se-solve/api-client.js';

/** What a scenario run's event stream reports, in order: status changes, stages, the result. */
export type ScenarioEvent =
  | { type: 'status'; data: V1ScenarioStatusEvent }
  | { type: 'stage'; data: V1ScenarioStageEvent }
  | { type: 'result'; data: V1ScenarioResult };

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

  /**
   * Follows a scenario run through the backend's server-sent events (fetch: EventSource cannot
   * send an Authorization header). Throws `V1ClientError` when the stream cannot be opened, is
   * not an event stream, reports an error or ends without a result.
   */
  async *scenarioEvents(
    token: string,
    id: string,
    signal: AbortSignal,
  ): AsyncGenerator<ScenarioEvent> {
    const path = `/v1/workspace/runs/${encodeURIComponent(id)}/events`;
    for await (const ev of this.eventStream(path, token, signal)) {
      if (ev.event === 'status') yield { type: 'status', data: ev.data as V1ScenarioStatusEvent };
      else if (ev.event === 'stage') yield { type: 'stage', data: ev.data as V1ScenarioStageEvent };
      else if (ev.event === 'result') {
        yield { type: 'result', data: ev.data as V1ScenarioResult };
        return;
      }
    }
    if (!signal.aborted) throw new V1ClientError('network', 'The result stream ended early.');
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
