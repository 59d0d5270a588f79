// releaseClaimsHeldForProfile: started by the API when an update completes a practice's profile. One activity
// releases the practice's claims held for a missing profile field (activities/claim/release.ts); it retries
// until every held claim could be reached, so no claim stays held for a profile that is complete.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { ReleaseHeldClaimsInput } from './messages.js';

const release = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** Releases the practice's claims held for its profile; answers how many. */
export async function releaseClaimsHeldForProfile(
  input: ReleaseHeldClaimsInput,
): Promise<{ released: number }> {
  return release.releaseClaimsHeldForProfile(input);
}
