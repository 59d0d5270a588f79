// What the sandbox EMR knows of the reports a therapist signs for the referring physician (progress report,
// recertification, discharge summary): signing one stores it (a generic record of kind `signed-report`) and
// queues `report.signed` in the same transaction; the signed report is read back by its id.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { EmrNotFound } from '../errors.js';
import type { SignedReport } from '../types.js';
import { UUID, type SandboxDb } from './appointments.js';
import * as t from './schema.js';
import { enqueueEvent } from './webhooks.js';

const KIND = 'signed-report';

/** What the therapist writes and signs. */
export type ReportToSign = Pick<SignedReport, 'kind' | 'reportDate' | 'goals' | 'assessment' | 'plan'> & {
  emrPatientId: string;
  /** The sandbox therapist who signs (an id of sandbox_emr.therapists). */
  therapistId: string;
};

export class SandboxReports {
  constructor(
    private readonly db: SandboxDb,
    private readonly now: () => Date,
  ) {}

  /** EMR-side action: the therapist signs a report (queues report.signed). */
  async signReport(input: ReportToSign): Promise<SignedReport> {
    const id = await this.db.transaction(async (tx) => {
      const [patient] = await tx.select().from(t.patients).where(eq(t.patients.id, input.emrPatientId));
      if (!patient) throw new EmrNotFound('Patient');
      const [th] = await tx.select().from(t.therapists).where(eq(t.therapists.id, input.therapistId));
      if (!th) throw new EmrNotFound('Therapist');
      const reportId = randomUUID();
      const signedAt = this.now();
      const report: SignedReport = {
        reportId,
        emrPatientId: patient.id,
        kind: input.kind,
        reportDate: input.reportDate,
        signedAt: signedAt.toISOString(),
        therapistNpi: th.npi,
        therapistName: th.name,
        goals: input.goals,
        ...(input.assessment ? { assessment: input.assessment } : {}),
        plan: input.plan,
      };
      await tx.insert(t.records).values({
        id: reportId,
        kind: KIND,
        ourId: reportId,
        patientId: patient.id,
        body: report,
      });
      await enqueueEvent(
        tx,
        'report.signed',
        {
          practiceId: patient.practiceId,
          reportId,
          emrPatientId: patient.id,
          kind: input.kind,
          reportDate: input.reportDate,
          therapistNpi: th.npi,
          signedAt: report.signedAt,
        },
        signedAt,
      );
      return reportId;
    });
    return this.getSignedReport(id);
  }

  async getSignedReport(reportId: string): Promise<SignedReport> {
    if (!UUID.test(reportId)) throw new EmrNotFound('signed report');
    const [row] = await this.db
      .select()
      .from(t.records)
      .where(and(eq(t.records.kind, KIND), eq(t.records.id, reportId)));
    if (!row) throw new EmrNotFound('signed report');
    return row.body as SignedReport;
  }
}
