// missedVisitFollowUp: one short process per no-show or late cancellation (issue 18 §1), started by the EMR event
// router. Steps: record the miss and assess the episode → tell the plan of care and the authorization that the
// visit does not count → flag a pattern that threatens the episode → on a repeat miss the front desk calls (a
// task); otherwise offer real open slots by SMS/e-mail (consent, quiet hours, en/es) → the patient books by
// replying with the slot's number (inbound SMS → `patientReply` signal) → the EMR books it → confirmation; no reply
// by the deadline → a front-desk task. Every task says what is needed and how to resolve it.
import {
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { VisitMessageContent, VisitMessageResult } from '../../activities/visits/index.js';
import { missedVisitRuleOn, type MissAssessment } from '../../domain/visits/index.js';
import {
  NeedsAttention,
  PatientId,
  PracticeId,
  ProcessKind,
  ProcessStatus,
} from '../shared/search-attributes.js';
import { visitMissedSignal } from '../shared/visit-missed-signal.js';
import { raiseTask } from '../tasks/raise-task.js';
import {
  missedVisitStatusQuery,
  patientReplySignal,
  type MissedVisitInput,
  type MissedVisitResult,
  type MissedVisitStatus,
} from './messages.js';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
    nonRetryableErrorTypes: ['ConnectorNotConfigured', 'PatientNotFound', 'PatientNotInEmr'],
  },
});

const nowMs = (): number => new Date().getTime();

/** Front-desk task kinds of the follow-up: PHI-free title and the way to resolve each. */
const TASKS = {
  missed_visit_repeat: 'Repeat missed visit in this episode: call the patient to rebook',
  missed_visit_pattern: 'Missed visits threaten the episode: call the patient and review the plan',
  missed_visit_no_reply: 'No reply to the rebooking offer: call the patient to rebook',
  missed_visit_not_reached: 'Rebooking offer could not be sent: call the patient to rebook',
  missed_visit_no_slots: 'No open slot to offer after a missed visit: find one and call the patient',
  missed_visit_slot_taken: 'The slot the patient chose was taken: call the patient to rebook',
} as const;
type MissedVisitTask = keyof typeof TASKS;

const RESOLVE =
  'Call the patient, book the new visit in the EMR, then complete this task with patientReached and rebooked.';

