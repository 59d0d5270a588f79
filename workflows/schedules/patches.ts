// Patches of the scheduled runs (workflow code changes that need `patched()` so runs recorded before replay).

/**
 * The scheduled runs carry NeedsAttention like every process (false while running; the staff digest sets it
 * when a practice's digest failed), so `NeedsAttention = true` finds a failed run too.
 */
export const SCHEDULE_NEEDS_ATTENTION_PATCH = 'schedules-needs-attention';
