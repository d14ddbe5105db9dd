/** The origin the element modules were loaded from: the default backend of a script-tag embed. */
const scriptOrigin = (() => {
  try {
    const u = new URL(import.meta.url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : '';
  } catch {
    return '';
  }
})();

/** The backend an element talks to: its `backend` attribute, else where its script came from. */
export function backendBase(backend: string): string {
  return backend || scriptOrigin || location.origin;
}
