// Line-level denial routing: an 835 claim paid in part may still carry denied lines (CO-4 on
// one line, CO-97 bundling on another). Each denied line is routed on its own — its own CAS, its own RARCs, its
// own submitted and expected modifiers — against the facts on file (authorization, documented medical necessity,
// the payer's dated replacement policy). The paid lines' money is posted regardless; the denied lines become a
// corrected replacement (payers that take frequency 7), a reopening request (payers that do not, e.g. Medicare
// Part B), an appeal, a write-off or a biller review. Never a dead end: every line gets a disposition.
import type { IsoDate } from '../core/dates.js';
import { routeDenial, type DenialDecision, type Fix } from './route.js';
import type { GroupCode } from './types.js';

export interface RemitLineAdjustment {
  group: GroupCode;
  carc: string;
  amountCents: number;
}

/** One SVC loop of the 835 as the claim process sees it (no PHI). */
export interface RemitLine {
  /** 1-based position of the line in the remittance claim. */
  index: number;
  code: string;
  /** Modifiers as the payer received them (SVC01-3..6). */
  submittedModifiers: readonly string[];
  chargeCents: number;
  paidCents: number;
  adjustments: readonly RemitLineAdjustment[];
  remarkCodes: readonly string[];
}

/** What is on file when the remittance arrives. */
export interface LineDenialFacts {
  date: IsoDate;
  /** Our coding of each procedure code (the modifiers the rules expect on that line). */
  expectedModifiersByCode: Readonly<Record<string, readonly string[]>>;
  /** The authorization on record for the date of service, if any. */
  authNumberOnFile?: string;
  /** A certified plan of care with current progress reports documents medical necessity. */
  necessityDocumented: boolean;
  /** The payer applies the Medicare therapy threshold (KX supported when necessity is documented). */
  therapyThresholdKx: boolean;
  /** Dated payer profile: frequency-7 replacements accepted, or reopenings. */
  acceptsReplacementClaims: boolean;
  attempts: number;
  maxAttempts: number;
}

export type LineDisposition =
  | 'replace' // corrected frequency-7 replacement carries the fix
  | 'reopen' // payer takes no replacements: a reopening request carrying the corrected data
  | 'appeal'
  | 'write_off'
  | 'review';

export interface LineRouting {
  lineIndex: number;
  code: string;
  group: GroupCode;
  carc: string;
  rarcs: string[];
  deniedCents: number;
  disposition: LineDisposition;
  fix?: Fix;
  reason: string;
}

export interface LineDenialPlan {
  /** Lines with no denial (paid, or only cost share / contractual adjustments). */
  paidLineIndexes: number[];
  paidCents: number;
  denied: LineRouting[];
  /** Replacement fixes: modifiers to add per denied line's procedure code, authorization number. */
  replacement?: { addModifiers: Record<string, string[]>; priorAuthNumber?: string };
}

/** Adjustments that are not a denial: patient cost share and the contractual write-down. */
export function isDenialAdjustment(a: { group: string; carc: string }): boolean {
  if (a.group === 'PR' && ['1', '2', '3'].includes(a.carc)) return false;
  return a.carc !== '45';
}

function dispositionOf(
  decision: DenialDecision,
  facts: LineDenialFacts,
  group: GroupCode,
  carc: string,
): { disposition: LineDisposition; reason: string } {
  const fixable = decision.action === 'resubmit_corrected' && decision.fix !== undefined;
  if (fixable && decision.automatic) {
    return facts.acceptsReplacementClaims
      ? { disposition: 'replace', reason: decision.reason }
      : {
          disposition: 'reopen',
          reason: `${decision.reason}; the payer takes no replacement claims: reopening request with the corrected data`,
        };
  }
  if (decision.action === 'appeal' || carc === '50') {
    return facts.necessityDocumented
      ? { disposition: 'appeal', reason: `${decision.reason}; necessity documented: appeal with the packet` }
      : {
          disposition: 'review',
          reason: `${decision.reason}; no certified plan of care with current progress reports on file: document necessity or write off`,
        };
  }
  if (decision.action === 'write_off' || (decision.action === 'post_adjustment' && group === 'CO')) {
    return { disposition: 'write_off', reason: decision.reason };
  }
  return { disposition: 'review', reason: decision.reason };
}

/** Routes every denied line of one remittance claim; the rest is paid and posted. */
export function routeLineDenials(lines: readonly RemitLine[], facts: LineDenialFacts): LineDenialPlan {
  const denied: LineRouting[] = [];
  const paidLineIndexes: number[] = [];
  for (const line of lines) {
    const denials = line.adjustments.filter(isDenialAdjustment);
    const first = denials[0];
    if (!first) {
      paidLineIndexes.push(line.index);
      continue;
    }
    const expected = facts.expectedModifiersByCode[line.code] ?? [];
    const decision = routeDenial({
      group: first.group,
      carc: first.carc,
      rarcs: line.remarkCodes,
      date: facts.date,
      context: {
        // Per line: this line's expected modifiers against what this line carried.
        expectedModifiers: expected,
        submittedModifiers: line.submittedModifiers,
        ...(facts.authNumberOnFile ? { authNumberOnFile: facts.authNumberOnFile } : {}),
        kxSupported: facts.therapyThresholdKx && facts.necessityDocumented,
        attempts: facts.attempts,
        maxAttempts: facts.maxAttempts,
        // The payer's policy decides replace vs reopen below, with the fix kept either way.
        acceptsReplacementClaims: true,
      },
    });
    // CO-197 (authorization absent) with an authorization on record is a missing REF*G1, fixable like CO-15.
    const authFix =
      first.carc === '197' && facts.authNumberOnFile && facts.attempts < facts.maxAttempts
        ? ({ kind: 'set_prior_auth_number', number: facts.authNumberOnFile } as const)
        : undefined;
    const effective: DenialDecision = authFix
      ? {
          ...decision,
          action: 'resubmit_corrected',
          automatic: true,
          humanReview: false,
          fix: authFix,
          reason: `${first.group}-197: an authorization is on record for the date of service: add it (REF*G1)`,
        }
      : decision;
    const { disposition, reason } = dispositionOf(effective, facts, first.group, first.carc);
    denied.push({
      lineIndex: line.index,
      code: line.code,
      group: first.group,
      carc: first.carc,
      rarcs: [...line.remarkCodes],
      deniedCents: denials.reduce((s, a) => s + a.amountCents, 0),
      disposition,
      ...(effective.fix ? { fix: effective.fix } : {}),
      reason: `line ${line.index} (${line.code}): ${reason}`,
    });
  }
  const fixes = denied.filter((d) => d.disposition === 'replace');
  const addModifiers: Record<string, string[]> = {};
  let priorAuthNumber: string | undefined;
  for (const d of fixes) {
    if (d.fix?.kind === 'add_modifiers') addModifiers[d.code] = [...d.fix.modifiers];
    if (d.fix?.kind === 'set_prior_auth_number') priorAuthNumber = d.fix.number;
  }
  return {
    paidLineIndexes,
    paidCents: lines.reduce((s, l) => s + l.paidCents, 0),
    denied,
    ...(fixes.length > 0
      ? { replacement: { addModifiers, ...(priorAuthNumber ? { priorAuthNumber } : {}) } }
      : {}),
  };
}
