// The priorAuthorization process covering the episode, if any: told when the plan of care continues past its
// certified period (an extension will be needed) and when the episode is discharged (it closes).
import { getExternalWorkflowHandle, log } from '@temporalio/workflow';
import {
  dischargeSignal as closeAuthorizationSignal,
  planOfCareSignal,
} from '../prior-authorization/messages.js';
import type { EpisodeRun } from './episode-run.js';
import { failureType } from './practitioner.js';

/** The authorization may already be closed (or never existed): that must not fail the plan of care. */
async function signalAuthorization(
  run: EpisodeRun,
  send: (authorization: ReturnType<typeof getExternalWorkflowHandle>) => Promise<void>,
): Promise<void> {
  if (!run.input.authorizationWorkflowId) return;
  try {
    await send(getExternalWorkflowHandle(run.input.authorizationWorkflowId));
  } catch (err) {
    log.warn('Could not signal the authorization workflow', {
      episodeId: run.input.episodeId,
      failure: failureType(err),
    });
  }
}

/** The plan continues past this certification interval: the authorization will need extending. */
export async function signalAuthorizationExtensionNeeded(run: EpisodeRun): Promise<void> {
  await signalAuthorization(run, (authorization) =>
    authorization.signal(planOfCareSignal, { continues: true }),
  );
}

/** The episode is discharged: the authorization closes. */
export async function signalAuthorizationDischarge(run: EpisodeRun): Promise<void> {
  await signalAuthorization(run, (authorization) => authorization.signal(closeAuthorizationSignal));
}
