import type {
  CompilersSubmission,
  CompilersSubmissionStreams,
  CompilersSubmissionSummary,
  StreamRef,
} from '../../shared/compilers.js';
import { isTransient, statusName, type StopReason } from '../../shared/status.js';
import { formatDate, resultFigures, submissionCompiler } from '../api-common.js';
import { STREAMS, type SubmissionRow } from './store.js';

/**
 * An item of `GET /submissions?ids=` (also the webhook's `submission`). `baseUrl` is the module's
 * base URL (`http://host:port/compilers/api/v4`).
 */
export function summaryView(
  row: SubmissionRow,
  baseUrl: string,
  accessToken: string,
): CompilersSubmissionSummary {
  return { ...common(row), uri: uri(baseUrl, `/submissions/${row.id}`, accessToken) };
}

/** `GET /submissions/:id`. */
export function detailView(
  row: SubmissionRow,
  baseUrl: string,
  accessToken: string,
): CompilersSubmission {
  const c = common(row);
  const streams = {} as CompilersSubmissionStreams;
  for (const name of STREAMS) {
    const size = row.sizes[name];
    // Empty streams and streams not produced yet are null, as in the spec's example.
    streams[name] =
      size === null || size === 0
        ? null
        : ({
            size,
            uri: uri(baseUrl, `/submissions/${row.id}/${name}`, accessToken),
          } satisfies StreamRef);
  }
  return { ...c, result: { ...c.result, streams } };
}

function common(row: SubmissionRow): Omit<CompilersSubmissionSummary, 'uri'> {
  const executing = isTransient(row.status);
  return {
    id: row.id,
    executing,
    date: formatDate(row.createdAt),
    compiler: submissionCompiler(row.compilerId, row.compilerName, row.versionId, row.versionName),
    result: {
      status: { code: row.status, name: statusName(row.status) },
      ...resultFigures(executing, row),
      signal_desc: executing ? null : row.signalDesc,
      // extension: why the engine stopped the program (README, "Stop reasons")
      ...(row.reason && !executing ? { reason: JSON.parse(row.reason) as StopReason } : {}),
    },
  };
}

function uri(baseUrl: string, path: string, accessToken: string): string {
  return `${baseUrl}${path}?access_token=${encodeURIComponent(accessToken)}`;
}
