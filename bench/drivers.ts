// How the benchmark drives each ptflow process from start to its end, as the outside world would: the sandbox
// payer answers at once, and the driver plays the people and systems that signal the process (forms
// completed, patient checked in, visits recorded, discharge). Each step says whether the driver first waits
// for the process to be ready (polls its status query) — the floor's driver waits at the same steps.
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { DEMO_PRACTICE_ID } from '../db/seed.js';
import { addDays } from '../domain/core/dates.js';
import { localDate } from '../domain/core/zoned.js';
import { workflowId } from '../domain/ids.js';
import type { OnboardingInput } from '../domain/onboarding/index.js';
import {
  CLAIM_WORKFLOW_TYPE,
  type ClaimInput,
  type ClaimSubmissionWorkflow,
} from '../workflows/claim/messages.js';
import {
  evaluationCheckedInSignal,
  intakeFormsCompletedSignal,
  ONBOARDING_WORKFLOW_TYPE,
  onboardingStatusQuery,
  type OnboardingStatus,
  type PatientOnboardingWorkflow,
} from '../workflows/onboarding/messages.js';
import {
  dischargePlanOfCareSignal,
  PLAN_OF_CARE_WORKFLOW_TYPE,
  recordCertificationUpdate,
  visitCompletedSignal,
  type PlanOfCareWorkflow,
} from '../workflows/plan-of-care/messages.js';
import {
  dischargeSignal,
  priorAuthorizationStatusQuery,
  recordVisitUpdate,
  PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
  type PriorAuthorizationWorkflow,
} from '../workflows/prior-authorization/messages.js';
import type { SandboxEmr } from '../connectors/emr/sandbox/sandbox-emr.js';
import { syntheticClaimCase } from '../test/fixtures/claim-case.js';
import { CLINIC_TZ } from './sandbox-ports.js';

export { CLINIC_TZ };
const today = () => localDate(new Date(), CLINIC_TZ);

export type ProcessKind = 'onboarding' | 'priorAuthorization' | 'claim' | 'planOfCare';

export interface DriverContext {
  client: Client;
  taskQueue: string;
  emr: SandboxEmr;
  /** Called right before the start request goes out (start → first activity is measured from here). */
  onStart(workflowId: string): void;
}

export interface ProcessDriver {
  kind: ProcessKind;
  label: string;
  /** Per step: does the driver wait for the process to be ready before delivering it? */
  waits: boolean[];
  /** Starts one instance and drives it to its end; resolves with its workflow id once it has completed. */
  run(ctx: DriverContext): Promise<string>;
  /** Starts one instance and leaves it running (start → first activity samples). */
  start(ctx: DriverContext): Promise<WorkflowHandle>;
  /** False when the process's own first activity waits on people (left out of start → first activity). */
  firstActivity?: false;
}

