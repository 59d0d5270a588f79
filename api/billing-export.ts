// The charge export for billing systems (recon): one practice's charges of one date of service, from the claims
// mirror and each claim's coding (`claim_codings`), as the documented CSV (domain/billing/charge-export.ts) or as
// an 837P batch built by the X12 codec (connectors/payer/x12) through the claim pipeline's own mapping
// (connectors/payer/mapping.ts `toClaim837`). The 837P needs the subscriber (decrypted from the patient and
// coverage mirror) and the billing provider: `billingProviderFor` below, the practice profile as the claim
// process names it.
import { and, asc, eq } from 'drizzle-orm';
import { practicePartiesOf } from '../activities/claim/prepare.js';
import type { PayerDirectoryEntry } from '../connectors/payer/mapping.js';
import { toClaim837, toClaimBatch } from '../connectors/payer/mapping.js';
import type { ClaimParties, PayerMember } from '../connectors/payer/types.js';
import { generate837P, X12BuildError, type Claim837 } from '../connectors/payer/x12/index.js';
import type { Database } from '../db/connection.js';
import { createCoverageRepository } from '../db/repositories/coverages.js';
import type { RepositoryKeys } from '../db/repositories/keys.js';
import { createPracticeRepository } from '../db/repositories/practices.js';
import { createPatientRepository } from '../db/repositories/patients.js';
import { claimCodings, claims, coverages } from '../db/schema.js';
import { chargesCsv, type ExportClaim } from '../domain/billing/charge-export.js';
import type { Claim } from '../domain/model/claim.js';
import { payerProfileOn } from '../domain/rules/payers.js';

export type ChargeExportFormat = 'csv' | '837p';

/** What the export needs beyond the database; the 837P parts are optional (CSV works without them). */
export interface BillingExportDeps {
  /** The data keys that decrypt the subscriber for the 837P (without them the 837P answers 503). */
  keys?: RepositoryKeys;
  /** Domain payer id → X12 payer id and name (2010BB). */
  payers?: readonly PayerDirectoryEntry[];
  /** 1000A submitter and 1000B receiver of the batch: ptflow toward the billing system. */
  submitter?: { name: string; id: string; contactName: string; phone?: string };
  receiver?: { name: string; id: string };
}

/** Claims left out of an export, by reason (counts only). */
export interface ExportSkips {
  /** Claims billed before their coding was recorded (no lines to export). */
  uncoded: number;
  /** 837P only: claims the scrubber holds or the biller wrote off (not billable as they stand). */
  notBillable: number;
  /** 837P only: claims whose subscriber or payer cannot be resolved, or the codec refuses. */
  unbuildable: number;
}

export interface ChargeExport {
  contentType: string;
  body: string;
  claims: number;
  lines: number;
  skipped: ExportSkips;
  /** The patients whose data the export carries (opaque ids, for the audit entry). */
  patientIds: string[];
}

export class BillingExportNotConfigured extends Error {
  constructor(readonly missing: string) {
    super(`The 837P export needs ${missing}, which this API is not configured with.`);
    this.name = 'BillingExportNotConfigured';
  }
}

/**
 * The billing provider (837P 2010AA) of a practice's exported claims: the practice profile, exactly as the claim
 * process names it (`practicePartiesOf`); undefined while the profile is incomplete.
 */
export async function billingProviderFor(
  deps: { db: Database; keys: RepositoryKeys },
  practiceId: string,
): Promise<ClaimParties['billingProvider'] | undefined> {
  const found = await createPracticeRepository(deps.db, deps.keys.keyring).claimIdentity(practiceId);
  return found && 'identity' in found ? practicePartiesOf(found.identity).billingProvider : undefined;
}

/**
 * The 1000A submitter of the batch (ptflow toward the billing system): configured with the deployment (the
 * clearinghouse submitter's name, id and contact phone); without one the 837P cannot be built.
 */
export function submitterFor(
  deps: Pick<BillingExportDeps, 'submitter'>,
): NonNullable<BillingExportDeps['submitter']> {
  if (!deps.submitter) throw new BillingExportNotConfigured('a submitter (name, id and contact phone)');
  return deps.submitter;
}

