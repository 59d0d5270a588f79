// waitlistFill: one short process per freed slot (issue 18 §2), started by the EMR event router on a cancellation.
// Steps: rank the waitlist for the slot in the fair, explained order (domain/visits `rankWaitlist`) → offer the
// slot to the next few patients at once → the first to confirm (YES by SMS → `patientReply`, or staff on their
// behalf through the `confirmOffer` update) gets it: the EMR's booking is the arbiter, so two confirmations
// arriving together produce exactly one appointment and the other is told the slot is gone → offers lapse after
// the rule's lifetime (a timer) and the next round goes out → the others are told.
import {
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { VisitMessageContent } from '../../activities/visits/index.js';
import { waitlistRuleOn } from '../../domain/visits/index.js';
import { NeedsAttention, PracticeId, ProcessKind, ProcessStatus } from '../shared/search-attributes.js';
import {
  confirmOfferUpdate,
  patientReplySignal,
  waitlistFillStatusQuery,
  type WaitlistFillInput,
  type WaitlistFillResult,
  type WaitlistFillStatus,
  type WaitlistOfferState,
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

export async function waitlistFill(input: WaitlistFillInput): Promise<WaitlistFillResult> {
  const wfId = workflowInfo().workflowId;
  const steps: string[] = [];
  const offers: WaitlistOfferState[] = [];
  const status: WaitlistFillStatus = { state: 'ranking', round: 0, offers };
  let winner: { entryId: string; emrAppointmentId: string } | undefined;
  /** The EMR's id of the freed slot, once found still free. */
  const freed: { slotId?: string } = {};
  const inFlight = new Set<string>();
  setHandler(waitlistFillStatusQuery, () => status);
  upsertSearchAttributes([
    { key: ProcessKind, value: 'waitlistFill' },
    { key: PracticeId, value: input.practiceId },
    { key: ProcessStatus, value: 'ranking' },
    { key: NeedsAttention, value: false },
  ]);
  const publish = (state: WaitlistFillStatus['state']) => {
    status.state = state;
    upsertSearchAttributes([{ key: ProcessStatus, value: state }]);
  };

  /**
   * A confirmation: the EMR books the slot for this patient or answers that it is taken. Concurrent
   * confirmations each go to the EMR; its per-therapist serialisation lets exactly one through.
   */
  const confirm = async (offer: WaitlistOfferState): Promise<{ booked: boolean; reason?: string }> => {
    if (offer.state !== 'offered' || !freed.slotId) return { booked: false, reason: `offer_${offer.state}` };
    // A patient's second YES while the first is at the EMR is the same confirmation.
    if (inFlight.has(offer.entryId)) return { booked: false, reason: 'confirming' };
    inFlight.add(offer.entryId);
    const booking = await acts.bookVisitSlot({
      practiceId: input.practiceId,
      patientId: offer.patientId,
      appointmentId: uuid4(),
      slotId: freed.slotId,
      kind: input.appointmentKind === 'evaluation' ? 'evaluation' : 'treatment',
      waitlistEntryId: offer.entryId,
    });
    if (!booking.booked) {
      offer.state = 'taken';
      // The entry was removed or filled elsewhere since the offer went out: nothing was asked of the EMR.
      const reason = booking.reason === 'entry_not_waiting' ? 'entry_not_waiting' : 'slot_taken';
      steps.push(reason === 'slot_taken' ? `emr:slot_taken:${offer.rank}` : `${reason}:${offer.rank}`);
      return { booked: false, reason };
    }
    offer.state = 'booked';
    winner = { entryId: offer.entryId, emrAppointmentId: booking.emrAppointmentId };
    steps.push(`emr:booked:${offer.rank}`);
    return { booked: true };
  };
  setHandler(patientReplySignal, async (reply) => {
    const offer = offers.find((o) => o.patientId === reply?.patientId && o.state === 'offered');
    if (!offer || !reply || !('accept' in reply.answer)) return;
    if (!reply.answer.accept) {
      offer.state = 'declined';
      steps.push(`declined:${offer.rank}`);
      return;
    }
    await confirm(offer);
  });
  setHandler(
    confirmOfferUpdate,
    async ({ entryId }) => confirm(offers.find((o) => o.entryId === entryId && o.state === 'offered')!),
    {
      validator: ({ entryId }) => {
        if (!offers.some((o) => o.entryId === entryId && o.state === 'offered'))
          throw new Error('No open offer for this waitlist entry.');
      },
    },
  );

  const rule = waitlistRuleOn(input.start.slice(0, 10));
  const finish = async (
    outcome: WaitlistFillResult['outcome'],
    ineligible: WaitlistFillResult['ineligible'],
  ) => {
    await condition(allHandlersFinished);
    publish(outcome);
    return {
      outcome,
      ...(winner ? { winnerEntryId: winner.entryId, emrAppointmentId: winner.emrAppointmentId } : {}),
      offers,
      ineligible,
      steps,
    };
  };
  if (Date.parse(input.start) - nowMs() < rule.minLeadMinutes * 60_000) return finish('too_late', []);

  const ranking = await acts.rankWaitlistForSlot(input);
  steps.push(`ranked:${ranking.ranked.length}`, `ineligible:${ranking.ineligible.length}`);
  const slotId = await acts.freedSlotId(input);
  if (!slotId) {
    steps.push('emr:slot_already_booked');
    return finish('no_candidates', ranking.ineligible);
  }
  freed.slotId = slotId;
  if (ranking.ranked.length === 0) return finish('no_candidates', ranking.ineligible);

  const offerMs = (input.offerSeconds ?? rule.offerMinutes * 60) * 1000;
  publish('offering');
  for (let round = 1; round <= rule.maxRounds && !winner; round++) {
    const batch = ranking.ranked
      .filter((c) => !offers.some((o) => o.entryId === c.entryId))
      .slice(0, rule.offersPerRound);
    if (batch.length === 0) break;
    status.round = round;
    // In rank order: the better-placed patient's offer goes out first.
    for (const c of batch) {
      const offer: WaitlistOfferState = {
        entryId: c.entryId,
        patientId: c.patientId,
        rank: c.rank,
        explanation: c.explanation,
        round,
        state: 'offered',
      };
      offers.push(offer);
      const sent = await send(offer.patientId, `offer:${c.entryId}`, {
        template: 'waitlist_offer',
        startsAt: input.start,
        locationId: input.locationId,
        replyMinutes: Math.max(1, Math.round(offerMs / 60_000)),
      });
      if (sent !== 'sent' && offer.state === 'offered') offer.state = 'not_sent';
      steps.push(`offer:${c.rank}:${sent}`);
      if (winner) break;
    }
    const open = () => offers.some((o) => o.round === round && o.state === 'offered');
    await condition(() => winner !== undefined || !open(), offerMs);
    await condition(allHandlersFinished);
    if (!winner) {
      for (const o of offers) {
        if (o.round === round && o.state === 'offered') {
          o.state = 'expired';
          steps.push(`expired:${o.rank}`);
          await send(o.patientId, `gone:${o.entryId}`, { template: 'waitlist_slot_gone' });
        }
      }
    }
  }
  if (!winner) return finish('expired', ranking.ineligible);

  const won = winner;
  await acts.recordWaitlistFill({
    practiceId: input.practiceId,
    entryId: won.entryId,
    emrAppointmentId: won.emrAppointmentId,
    slotStart: input.start,
    workflowId: wfId,
  });
  const winnerOffer = offers.find((o) => o.entryId === won.entryId)!;
  await send(winnerOffer.patientId, `booked:${won.entryId}`, {
    template: 'visit_booked',
    startsAt: input.start,
    locationId: input.locationId,
  });
  // Everyone else who had an open offer, or lost the race at the EMR, is told the slot is gone.
  for (const o of offers) {
    if (o.entryId === won.entryId || (o.state !== 'offered' && o.state !== 'taken')) continue;
    o.state = 'taken';
    await send(o.patientId, `gone:${o.entryId}`, { template: 'waitlist_slot_gone' });
    steps.push(`told:${o.rank}`);
  }
  return finish('filled', ranking.ineligible);

  async function send(patientId: string, step: string, content: VisitMessageContent): Promise<string> {
    for (;;) {
      const r = await acts.sendVisitMessage({
        messageId: `${wfId}:${step}`,
        practiceId: input.practiceId,
        patientId,
        workflowId: wfId,
        ...content,
      });
      if (r.status !== 'deferred') return r.status === 'blocked' ? `blocked_${r.reason}` : r.status;
      // An offer deferred past its own lifetime is pointless: it counts as not sent.
      if (content.template === 'waitlist_offer') return 'deferred';
      await sleep(Math.max(1000, Date.parse(r.until) - nowMs()));
    }
  }
}