/** Poll `read` until `ok` (status queries while a process works); fails after `timeoutMs`. */
export async function until<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`bench: a process did not reach the expected state in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A zone where it is daytime now, so patient messages are not held back by quiet hours during the run. */
export function daytimeZone(): string {
  for (const z of ['America/Chicago', 'Europe/London', 'Asia/Tokyo', 'Pacific/Honolulu', 'Asia/Kolkata']) {
    const hour = Number(
      new Intl.DateTimeFormat('en-US', { timeZone: z, hour: 'numeric', hourCycle: 'h23' }).format(new Date()),
    );
    if (hour >= 9 && hour < 19) return z;
  }
  return 'Pacific/Kiritimati';
}

function onboardingInput(): OnboardingInput {
  return {
    onboardingId: randomUUID(),
    practiceId: DEMO_PRACTICE_ID,
    patientId: randomUUID(),
    clinicTimeZone: CLINIC_TZ,
    patientTimeZone: daytimeZone(),
    demographics: {
      given: ['Bench'],
      family: 'Patient',
      birthDate: '1961-02-03',
      sex: 'female',
      phone: '(312) 555-0177',
    },
    preferredChannel: 'sms',
    messagingConsent: true,
    // Commercial plan, paid with a copay: eligible, no authorization needed (the happy path).
    coverages: [
      {
        coverageId: randomUUID(),
        payerId: 'commercial-ama',
        memberId: `SBX-PR3-${randomUUID().slice(0, 8)}`,
        priority: 1,
      },
    ],
    // Spread over the whole schedulable horizon: a full run books hundreds of evaluations, more than one week of
    // the sandbox therapists' slots holds (a full week would leave onboardings waiting on a front-desk task).
    evaluation: {
      acuity: 'acute',
      bodyRegion: 'knee',
      leadDays: 1 + Math.floor(Math.random() * 30),
      searchDays: 60,
    },
    intakeFormLink: 'https://forms.riverside.example/i/bench',
    insuranceUpdateLink: 'https://forms.riverside.example/ins/bench',
    // Reminders far in the future: the forms arrive before any is due.
    formReminderOffsetsHours: [24, 48],
  };
}

const onboarding: ProcessDriver = {
  kind: 'onboarding',
  label: 'Patient onboarding',
  waits: [true, true],
  async start(ctx) {
    const input = onboardingInput();
    const id = workflowId('onboarding', String(input.onboardingId));
    ctx.onStart(id);
    return ctx.client.workflow.start<PatientOnboardingWorkflow>(ONBOARDING_WORKFLOW_TYPE, {
      taskQueue: ctx.taskQueue,
      workflowId: id,
      args: [input],
    });
  },
  async run(ctx) {
    const handle = await this.start(ctx);
    const status = () => handle.query(onboardingStatusQuery);
    const booked = await until(
      status,
      (s: OnboardingStatus) => s.appointment !== undefined && s.forms.state === 'sent',
    );
    await handle.signal(intakeFormsCompletedSignal, {
      responseId: randomUUID(),
      questionnaire: 'https://forms.riverside.example/q/pt-intake|1',
      authored: new Date().toISOString(),
      items: [{ linkId: 'pain-now', answers: [4] }],
    });
    await until(status, (s) => s.state === 'awaiting_check_in' && s.forms.state === 'completed');
    const emrAppointmentId = booked.appointment!.emrAppointmentId;
    await ctx.emr.checkIn(emrAppointmentId);
    await handle.signal(evaluationCheckedInSignal, { emrAppointmentId });
    const result = await handle.result();
    if (result.state !== 'completed') throw new Error(`bench: onboarding ended ${result.state}`);
    return handle.workflowId;
  },
};

const authorization: ProcessDriver = {
  kind: 'priorAuthorization',
  label: 'Prior authorization',
  // Wait for the approval, then three visits (updates answer when applied) and the discharge.
  waits: [true, false, false, false],
  async start(ctx) {
    const authorizationId = randomUUID();
    const id = workflowId('auth', authorizationId);
    ctx.onStart(id);
    return ctx.client.workflow.start<PriorAuthorizationWorkflow>(PRIOR_AUTHORIZATION_WORKFLOW_TYPE, {
      taskQueue: ctx.taskQueue,
      workflowId: id,
      args: [
        {
          authorizationId,
          practiceId: DEMO_PRACTICE_ID,
          patientId: randomUUID(),
          coverageId: randomUUID(),
          payerId: 'ma-fastlane',
          timezone: CLINIC_TZ,
          requestedVisits: 30,
          startDate: today(),
          urgency: 'standard',
          planOfCareContinues: true,
        },
      ],
    });
  },
  async run(ctx) {
    const handle = await this.start(ctx);
    await until(
      () => handle.query(priorAuthorizationStatusQuery),
      (s) => s.status === 'approved' || s.status === 'active',
    );
    for (let v = 1; v <= 3; v++)
      await handle.executeUpdate(recordVisitUpdate, {
        args: [{ visitId: `visit-${v}`, dos: today(), units: 3 }],
      });
    await handle.signal(dischargeSignal);
    const result = await handle.result();
    if (result.status !== 'closed') throw new Error(`bench: authorization ended ${result.status}`);
    return handle.workflowId;
  },
};

function claimInput(): ClaimInput {
  return {
    // Medicare over the KX threshold (deductible met): paid, posted, a statement for the coinsurance.
    case: syntheticClaimCase({
      memberId: `SBX-KXOVER-${randomUUID().slice(0, 8)}`,
      dos: today(),
      kxAccruedAllowedCents: 300_000,
    }),
    timezone: CLINIC_TZ,
    // The sandbox answers at once; the claim asks its mailbox every 0.1 s instead of every 4 hours. The floor
    // repeats the same fired timers, so this wait is in both columns.
    pollEveryMinutes: 0.1 / 60,
  };
}

const claim: ProcessDriver = {
  kind: 'claim',
  label: 'Claim (837P → 277CA → 835 → posted)',
  waits: [],
  async start(ctx) {
    const input = claimInput();
    const id = workflowId('claim', input.case.claimId);
    ctx.onStart(id);
    return ctx.client.workflow.start<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
      taskQueue: ctx.taskQueue,
      workflowId: id,
      args: [input],
    });
  },
  async run(ctx) {
    const handle = await this.start(ctx);
    const result = await handle.result();
    if (result.state !== 'paid') throw new Error(`bench: claim ended ${result.state}`);
    return handle.workflowId;
  },
};

const episode: ProcessDriver = {
  kind: 'planOfCare',
  label: 'Plan of care (certified, 3 visits, discharged)',
  waits: [false, false, false, false, false],
  async start(ctx) {
    const episodeId = randomUUID();
    const id = workflowId('poc', episodeId);
    ctx.onStart(id);
    return ctx.client.workflow.start<PlanOfCareWorkflow>(PLAN_OF_CARE_WORKFLOW_TYPE, {
      taskQueue: ctx.taskQueue,
      workflowId: id,
      args: [
        {
          episodeId,
          practiceId: DEMO_PRACTICE_ID,
          patientId: randomUUID(),
          referringPractitionerId: randomUUID(),
          timezone: CLINIC_TZ,
          firstTreatmentDate: today(),
          referralSignedAndDated: true,
        },
      ],
    });
  },
  // Not in start → first activity: its own first activity is the discharge summary (its certification is chased
  // by the signature process, a child that sends only in the office's hours), so a start has no first activity to
  // time; the section says so.
  firstActivity: false,
  async run(ctx) {
    const handle = await this.start(ctx);
    const d = today();
    await handle.executeUpdate(recordCertificationUpdate, { args: [{ kind: 'signature', signedDate: d }] });
    for (let v = 1; v <= 3; v++)
      await handle.signal(visitCompletedSignal, { visitId: `visit-${v}`, dos: addDays(d, v) });
    await handle.signal(dischargePlanOfCareSignal, { reason: 'goals_met' });
    const result = await handle.result();
    if (result.status !== 'discharged') throw new Error(`bench: plan of care ended ${result.status}`);
    return handle.workflowId;
  },
};

export const processDrivers: ProcessDriver[] = [onboarding, authorization, claim, episode];
