// The fingerprint of a planned series (issue 18 part 3): its visits' times, therapists, locations and devices,
// and their length. The console's Book form and `ptflow series book --expect` carry the previewed plan's
// fingerprint, and booking goes ahead only while a fresh plan still has it. Node's crypto only: the CLI loads it.
import { createHash } from 'node:crypto';

/** What a fingerprint covers (a preview's or a booking's result). */
export interface FingerprintedPlan {
  visitMinutes: number;
  visits: readonly { start: string; therapistId: string; locationId: string; equipmentId?: string }[];
}

/** The plan's fingerprint (32 base64url characters). */
export function planFingerprint(result: FingerprintedPlan): string {
  const visits = result.visits.map((v) => [v.start, v.therapistId, v.locationId, v.equipmentId ?? '']);
  return createHash('sha256')
    .update(JSON.stringify({ minutes: result.visitMinutes, visits }))
    .digest('base64url')
    .slice(0, 32);
}
