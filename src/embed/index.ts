/**
 * `se-widgets/embed.js` (and the script-tag build `dist/cdn/se-embed.js`): embed widgets in
 * iframes served by the signing backend, and talk to them from the host page.
 */
export { embedSolve, embedWorkspace } from './host.js';
export type {
  EmbedEventMap,
  EmbedFrameEventMap,
  EmbedEventName,
  EmbedProblemSummary,
  EmbedSolveHandle,
  EmbedSolveOptions,
  EmbedTheme,
  EmbedWorkspaceEventMap,
  EmbedWorkspaceEventName,
  EmbedWorkspaceHandle,
  EmbedWorkspaceOptions,
  SubmitGate,
} from './host.js';
export { MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from './protocol.js';
export type {
  SdkCallback,
  SdkEventData,
  SdkEventName,
  SdkGlobal,
  SdkScenarioResult,
  SdkWidget,
  SdkWidgetConfig,
  SdkWorkspace,
  SdkWorkspaceCallback,
  SdkWorkspaceEventData,
  SdkWorkspaceEventName,
} from './sdk-types.js';
