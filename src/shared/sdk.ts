/** What the SDK drop-in (src/embed/sdk.ts) and the backend's SDK sessions agree on. */

/** `data-custom-data` is cut to this many characters (as the hosted SDK cuts it), then signed. */
export const CUSTOM_DATA_MAX = 256;
