// Verifying the patient's coverages with the payer (270/271), one after the other by priority. A payer that
// does not answer (retries exhausted) → a front-desk task to verify by phone. Inactive or not found → a
// front-desk task and a message asking the patient for new insurance details; the update is saved and
// verified again.
import { condition, isCancellation, patched, uuid4 } from '@temporalio/workflow';
import { localDate } from '../../domain/core/zoned.js';
import {
  eligibilityTraceNumber,
  type EligibilityOutcome,
  type EligibilitySummary,
} from '../../domain/onboarding/eligibility.js';
import { MESSAGES_DO_NOT_HOLD_STATE_PATCH } from './patches.js';
import { unreadableRecord } from './integrity.js';
import { settled, type CoverageEntry, type OnboardingRun } from './run.js';

/** Every coverage in priority order: the payer's summary of each one that ended up usable. */
export async function verifyEveryCoverage(run: OnboardingRun): Promise<(EligibilitySummary | undefined)[]> {
  const summaries: (EligibilitySummary | undefined)[] = [];
  for (const [index, coverage] of run.coverages.entries())
    summaries.push(await verifyCoverage(run, index, coverage));
  return summaries;
}

/** One coverage until it is active, verified by phone, or a person gave up on it. */
async function verifyCoverage(
  run: OnboardingRun,
  index: number,
  coverage: CoverageEntry,
): Promise<EligibilitySummary | undefined> {
  const { view } = coverage;
  for (let round = 1; ; round++) {
    run.state = 'verifying_eligibility';
    run.publish();
    view.verifications = round;
    const summary = await askPayer(run, index, round, coverage);
    let outcome: EligibilityOutcome = summary?.outcome ?? 'unreachable';
    view.outcome = outcome;
    if (summary?.authorizationRequired !== undefined)
      view.authorizationRequired = summary.authorizationRequired;
    if (summary?.copayCents !== undefined) view.copayCents = summary.copayCents;
    if (outcome === 'active') return summary;

    if (outcome === 'unreachable') {
      const byPhone = await verifyByPhone(run, coverage);
      if (byPhone.outcome === 'not_verified') return undefined;
      if (byPhone.outcome === 'active') return byPhone.summary;
      outcome = 'inactive';
    }
    await awaitInsuranceUpdate(run, index, round, coverage, outcome);
  }
}

/** The payer's answer, or undefined when it could not be had (retries exhausted, or an answer that made no sense). */
async function askPayer(
  run: OnboardingRun,
  index: number,
  round: number,
  coverage: CoverageEntry,
): Promise<EligibilitySummary | undefined> {
  const { intake } = run;
  try {
    const verdict = await run.payerActivities.verifyEligibility({
      practiceId: intake.practiceId,
      patientId: intake.patientId,
      coverageId: coverage.details.coverageId,
      checkId: uuid4(),
      traceNumber: eligibilityTraceNumber(intake.onboardingId, index, round),
      serviceDate: localDate(new Date(), intake.clinicTimeZone),
    });
    return verdict.summary;
  } catch (err) {
    // A record that failed its integrity check twice is not a payer problem: the process fails visibly.
    if (isCancellation(err) || unreadableRecord(err)) throw err;
    // Retries exhausted (or the payer answered nonsense): a person calls the payer.
    return undefined;
  }
}

type PhoneVerification =
  | { outcome: 'active'; summary: EligibilitySummary }
  | { outcome: 'inactive' }
  /** The task was closed without an answer: the onboarding goes on without this coverage. */
  | { outcome: 'not_verified' };

/** The payer did not answer electronically: the front desk calls and records what it said. */
async function verifyByPhone(run: OnboardingRun, coverage: CoverageEntry): Promise<PhoneVerification> {
  const { practiceId } = run.intake;
  const { coverageId } = coverage.details;
  run.enterWithTask('awaiting_phone_verification');
  run.publish();
  await run.activities.setCoverageStatus(practiceId, coverageId, 'needs_phone_verification');
  const task = await run.raiseTask(
    'verify_eligibility_by_phone',
    'Verify coverage by phone: the payer did not answer electronically',
    'front_desk',
    24,
    { coverageId },
  );
  const done = await task.result();
  run.openTasks.delete(task.taskWorkflowId);
  const active = done.completion?.outcome['coverageActive'];
  if (done.state === 'cancelled' || active === undefined) return { outcome: 'not_verified' };
  if (active === true) {
    await run.activities.setCoverageStatus(practiceId, coverageId, 'active');
    coverage.view.outcome = 'verified_by_phone';
    const authorizationRequired = done.completion?.outcome['authorizationRequired'];
    if (typeof authorizationRequired === 'boolean')
      coverage.view.authorizationRequired = authorizationRequired;
    return {
      outcome: 'active',
      summary: {
        outcome: 'active',
        rejectionReasons: [],
        ...(typeof authorizationRequired === 'boolean' ? { authorizationRequired } : {}),
      },
    };
  }
  await run.activities.setCoverageStatus(practiceId, coverageId, 'inactive');
  return { outcome: 'inactive' };
}

/**
 * Inactive or not found: the front desk follows up, the patient is asked for new insurance details. Returns once
 * the update arrived and is saved (our mirror and the EMR), to be verified again.
 */
async function awaitInsuranceUpdate(
  run: OnboardingRun,
  index: number,
  round: number,
  coverage: CoverageEntry,
  outcome: EligibilityOutcome,
): Promise<void> {
  const { intake } = run;
  const { coverageId } = coverage.details;
  run.enterWithTask('awaiting_coverage_update');
  run.publish();
  const task = await run.raiseTask(
    'update_insurance',
    outcome === 'not_found'
      ? 'Coverage not found at the payer: obtain updated insurance'
      : 'Coverage inactive: obtain updated insurance',
    'front_desk',
    48,
    { coverageId, outcome },
  );
  const pendingUpdate = () => run.coverageUpdates.find((update) => update.coverageId === coverageId);
  const updated = () => pendingUpdate() !== undefined;
  const request = () =>
    run.sendMessage(
      { kind: 'insurance_update_request', coverageIndex: index, round },
      { template: 'insurance_update_request', link: intake.insuranceUpdateLink },
      updated,
    );
  if (patched(MESSAGES_DO_NOT_HOLD_STATE_PATCH)) {
    // The request waits out quiet hours on its own: an update that arrives meanwhile goes on at once
    // (and makes the request moot).
    const sent = settled(request());
    await condition(updated);
    const failed = await sent;
    if (failed) throw failed;
  } else {
    await request();
    await condition(updated);
  }
  const update = pendingUpdate();
  // Always there: the waits above end only once it arrived.
  if (update) {
    run.coverageUpdates.splice(run.coverageUpdates.indexOf(update), 1);
    coverage.details = {
      ...coverage.details,
      payerId: update.payerId,
      memberId: update.memberId.trim().toUpperCase(),
      ...(update.groupNumber ? { groupNumber: update.groupNumber } : {}),
    };
    await run.activities.saveCoverage({
      practiceId: intake.practiceId,
      patientId: intake.patientId,
      emrPatientId: run.emrPatientId,
      coverage: coverage.details,
    });
  }
  await run.closeTask(task.taskWorkflowId, 'not_needed');
}
