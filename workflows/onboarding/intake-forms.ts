// The intake forms: the link goes out (SMS or email by the patient's preference and consent), reminders follow
// at the configured offsets until the forms arrive (`intakeFormsCompleted`), then the answers go to the EMR.
import { condition } from '@temporalio/workflow';
import { reminderTimes } from '../../domain/onboarding/reminders.js';
import type { OnboardingRun } from './run.js';

/** Intake link, reminders at the configured offsets until the forms arrive, then write-back to the EMR. */
export async function collectIntakeForms(run: OnboardingRun): Promise<void> {
  const { intake, forms } = run;
  await run.sendMessage({ kind: 'intake_link' }, { template: 'intake_link', link: intake.intakeFormLink });
  forms.state = 'sent';
  const due = reminderTimes(new Date().getTime(), intake.formReminderOffsetsHours);
  for (const [index, at] of due.entries()) {
    const arrived = await condition(
      () => run.completedForms !== undefined || run.closing,
      Math.max(1, at - new Date().getTime()),
    );
    if (arrived) break;
    await run.sendMessage(
      { kind: 'form_reminder', n: index + 1 },
      { template: 'form_reminder', link: intake.intakeFormLink },
    );
    forms.remindersSent++;
  }
  await condition(() => run.completedForms !== undefined || run.closing);
  if (run.completedForms) {
    await run.activities.writeIntakeForms({ ...run.completedForms, emrPatientId: run.emrPatientId });
    forms.state = 'completed';
    if (run.formsTask) await run.closeTask(run.formsTask, 'not_needed');
  }
}
