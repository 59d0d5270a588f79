// `ptflow sandbox emr …`: act as the EMR in demos (book, check in, sign a note, cancel …). Each action changes
// the sandbox EMR's state and then delivers the resulting signed webhooks to ptflow at once. The command
// prints opaque ids only. Webhook target: PTFLOW_SANDBOX_EMR_WEBHOOK_URL and PTFLOW_SANDBOX_EMR_WEBHOOK_SECRET
// (`whsec_…`; comma-separated during a rotation) — not needed beside a running `ptflow dev`, which delivers what
// is queued to its own API every second.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import postgres from 'postgres';
import { DEMO_PRACTICE_ID } from '../../../db/seed.js';
import type { NoteIntervention } from '../../webhooks/emr-events.js';
import type { AppointmentKind, CancelReason, SignedReport } from '../types.js';
import { SandboxEmr } from './sandbox-emr.js';
import { SANDBOX_THERAPISTS, seedSandboxEmr } from './seed.js';

export interface SandboxEmrCliContext {
  /** Starts (or connects to) ptflow's database; `stop` releases it. */
  openDatabase(): Promise<{ url: string; stop(): Promise<void> }>;
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  /** True while a `ptflow dev` runs on this data directory (it delivers queued webhooks itself). */
  devRunning?: () => boolean;
}

/** What the command says about the webhooks its action queued. */
export function deliveryNote(o: {
  url: string | undefined;
  devRunning: boolean;
  report: { delivered: number; retrying: number; failed: number };
}): string {
  if (o.url) {
    return `webhooks: ${o.report.delivered} delivered, ${o.report.retrying} to retry, ${o.report.failed} failed`;
  }
  if (o.devRunning)
    return 'webhooks queued; the running `ptflow dev` delivers them to its API within a second';
  return 'webhooks queued (set PTFLOW_SANDBOX_EMR_WEBHOOK_URL and _SECRET to deliver, or run `ptflow dev`)';
}

export function parseIntervention(spec: string): NoteIntervention {
  const m = /^([0-9A-Z]{5}):(\d{1,3}):(PT|PTA|PT_AND_PTA)$/.exec(spec);
  if (!m) throw new Error('intervention must look like CPT:MINUTES:PT|PTA (e.g. 97110:23:PT)');
  return {
    code: m[1] as string,
    minutes: Number(m[2]),
    furnishedBy: m[3] as NoteIntervention['furnishedBy'],
  };
}

/** `text:status` of a goal on a signed report (status one of met, partially_met, progressing, not_met, discontinued). */
export function parseGoal(spec: string): SignedReport['goals'][number] {
  const at = spec.lastIndexOf(':');
  const text = spec.slice(0, at).trim();
  const status = spec.slice(at + 1) as SignedReport['goals'][number]['status'];
  if (at < 1 || !text || !GOAL_STATUSES.includes(status) || text.length > 300) {
    throw new Error(`goal must look like TEXT:STATUS with STATUS one of ${GOAL_STATUSES.join(', ')}`);
  }
  return { text, status };
}

const GOAL_STATUSES: readonly string[] = ['met', 'partially_met', 'progressing', 'not_met', 'discontinued'];
const REPORT_KINDS: readonly string[] = ['progress_report', 'recertification', 'discharge_summary'];

async function withSandbox<T>(
  ctx: SandboxEmrCliContext,
  fn: (emr: SandboxEmr, sql: postgres.Sql) => Promise<T>,
): Promise<T> {
  const database = await ctx.openDatabase();
  const sql = postgres(database.url, { max: 2, onnotice: () => undefined });
  const url = ctx.env.PTFLOW_SANDBOX_EMR_WEBHOOK_URL;
  const secrets = (ctx.env.PTFLOW_SANDBOX_EMR_WEBHOOK_SECRET ?? '').split(',').filter(Boolean);
  const emr = new SandboxEmr(sql, {
    practiceId: DEMO_PRACTICE_ID,
    ...(url && secrets.length > 0 ? { target: { url, secrets } } : {}),
  });
  try {
    const result = await fn(emr, sql);
    const report = await emr.webhooks.deliverDue();
    ctx.out(deliveryNote({ url, devRunning: ctx.devRunning?.() ?? false, report }));
    return result;
  } finally {
    await sql.end({ timeout: 5 });
    await database.stop();
  }
}

