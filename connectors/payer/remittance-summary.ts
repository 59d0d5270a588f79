// A biller's summary of an 835: per claim what was paid, adjusted and left to the patient, the adjustment codes
// with their meaning (the denial table's own wording), whether each claim and the whole file balance. Without
// `full` it carries no PHI: claims are numbered and named by the payer's claim number only (no patient, member
// id or our account number).
import { DENIAL_ROUTES } from '../../domain/denials/table.js';
import { claimBalances, reconcile835, serviceBalances, type Remittance835 } from './x12/index.js';

/** Adjustments that reduce a payment without denying anything (contractual, cost share, sequestration). */
const NON_DENIAL = new Set(['45', '1', '2', '3', '253']);
/** Our wording for adjustment codes the denial table does not route (they are never denials). */
const OTHER_MEANINGS: Record<string, string> = { '253': 'sequestration (federal payment reduction)' };

export interface RemittanceClaimSummary {
  claim: number;
  payerClaimNumber?: string;
  /** Only with `full`. */
  patientControlNumber?: string;
  patient?: string;
  statusCode: string;
  chargeCents: number;
  paidCents: number;
  adjustedCents: number;
  patientResponsibilityCents: number;
  codes: { code: string; amountCents: number; meaning: string; denial: boolean }[];
  balanced: boolean;
}

export interface RemittanceSummary {
  paymentCents: number;
  expectedCents: number;
  providerAdjustmentCents: number;
  balanced: boolean;
  claims: RemittanceClaimSummary[];
}

function meaningOf(group: string, carc: string): string {
  const row =
    DENIAL_ROUTES.find((r) => r.carc === carc && r.group === group && r.rarc === undefined) ??
    DENIAL_ROUTES.find((r) => r.carc === carc && (r.group === '*' || r.rarc === undefined));
  return row?.meaning ?? OTHER_MEANINGS[carc] ?? 'not in ptflow’s denial table';
}

export function summarize835(remit: Remittance835, opts: { full?: boolean } = {}): RemittanceSummary {
  const rec = reconcile835(remit);
  const plb = remit.providerAdjustments.reduce(
    (s, p) => s + p.adjustments.reduce((t, a) => t + a.amountCents, 0),
    0,
  );
  const claims = remit.claims.map((c, i): RemittanceClaimSummary => {
    const all = [...c.adjustments, ...c.services.flatMap((l) => l.adjustments)];
    const byCode = new Map<string, { group: string; carc: string; amountCents: number }>();
    for (const a of all) {
      const key = `${a.group}-${a.reasonCode}`;
      const seen = byCode.get(key);
      if (seen) seen.amountCents += a.amountCents;
      else byCode.set(key, { group: a.group, carc: a.reasonCode, amountCents: a.amountCents });
    }
    const pr = all.filter((a) => a.group === 'PR').reduce((s, a) => s + a.amountCents, 0);
    const out: RemittanceClaimSummary = {
      claim: i + 1,
      statusCode: c.statusCode,
      chargeCents: c.chargeCents,
      paidCents: c.paidCents,
      adjustedCents: all.filter((a) => a.group !== 'PR').reduce((s, a) => s + a.amountCents, 0),
      patientResponsibilityCents: c.patientResponsibilityCents ?? pr,
      codes: [...byCode.entries()].map(([code, a]) => ({
        code,
        amountCents: a.amountCents,
        meaning: meaningOf(a.group, a.carc),
        denial: a.group !== 'PR' && !NON_DENIAL.has(a.carc),
      })),
      balanced: claimBalances(c) && c.services.every((l) => l.adjustments.length === 0 || serviceBalances(l)),
    };
    if (c.payerClaimControlNumber !== undefined) out.payerClaimNumber = c.payerClaimControlNumber;
    if (opts.full) {
      out.patientControlNumber = c.patientControlNumber;
      const p = c.patient;
      if (p !== undefined) out.patient = [p.lastName, p.firstName].filter(Boolean).join(', ');
    }
    return out;
  });
  return {
    paymentCents: rec.paymentCents,
    expectedCents: rec.expectedCents,
    providerAdjustmentCents: plb,
    balanced: rec.balanced && claims.every((c) => c.balanced),
    claims,
  };
}

const usd = (cents: number) => `${cents < 0 ? '-' : ''}$${(Math.abs(cents) / 100).toFixed(2)}`;

export function formatRemittanceSummary(s: RemittanceSummary): string {
  const lines = [
    `835: payment ${usd(s.paymentCents)}; claims paid − provider adjustments = ${usd(s.expectedCents)} ` +
      `(PLB ${usd(s.providerAdjustmentCents)}) → ${s.balanced ? 'balances' : 'DOES NOT BALANCE'}`,
  ];
  for (const c of s.claims) {
    const who = [
      c.payerClaimNumber ? `payer claim ${c.payerClaimNumber}` : undefined,
      c.patientControlNumber,
      c.patient,
    ]
      .filter(Boolean)
      .join(' · ');
    lines.push(
      `claim ${c.claim}${who ? ` (${who})` : ''}: status ${c.statusCode}, charged ${usd(c.chargeCents)}, ` +
        `paid ${usd(c.paidCents)}, adjusted ${usd(c.adjustedCents)}, patient responsibility ` +
        `${usd(c.patientResponsibilityCents)}${c.balanced ? '' : ' — claim does not balance'}`,
    );
    for (const k of c.codes) {
      lines.push(`  ${k.code} ${usd(k.amountCents)}: ${k.meaning}${k.denial ? ' (denial)' : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