/** The batch as a whole failed the X12 codec's checks (the field is named, never a value). */
export class BillingExportUnbuildable extends Error {
  constructor(readonly field: string) {
    super(`The 837P batch could not be built (${field}).`);
    this.name = 'BillingExportUnbuildable';
  }
}

/** Statuses whose claims are exported as 837P: the scrubber passed them (held and written-off claims are not). */
const NOT_BILLABLE = new Set(['held', 'written_off', 'coding']);

const GENDER = { male: 'M', female: 'F', other: 'U', unknown: 'U' } as const;

interface Row {
  claimId: string;
  patientId: string;
  visitId: string;
  payerId: string;
  patientControlNumber: string;
  frequency: '1' | '7' | '8';
  status: string;
  coding: typeof claimCodings.$inferSelect | null;
}

async function chargesOfDay(db: Database, practiceId: string, date: string): Promise<Row[]> {
  const rows = await db
    .select({
      claimId: claims.id,
      patientId: claims.patientId,
      visitId: claims.visitId,
      payerId: claims.payerId,
      patientControlNumber: claims.patientControlNumber,
      frequency: claims.frequency,
      status: claims.status,
      coding: claimCodings,
    })
    .from(claims)
    .leftJoin(claimCodings, eq(claimCodings.claimId, claims.id))
    .where(and(eq(claims.practiceId, practiceId), eq(claims.serviceDate, date)))
    .orderBy(asc(claims.id));
  return rows;
}

function exportClaimOf(r: Row & { coding: NonNullable<Row['coding']> }): ExportClaim {
  return {
    claimId: r.claimId,
    patientId: r.patientId,
    patientControlNumber: r.patientControlNumber,
    payerId: r.payerId,
    status: r.status,
    diagnoses: r.coding.diagnoses,
    renderingNpi: r.coding.rendering?.npi ?? '',
    lines: r.coding.lines,
  };
}

/** The domain claim of a mirrored claim and its coding (what the claim pipeline coded and submitted). */
function claimOf(practiceId: string, r: Row & { coding: NonNullable<Row['coding']> }): Claim {
  const c = r.coding;
  return {
    id: r.claimId,
    visitId: r.visitId,
    practiceId,
    patientId: r.patientId,
    payerId: r.payerId,
    patientControlNumber: r.patientControlNumber,
    frequency: r.frequency,
    ...(c.originalClaimNumber ? { originalClaimNumber: c.originalClaimNumber } : {}),
    placeOfService: c.placeOfService,
    billingProvider: { npi: '' },
    ...(c.rendering ? { renderingProvider: c.rendering } : {}),
    ...(c.referring ? { referringProvider: { npi: c.referring.npi } } : {}),
    diagnoses: c.diagnoses,
    ...(c.priorAuthNumber ? { priorAuthNumber: c.priorAuthNumber } : {}),
    lines: c.lines.map((l) => ({ ...l, audit: [] })),
  };
}

/** The subscriber (= patient, on every ptflow claim) of a claim: our encrypted mirror, the coverage of its payer. */
async function subscriberOf(
  db: Database,
  keys: RepositoryKeys,
  practiceId: string,
  patientId: string,
  payerId: string,
): Promise<PayerMember | undefined> {
  const patient = await createPatientRepository(db, keys).get(practiceId, patientId);
  if (!patient) return undefined;
  const [cov] = await db
    .select({ id: coverages.id })
    .from(coverages)
    .where(
      and(
        eq(coverages.practiceId, practiceId),
        eq(coverages.patientId, patientId),
        eq(coverages.payerId, payerId),
      ),
    )
    .orderBy(asc(coverages.priority))
    .limit(1);
  const coverage = cov && (await createCoverageRepository(db, keys).get(practiceId, cov.id));
  if (!coverage) return undefined;
  const d = patient.demographics;
  return {
    memberId: coverage.memberId,
    lastName: d.family,
    ...(d.given[0] ? { firstName: d.given[0] } : {}),
    dateOfBirth: d.birthDate,
    gender: GENDER[d.sex],
    ...(d.address ? { address: d.address } : {}),
  };
}

