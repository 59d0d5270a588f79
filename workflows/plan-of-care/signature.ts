// The physician's signature is chased by a pocSignature process per certification cycle (the initial
// certification, each recertification), started here. Episodes started before POC_PATCHES.signatureProcess keep
// the older path (the plan of care sends the POC itself and raises the reminder tasks): the choice is made once,
// at the start of the episode, and travels in the carry, so a long-running episode never switches mid-way.
import {
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  getExternalWorkflowHandle,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { CareAction } from '../../domain/care/episode.js';
import { MAX_CERT_INTERVAL_DAYS } from '../../domain/care/poc.js';
import type { SignatureCycle } from '../../domain/care/poc-signature.js';
import { addDays, type IsoDate } from '../../domain/core/dates.js';
import { workflowId } from '../../domain/ids.js';
import { POC_SIGNATURE_WORKFLOW_TYPE, type PocSignatureWorkflow } from '../poc-signature/messages.js';
import type { EpisodeRun } from './episode-run.js';

/** Patch markers of the plan-of-care process (README "Replay"). */
export const POC_PATCHES = {
  /** The signature is chased by pocSignature child processes (through the PhysicianDelivery port). */
  signatureProcess: 'poc-signature-process',
} as const;

/** The plan of care's own certification actions that the signature process takes over. */
const CHASED_BY_SIGNATURE_PROCESS: readonly CareAction['kind'][] = [
  'certification_reminder',
  'certification_escalation',
  'certification_late',
];

/** Whether the episode's signature is chased by pocSignature processes. */
export const usesSignatureProcess = (run: EpisodeRun): boolean => run.signatureProcesses.length > 0;

/** Whether the plan of care leaves this action to the signature process. */
export function leftToSignatureProcess(run: EpisodeRun, action: CareAction): boolean {
  return usesSignatureProcess(run) && CHASED_BY_SIGNATURE_PROCESS.includes(action.kind);
}

/** Starts the signature process of one cycle (abandoned on close: it outlives continue-as-new). */
export async function startSignatureProcess(run: EpisodeRun, cycle: SignatureCycle): Promise<void> {
  const { input } = run;
  const processId = uuid4();
  await startChild<PocSignatureWorkflow>(POC_SIGNATURE_WORKFLOW_TYPE, {
    workflowId: workflowId('pocsig', processId),
    parentClosePolicy: ParentClosePolicy.ABANDON,
    cancellationType: ChildWorkflowCancellationType.ABANDON,
    args: [
      {
        episodeId: input.episodeId,
        practiceId: input.practiceId,
        patientId: input.patientId,
        referringPractitionerId: input.referringPractitionerId,
        timezone: input.timezone,
        cycle,
        planOfCareWorkflowId: workflowInfo().workflowId,
      },
    ],
  });
  run.signatureProcesses.push({ processId, cycle: cycle.kind });
}

/** The recertification's signature is chased for the next period (≤ 90 days from the day after `intervalEnds`). */
export async function startRecertificationSignature(run: EpisodeRun, intervalEnds: IsoDate): Promise<void> {
  const certifiedFrom = addDays(intervalEnds, 1);
  await startSignatureProcess(run, {
    kind: 'recertification',
    certifiedFrom,
    certifiedThrough: addDays(certifiedFrom, MAX_CERT_INTERVAL_DAYS - 1),
  });
}

/** Discharge: signature processes still chasing are cancelled (they close their tasks). */
export async function cancelSignatureProcesses(run: EpisodeRun): Promise<void> {
  for (const { processId } of run.signatureProcesses) {
    try {
      await getExternalWorkflowHandle(workflowId('pocsig', processId)).cancel();
    } catch {
      // Completed already (signed): nothing to cancel.
    }
  }
}
