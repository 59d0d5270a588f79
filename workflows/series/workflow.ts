// bookCareSeries: plan a plan of care's whole series jointly (the solver, in the planning activity), then book
// each visit (device, EMR, mirror), and answer what was booked with the front-desk explanation. Short-lived:
// the API waits for it. A visit taken by another booking between planning and booking is left out and said.
import { proxyActivities, upsertSearchAttributes, uuid4, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import {
  PatientId,
  PracticeId,
  ProcessKind,
  ProcessStatus,
  NeedsAttention,
} from '../shared/search-attributes.js';
import type { BookCareSeriesInput, BookCareSeriesResult, BookedSeriesVisit } from './messages.js';

const planning = proxyActivities<Activities>({
  // Slot search over the series' weeks plus the solve (bounded by yalps' own timeout).
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
  },
});

const booking = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
  },
});

export async function bookCareSeries(input: BookCareSeriesInput): Promise<BookCareSeriesResult> {
  upsertSearchAttributes([
    { key: ProcessKind, value: 'bookCareSeries' },
    { key: ProcessStatus, value: 'running' },
    { key: PracticeId, value: input.practiceId },
    { key: PatientId, value: input.patientId },
    { key: NeedsAttention, value: false },
  ]);
  const now = new Date(workflowInfo().startTime).toISOString();
  const proposal = await planning.planCareSeries({
    practiceId: input.practiceId,
    patientId: input.patientId,
    request: input.request,
    ...(input.authorizationWorkflowId ? { authorizationWorkflowId: input.authorizationWorkflowId } : {}),
    now,
  });
  const base = {
    seriesId: input.seriesId,
    requested: proposal.requested,
    visitMinutes: proposal.visitMinutes,
    ...(proposal.authorization ? { authorization: proposal.authorization } : {}),
  };
  if (input.preview) {
    upsertSearchAttributes([{ key: ProcessStatus, value: 'completed' }]);
    return {
      ...base,
      outcome: 'preview',
      visits: proposal.visits,
      taken: 0,
      explanation: proposal.explanation,
    };
  }
  const booked: BookedSeriesVisit[] = [];
  let taken = 0;
  for (const visit of proposal.visits) {
    const result = await booking.bookSeriesVisit({
      practiceId: input.practiceId,
      patientId: input.patientId,
      appointmentId: uuid4(),
      visit,
      visitMinutes: proposal.visitMinutes,
      ...(input.request.equipmentKind ? { equipmentKind: input.request.equipmentKind } : {}),
      timeZone: input.request.timeZone,
    });
    if (result.outcome === 'taken') {
      taken++;
      continue;
    }
    booked.push({
      appointmentId: result.appointmentId,
      emrAppointmentId: result.emrAppointmentId,
      start: result.start,
      therapistId: visit.therapistId,
      locationId: visit.locationId,
      ...(result.equipmentId ? { equipmentId: result.equipmentId } : {}),
      ...(result.roomId ? { roomId: result.roomId } : {}),
    });
  }
  const explanation =
    taken > 0
      ? [
          ...proposal.explanation,
          `${taken} planned visit${taken === 1 ? ' was' : 's were'} taken by another booking meanwhile and ` +
            `${taken === 1 ? 'is' : 'are'} not booked: book ${taken === 1 ? 'it' : 'them'} again.`,
        ]
      : proposal.explanation;
  upsertSearchAttributes([
    { key: ProcessStatus, value: 'completed' },
    { key: NeedsAttention, value: booked.length < proposal.requested },
  ]);
  return {
    ...base,
    outcome:
      booked.length === 0
        ? 'nothing_booked'
        : booked.length < proposal.requested
          ? 'partially_booked'
          : 'booked',
    visits: booked,
    taken,
    explanation,
  };
}
