/** The Node entry of se-widgets (`se-widgets/server`): the signing backend. */
export { startServer } from './app.js';
export type { ServeOptions, RunningServer } from './app.js';
export type { UpstreamLink } from './backend.js';
export { signSession } from './sessions.js';
export { checkSdkSignature, signSdkFields } from './sdk-signature.js';
export type { SdkFields } from './sdk-signature.js';
export type { ScopeLimits, SessionScope, SignSessionOptions } from './sessions.js';
export { ConfigError, defaultConfig, findWidget, loadConfig, parseConfig } from './config.js';
export type {
  BackendConfig,
  PerMinute,
  SessionSettings,
  UpstreamSettings,
  WidgetConfig,
  WidgetLimits,
} from './config.js';
export type { SubmissionEventSource, SubmissionUpdate, SubmissionModule } from './tracker.js';
export { WEBHOOK_PATH, SIGNATURE_HEADER, webhookSignature } from './webhook.js';
export { scrubSecrets } from '../upstream/index.js';