/** Adds `emr` under the given `sandbox` command. */
export function registerSandboxEmrCommands(sandbox: Command, ctx: SandboxEmrCliContext): Command {
  const emr = sandbox.command('emr').description('act as the sandbox EMR (sends signed webhooks to ptflow)');
  emr
    .command('seed')
    .description('seed the demo practice in the sandbox EMR')
    .action(() => withSandbox(ctx, async (_e, sql) => void (await seedSandboxEmr(sql, new Date()))));
  emr
    .command('slots')
    .description('list free slots')
    .requiredOption('--from <iso>', 'window start (ISO instant)')
    .requiredOption('--to <iso>', 'window end (ISO instant)')
    .option('--therapist <id>')
    .option('--specialty <name>')
    .option('--location <id>')
    .action((o: { from: string; to: string; therapist?: string; specialty?: string; location?: string }) =>
      withSandbox(ctx, async (e) => {
        const slots = await e.searchFreeSlots({
          from: o.from,
          to: o.to,
          ...(o.therapist ? { therapistId: o.therapist } : {}),
          ...(o.specialty ? { specialty: o.specialty } : {}),
          ...(o.location ? { locationId: o.location } : {}),
        });
        for (const s of slots) ctx.out(`${s.slotId}\t${s.start}\t${s.therapistId}\t${s.locationId ?? ''}`);
      }),
    );
  emr
    .command('book')
    .description('book a slot for a patient (as the front desk would)')
    .requiredOption('--patient <emrPatientId>')
    .requiredOption('--slot <slotId>')
    .option('--kind <kind>', 'evaluation | treatment | re-evaluation | discharge', 'evaluation')
    .action((o: { patient: string; slot: string; kind: AppointmentKind }) =>
      withSandbox(ctx, async (e) => {
        const a = await e.bookAppointment({
          appointmentId: randomUUID(),
          slotId: o.slot,
          emrPatientId: o.patient,
          kind: o.kind,
        });
        ctx.out(`booked ${a.emrAppointmentId} ${a.start}`);
      }),
    );
  emr
    .command('check-in <emrAppointmentId>')
    .description('check the patient in')
    .action((id: string) => withSandbox(ctx, async (e) => ctx.out(`${(await e.checkIn(id)).status} ${id}`)));
  emr
    .command('no-show <emrAppointmentId>')
    .description('mark the appointment as a no-show')
    .action((id: string) =>
      withSandbox(ctx, async (e) => ctx.out(`${(await e.markNoShow(id)).status} ${id}`)),
    );
  emr
    .command('cancel <emrAppointmentId>')
    .description('cancel the appointment')
    .option('--reason <reason>', 'patient | clinic | weather | other', 'patient')
    .action((id: string, o: { reason: CancelReason }) =>
      withSandbox(ctx, async (e) => ctx.out(`${(await e.cancelAppointment(id, o.reason)).status} ${id}`)),
    );
  emr
    .command('sign-note <emrAppointmentId>')
    .description('sign the visit note of a checked-in appointment')
    .requiredOption(
      '--intervention <CPT:MIN:PT|PTA>',
      'repeatable, e.g. --intervention 97110:23:PT',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--diagnosis <icd10>', 'repeatable', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action((id: string, o: { intervention: string[]; diagnosis: string[] }) =>
      withSandbox(ctx, async (e) => {
        const visit = await e.signNote(id, o.intervention.map(parseIntervention), o.diagnosis);
        ctx.out(`signed visit ${visit.visitId} (${visit.totalTreatmentMinutes} min)`);
      }),
    );
  emr
    .command('sign-report <emrPatientId>')
    .description('sign a progress report, recertification or discharge summary (→ the referring physician)')
    .option('--kind <kind>', REPORT_KINDS.join(' | '), 'progress_report')
    .option('--date <YYYY-MM-DD>', 'report date (default: today, UTC)')
    .option(
      '--goal <TEXT:STATUS>',
      'repeatable, e.g. --goal "Sit 60 min:progressing"',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--assessment <text>', 'the therapist assessment')
    .requiredOption('--plan <text>', 'the plan (or discharge plan)')
    .option('--therapist <id>', 'sandbox therapist id', SANDBOX_THERAPISTS.whitfield)
    .action(
      (
        emrPatientId: string,
        o: {
          kind: string;
          date?: string;
          goal: string[];
          assessment?: string;
          plan: string;
          therapist: string;
        },
      ) => {
        if (!REPORT_KINDS.includes(o.kind)) throw new Error(`kind must be one of ${REPORT_KINDS.join(', ')}`);
        const reportDate = o.date ?? new Date().toISOString().slice(0, 10);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(reportDate)) throw new Error('date must be YYYY-MM-DD');
        const goals = o.goal.map(parseGoal);
        return withSandbox(ctx, async (e) => {
          const report = await e.signReport({
            emrPatientId,
            therapistId: o.therapist,
            kind: o.kind as SignedReport['kind'],
            reportDate,
            goals,
            ...(o.assessment ? { assessment: o.assessment } : {}),
            plan: o.plan,
          });
          ctx.out(`signed report ${report.reportId} (${report.kind})`);
        });
      },
    );
  emr
    .command('deliver')
    .description('retry due webhook deliveries')
    .action(() => withSandbox(ctx, async () => undefined));
  return emr;
}