export async function missedVisitFollowUp(input: MissedVisitInput): Promise<MissedVisitResult> {
  const wfId = workflowInfo().workflowId;
  const steps: string[] = [];
  const status: MissedVisitStatus = { state: 'recording', offeredSlots: 0, steps };
  let choice: number | undefined;
  setHandler(missedVisitStatusQuery, () => status);
  setHandler(patientReplySignal, (reply) => {
    // Only the patient of this follow-up, only a slot number, only while the offer is open.
    if (reply?.patientId !== input.patientId || status.state !== 'awaiting_reply') return;
    if ('slot' in reply.answer && Number.isInteger(reply.answer.slot)) choice = reply.answer.slot;
  });
  const publish = (state: MissedVisitStatus['state'], attention: boolean) => {
    status.state = state;
    upsertSearchAttributes([
      { key: ProcessStatus, value: state },
      { key: NeedsAttention, value: attention },
    ]);
  };
  upsertSearchAttributes([
    { key: ProcessKind, value: 'missedVisit' },
    { key: PracticeId, value: input.practiceId },
    { key: PatientId, value: input.patientId },
    { key: ProcessStatus, value: 'recording' },
    { key: NeedsAttention, value: false },
  ]);

  // 1. Record the miss; the assessment counts the episode's misses by the rules in force.
  const assessment = await acts.recordMissedVisit({ ...input, workflowId: wfId });
  steps.push(`missed:${input.kind}`, `misses_in_episode:${assessment.missesInEpisode}`);

  // 2. The visit does not count: the plan of care and the authorization record it as missed.
  for (const [label, id] of [
    ['plan_of_care', input.planOfCareWorkflowId],
    ['authorization', input.authorizationWorkflowId],
  ] as const) {
    if (!id) continue;
    try {
      await getExternalWorkflowHandle(id).signal(visitMissedSignal, {
        emrAppointmentId: input.emrAppointmentId,
        kind: input.kind,
        date: assessment.missedOn,
      });
      steps.push(`${label}:told`);
    } catch {
      steps.push(`${label}:closed`);
    }
  }

  // 3. A pattern that threatens the episode is flagged (NeedsAttention) and goes to the front desk.
  if (assessment.pattern) steps.push('pattern:flagged');
  const frontDesk = async (kind: MissedVisitTask, reason: string): Promise<MissedVisitResult> => {
    const taskWorkflowId = await raiseTask(
      {
        practiceId: input.practiceId,
        patientId: input.patientId,
        processKind: 'missedVisit',
        details: { followUpId: input.followUpId, emrAppointmentId: input.emrAppointmentId },
      },
      {
        kind,
        title: TASKS[kind],
        role: 'front_desk',
        dueInHours: 24,
        details: {
          reason,
          missesInEpisode: assessment.missesInEpisode,
          pattern: assessment.pattern,
          assessment: assessment.explanation.slice(0, 200),
          howToResolve: RESOLVE,
        },
      },
    );
    steps.push(`task:${kind}`);
    await acts.closeMissedVisit({
      practiceId: input.practiceId,
      emrAppointmentId: input.emrAppointmentId,
      outcome: 'front_desk',
    });
    publish('front_desk', true);
    return result('front_desk', assessment, { taskWorkflowId });
  };
  const result = (
    outcome: MissedVisitResult['outcome'],
    a: MissAssessment,
    extra: Partial<MissedVisitResult> = {},
  ): MissedVisitResult => ({
    outcome,
    missesInEpisode: a.missesInEpisode,
    pattern: a.pattern,
    explanation: a.explanation,
    steps,
    ...extra,
  });

  if (assessment.frontDeskCalls) {
    return frontDesk(assessment.pattern ? 'missed_visit_pattern' : 'missed_visit_repeat', 'repeat_miss');
  }

  // 4. Offer real open slots from the EMR.
  const rule = missedVisitRuleOn(assessment.missedOn);
  const minutes = Math.max(15, Math.round((Date.parse(input.end) - Date.parse(input.start)) / 60_000));
  const slots = await acts.openSlotsForRebooking({
    therapistId: input.therapistId,
    locationId: input.locationId,
    minutes,
    count: rule.offeredSlots,
    from: new Date(nowMs() + rule.minLeadHours * 3_600_000).toISOString(),
    days: rule.searchDays,
  });
  if (slots.length === 0) return frontDesk('missed_visit_no_slots', 'no_open_slot');
  status.offeredSlots = slots.length;
  const sent = await send(
    {
      template: 'visit_rebook_offer',
      slots: slots.map((s) => s.start),
      locationId: input.locationId,
    },
    'offer',
  );
  steps.push(`message:${sent.status}`);
  if (sent.status !== 'sent') return frontDesk('missed_visit_not_reached', sent.status);

  // 5. The patient answers with a slot number before the deadline, or the front desk takes over.
  const deadline = nowMs() + (input.replyDeadlineSeconds ?? rule.replyDeadlineHours * 3600) * 1000;
  status.replyBy = new Date(deadline).toISOString();
  publish('awaiting_reply', false);
  for (;;) {
    const answered = await condition(() => choice !== undefined, Math.max(1, deadline - nowMs()));
    if (!answered) return frontDesk('missed_visit_no_reply', 'no_reply_by_deadline');
    const picked = slots[(choice ?? 0) - 1];
    choice = undefined;
    if (!picked) {
      steps.push('reply:not_an_offered_slot');
      continue;
    }
    publish('booking', false);
    const booking = await acts.bookVisitSlot({
      practiceId: input.practiceId,
      patientId: input.patientId,
      appointmentId: uuid4(),
      slotId: picked.slotId,
      kind: input.appointmentKind === 'evaluation' ? 'evaluation' : 'treatment',
    });
    if (!booking.booked) return frontDesk('missed_visit_slot_taken', 'slot_taken');
    steps.push('emr:booked');
    await acts.closeMissedVisit({
      practiceId: input.practiceId,
      emrAppointmentId: input.emrAppointmentId,
      outcome: 'rebooked',
      rebookedEmrAppointmentId: booking.emrAppointmentId,
    });
    const confirmation = await send(
      { template: 'visit_booked', startsAt: booking.start, locationId: picked.locationId },
      'booked',
    );
    steps.push(`confirmation:${confirmation.status}`);
    publish('rebooked', false);
    return result('rebooked', assessment, { rebookedEmrAppointmentId: booking.emrAppointmentId });
  }

  /** Sends once per step; inside quiet hours it sleeps durably until they end and sends again (same id). */
  async function send(content: VisitMessageContent, step: string): Promise<VisitMessageResult> {
    for (;;) {
      const r = await acts.sendVisitMessage({
        messageId: `${wfId}:${step}`,
        practiceId: input.practiceId,
        patientId: input.patientId,
        workflowId: wfId,
        ...content,
      });
      if (r.status !== 'deferred') return r;
      await sleep(Math.max(1000, Date.parse(r.until) - nowMs()));
    }
  }
}
