/**
 * Types of the Sphere Engine Compilers API v4 (spec/compilers-api-v4.txt). The pieces the backend's
 * `/v1` answers reuse are schemas (valibot), their types inferred from them.
 */
import * as v from 'valibot';
import type { StopReason } from './status.js';

/** Syntax-highlighter ids of a compiler, one per editor family; all ten keys are always present. */
export const HighlightersSchema = v.object({
  ace: v.string(),
  geshi: v.string(),
  pygments: v.string(),
  highlights: v.string(),
  rouge: v.string(),
  codemirror: v.string(),
  highlightjs: v.string(),
  prism: v.string(),
  monaco: v.string(),
  code_prettify: v.string(),
});
export type Highlighters = v.InferOutput<typeof HighlightersSchema>;

export const CompilerVersionSchema = v.object({ id: v.number(), name: v.string() });
export type CompilerVersion = v.InferOutput<typeof CompilerVersionSchema>;

export interface Compiler {
  id: number;
  name: string;
  short: string;
  versions: CompilerVersion[];
  highlighters: Highlighters;
}

export interface CompilersResponse {
  items: Compiler[];
}

/** `GET /test` of every module. */
export interface ApiTestResponse {
  message: string;
}

/** 201 of a `POST` that creates an item with a numeric id (`POST /submissions`, `POST /judges`). */
export interface Created {
  id: number;
}

/** `GET /submissions?ids=` */
export interface CompilersSubmissionList {
  items: CompilersSubmissionSummary[];
}

/** Body of `{error_code, message}` returned with every 4xx/5xx answer. */
export interface ApiError {
  error_code: number;
  message: string;
}

export const StatusInfoSchema = v.object({ code: v.number(), name: v.string() });
export type StatusInfo = v.InferOutput<typeof StatusInfoSchema>;

export interface StreamRef {
  size: number;
  uri: string;
}

export interface SubmissionCompiler {
  id: number;
  name: string;
  version: CompilerVersion;
}

export interface SubmissionResultSummary {
  status: StatusInfo;
  time: number | null;
  memory: number | null;
  signal: number | null;
  signal_desc: string | null;
  /** embedded engine only (an extension): why the engine stopped the program */
  reason?: StopReason;
}

export interface CompilersSubmissionStreams {
  source: StreamRef | null;
  input: StreamRef | null;
  output: StreamRef | null;
  error: StreamRef | null;
  cmpinfo: StreamRef | null;
}

/** `GET /submissions/:id`. */
export interface CompilersSubmission {
  id: number;
  executing: boolean;
  /** `yyyy-mm-dd hh:mm:ss +00:00` */
  date: string;
  compiler: SubmissionCompiler;
  result: SubmissionResultSummary & { streams: CompilersSubmissionStreams };
}

/** An item of `GET /submissions?ids=`. */
export interface CompilersSubmissionSummary {
  id: number;
  executing: boolean;
  date: string;
  compiler: SubmissionCompiler;
  result: SubmissionResultSummary;
  uri: string;
}

export type CompilersStreamName = 'source' | 'input' | 'output' | 'error' | 'cmpinfo';

/** Parameters of `POST /submissions` (names as in the spec). */
export interface CreateCompilersSubmission {
  source?: string;
  compilerId: number;
  compilerVersionId?: number;
  input?: string;
  /** seconds */
  timeLimit?: number;
  /** kilobytes */
  memoryLimit?: number;
  /** multi-file mode: file name to content */
  files?: Record<string, string>;
}
