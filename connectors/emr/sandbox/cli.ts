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
import type { AppointmentKind, CancelReason } from '../types.js';
import { SandboxEmr } from './sandbox-emr.js';
import { seedSandboxEmr } from './seed.js';

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
    .command('deliver')
    .description('retry due webhook deliveries')
    .action(() => withSandbox(ctx, async () => undefined));
  return emr;
}
