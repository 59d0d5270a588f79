// patientOnboarding: from intake to the checked-in evaluation. Validate the intake, register the patient (our
// mirror + the EMR), verify every coverage (inactive / not found → front-desk task + a message asking for new
// insurance, then wait durably for `coverageUpdated` and verify again; payer unreachable after bounded retries
// → a "verify by phone" task), request the prior authorization when the plan requires one, collect the intake
// forms (with reminders) while the evaluation is booked (or taken from the EMR), remind before the visit and
// complete on check-in, handing over to the plan of care. A `cancel` signal (or a workflow cancellation) runs the
// compensation — cancel the booked slot, close open tasks, cancel the authorization — where cancellation
// cannot reach it. The steps live beside this file; the contract (signals, query, types) in messages.ts.
import {
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
// Types only: the intake module carries zod, loaded lazily below (see patientOnboarding).
import type { OnboardingInput } from '../../domain/onboarding/intake.js';
import { coverageCheckedSignal, isCoverageChecked } from '../shared/coverage-signal.js';
import { PatientId, PracticeId, ProcessKind } from '../shared/search-attributes.js';
import { verifyEveryCoverage } from './coverage.js';
import { bookEvaluation, ourAppointmentId, remindBeforeVisit } from './evaluation.js';
import { requestAuthorization, startPlanOfCare } from './hand-over.js';
import { collectIntakeForms } from './intake-forms.js';
import {
  appointmentBookedSignal,
  cancelOnboardingSignal,
  coverageUpdatedSignal,
  evaluationCheckedInSignal,
  intakeFormsCompletedSignal,
  onboardingStatusQuery,
  type OnboardingStatus,
} from './messages.js';
import { MESSAGES_DO_NOT_HOLD_STATE_PATCH } from './patches.js';
import { OnboardingRun, settled } from './run.js';

export async function patientOnboarding(rawInput: OnboardingInput): Promise<OnboardingStatus> {
  // The full intake validation (zod) is loaded here, not at module load: every cached workflow evaluates the
  // bundle's modules in its own module cache, and zod's ~0.5 MB of module state would otherwise be paid by every
  // cached workflow of every kind (issue #8). Same code, same result; the await issues no command.
  const { parseIntake } = await import(/* webpackMode: "eager" */ '../../domain/onboarding/intake.js');
  const parsed = parseIntake(rawInput);
  if (!parsed.ok) {
    // Field paths and issue codes only: the values are PHI.
    throw ApplicationFailure.nonRetryable(`invalid intake: ${parsed.issues.join('; ')}`, 'InvalidIntake');
  }
  const run = new OnboardingRun(parsed.intake);
  const { intake } = run;
  const mainScope = new CancellationScope();
  listen(run, mainScope);
  upsertSearchAttributes([
    { key: ProcessKind, value: 'onboarding' },
    { key: PracticeId, value: intake.practiceId },
    { key: PatientId, value: intake.patientId },
  ]);
  run.publish();

  const main = async () => {
    await registerPatient(run);
    const [primarySummary] = await verifyEveryCoverage(run);
    const primary = run.coverages[0];
    if (primary && primarySummary?.authorizationRequired) await requestAuthorization(run, primary.details);

    // Forms run beside booking; a failure there is kept and rethrown after booking, not left unhandled.
    const forms = settled(collectIntakeForms(run));
    await bookEvaluation(run);
    run.state = 'awaiting_check_in';
    run.publish(run.appointment?.start ? new Date(run.appointment.start) : null);
    const preVisit = settled(remindBeforeVisit(run));
    await condition(() => run.checkedIn);
    if (intake.referral) await startPlanOfCare(run, intake.referral);
    run.closing = true;
    if (patched(MESSAGES_DO_NOT_HOLD_STATE_PATCH)) {
      // Checked in is the end of onboarding: the state says so now. A reminder still waiting out quiet hours is
      // moot (closing) and is dropped; nothing the tracks still do can hold the state.
      run.state = 'completed';
      run.publish(null);
      const trackError = (await forms) ?? (await preVisit);
      if (trackError) throw trackError;
      return;
    }
    const trackError = (await forms) ?? (await preVisit);
    if (trackError) throw trackError;
    run.state = 'completed';
    run.publish(null);
  };

  try {
    await mainScope.run(main);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(() => compensate(run));
    // Cancelled through the signal: a normal end with the cancelled snapshot. Through Temporal: stay cancelled.
    if (!run.cancelReason) throw err;
  }
  await condition(allHandlersFinished);
  return run.status();
}

/** The status query and the signals that steer the onboarding (`cancel` cancels `mainScope`). */
function listen(run: OnboardingRun, mainScope: CancellationScope): void {
  const closed = () => run.state === 'completed' || run.state === 'cancelled';
  setHandler(onboardingStatusQuery, () => run.status());
  setHandler(coverageUpdatedSignal, (update) => {
    run.coverageUpdates.push(update);
    // New insurance details answer the re-verification's alert: the onboarding verifies what it is given.
    if (run.coverageAlerts.delete(update.coverageId)) run.publish();
  });
  setHandler(coverageCheckedSignal, (checked) => {
    if (!isCoverageChecked(checked) || closed()) return;
    const entry = run.coverages.find(({ view }) => view.coverageId === checked.coverageId);
    if (!entry) return; // not a coverage of this onboarding
    const before = run.coverageAlerts.size;
    if (checked.outcome === 'active') {
      if (run.coverageAlerts.delete(checked.coverageId)) entry.view.outcome = 'active';
    } else {
      run.coverageAlerts.add(checked.coverageId);
      entry.view.outcome = checked.outcome;
    }
    if (run.coverageAlerts.size !== before) run.publish();
  });
  setHandler(intakeFormsCompletedSignal, (forms) => {
    run.completedForms ??= forms;
  });
  setHandler(appointmentBookedSignal, (appointment) => {
    run.emrBooked = appointment;
  });
  setHandler(evaluationCheckedInSignal, () => {
    run.checkedIn = true;
  });
  setHandler(cancelOnboardingSignal, (cancel) => {
    if (closed() || run.cancelReason) return;
    run.cancelReason = cancel.reason;
    mainScope.cancel();
  });
}

/** The patient in our mirror and the EMR, then every coverage of the intake. */
async function registerPatient(run: OnboardingRun): Promise<void> {
  const { intake } = run;
  const registered = await run.activities.registerPatient({
    practiceId: intake.practiceId,
    patientId: intake.patientId,
    demographics: intake.demographics,
    preferredChannel: intake.preferredChannel,
    timezone: intake.patientTimeZone,
    messagingConsent: intake.messagingConsent,
  });
  run.emrPatientId = registered.emrPatientId;
  for (const { details } of run.coverages) {
    await run.activities.saveCoverage({
      practiceId: intake.practiceId,
      patientId: intake.patientId,
      emrPatientId: run.emrPatientId,
      coverage: details,
    });
  }
}

/** Cancelled: release the booked slot, close the open tasks, cancel the authorization. */
async function compensate(run: OnboardingRun): Promise<void> {
  run.state = 'cancelled';
  run.shownState = undefined;
  run.closing = true;
  const appointment = run.appointment ?? run.emrBooked;
  if (appointment) {
    const appointmentId = ourAppointmentId(appointment);
    await run.activities.cancelEvaluation({
      practiceId: run.intake.practiceId,
      ...(appointmentId ? { appointmentId } : {}),
      emrAppointmentId: appointment.emrAppointmentId,
    });
  }
  for (const id of [...run.openTasks.keys()]) await run.closeTask(id, 'process_closed');
  if (run.authorizationWorkflowId) {
    try {
      await getExternalWorkflowHandle(run.authorizationWorkflowId).cancel();
    } catch {
      // Already closed.
    }
  }
  run.publish(null);
}