/** The practice's charges of one date of service in the requested format. `now` dates the 837P envelope. */
export async function exportCharges(
  db: Database,
  deps: BillingExportDeps,
  q: { practiceId: string; date: string; format: ChargeExportFormat; now: Date },
): Promise<ChargeExport> {
  const rows = await chargesOfDay(db, q.practiceId, q.date);
  const skipped: ExportSkips = { uncoded: 0, notBillable: 0, unbuildable: 0 };
  const coded = rows.filter((r): r is Row & { coding: NonNullable<Row['coding']> } => {
    if (r.coding) return true;
    skipped.uncoded++;
    return false;
  });
  if (q.format === 'csv') {
    const billed = coded.filter((r) => r.status !== 'written_off');
    skipped.notBillable = coded.length - billed.length;
    const exported = billed.map(exportClaimOf);
    return {
      contentType: 'text/csv; charset=utf-8',
      body: chargesCsv(exported),
      claims: exported.length,
      lines: exported.reduce((n, c) => n + c.lines.length, 0),
      skipped,
      patientIds: [...new Set(exported.map((c) => c.patientId))],
    };
  }

  const keys = deps.keys;
  if (!keys) throw new BillingExportNotConfigured('the data keyring');
  const billingProvider = await billingProviderFor({ db, keys }, q.practiceId);
  if (!billingProvider) throw new BillingExportNotConfigured("the practice's billing provider");
  const submitter = submitterFor(deps);
  const built: { claim: Claim837; patientId: string; lines: number }[] = [];
  for (const r of coded) {
    if (NOT_BILLABLE.has(r.status)) {
      skipped.notBillable++;
      continue;
    }
    const claim = claimOf(q.practiceId, r);
    const payer = deps.payers?.find((p) => p.payerId === r.payerId);
    const profile = payerProfileOn(r.payerId, q.date);
    const subscriber = await subscriberOf(db, keys, q.practiceId, r.patientId, r.payerId);
    if (!payer || !profile || !subscriber) {
      skipped.unbuildable++;
      continue;
    }
    try {
      built.push({
        claim: toClaim837(claim, { billingProvider, subscriber }, payer, profile),
        patientId: r.patientId,
        lines: claim.lines.length,
      });
    } catch (err) {
      if (!(err instanceof X12BuildError)) throw err;
      skipped.unbuildable++;
    }
  }
  const created = q.now.toISOString();
  const date = created.slice(0, 10);
  const time = created.slice(11, 16);
  // Control numbers from the clock (seconds of the day): unique per export within a day, nothing stored.
  const control = Math.floor(q.now.getTime() / 1000) % 1_000_000_000 || 1;
  const receiver = deps.receiver ?? { name: 'BILLING SYSTEM', id: 'BILLINGSYSTEM' };
  let body = '';
  if (built.length > 0) {
    try {
      body = generate837P(
        toClaimBatch(
          built.map((b) => b.claim),
          {
            reference: `CHG${q.date.replace(/-/g, '')}`,
            createdDate: date,
            createdTime: time,
            submitter,
            receiver,
          },
        ),
        {
          sender: { qualifier: 'ZZ', id: submitter.id },
          receiver: { qualifier: 'ZZ', id: receiver.id },
          date,
          time,
          interchangeControlNumber: control,
          groupControlNumber: control,
          transactionControlNumber: '0001',
          usage: 'P',
          lineBreaks: true,
        },
      );
    } catch (err) {
      if (err instanceof X12BuildError) throw new BillingExportUnbuildable(err.field);
      throw err;
    }
  }
  return {
    contentType: 'application/edi-x12',
    body,
    claims: built.length,
    lines: built.reduce((n, b) => n + b.lines, 0),
    skipped,
    patientIds: [...new Set(built.map((b) => b.patientId))],
  };
}
