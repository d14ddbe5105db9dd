// What the embedded engine's sandbox enforces on its host: reported by the engine's self-test,
// its start banner and the backend's /healthz.
import * as v from 'valibot';

/** How the sandbox enforces limits on this host (SE_ENGINE_CGROUPS chooses; `auto` by default). */
export const LimitsReportSchema = v.object({
  /** cgroup v1 as root, v2 as root, v2 delegated to this (non-root) user, or rlimits only */
  cgroups: v.picklist(['v1', 'v2', 'v2-delegated', 'none']),
  /** the engine's cgroup subtree ('' without cgroups) */
  where: v.string(),
  enforced: v.array(v.string()),
  notEnforced: v.array(v.string()),
  /** why this mode, and what differs from the full one */
  notes: v.array(v.string()),
});
export type LimitsReport = v.InferOutput<typeof LimitsReportSchema>;

/** One line for a start banner: the mode, what is enforced, what is not and why. */
export function limitsLine(l: LimitsReport): string {
  const mode = {
    v1: 'cgroup v1',
    v2: 'cgroup v2',
    'v2-delegated': 'cgroup v2 (delegated)',
    none: 'NO cgroups (rlimits only)',
  }[l.cgroups];
  return (
    `sandbox limits: ${mode}${l.where ? ` at ${l.where}` : ''}; enforced: ${l.enforced.join(', ')}` +
    (l.notEnforced.length ? `; NOT enforced: ${l.notEnforced.join(', ')}` : '') +
    (l.notes.length ? `; ${l.notes.join('; ')}` : '')
  );
}
