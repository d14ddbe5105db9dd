/**
 * The embedded engine: the Sphere Engine HTTP APIs (Compilers v4, Problems v4, Containers v1.1) on one port, running code in
 * the sandbox. Importing this module starts nothing; call {@link startEngine}.
 */
export { startEngine } from './engine.js';
export type { EngineOptions, RunningEngine } from './engine.js';
export type { ContainersSettings } from './containers/index.js';
export { LIMITS, QUEUE_DEFAULTS } from './limits.js';
export { ErrorCode } from './http/errors.js';
export {
  signWebhook,
  verifyWebhook,
  SIGNATURE_HEADER,
  WEBHOOK_RETRY_DELAYS_MS,
} from './webhooks.js';
export type {
  EngineEventMap,
  EngineEvents,
  EngineModuleName,
  SubmissionFinishedEvent,
  SubmissionStatusEvent,
  WebhookPayload,
  WebhookSetting,
} from './webhooks.js';
