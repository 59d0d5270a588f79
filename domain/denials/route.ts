// Denial routing (what the claim process does with a denial): a CAS adjustment (group + CARC, with RARCs) becomes
// one action, with the concrete fix where the engine can apply it by itself. Every decision carries a reason.
import { findEffective } from '../core/effective.js';
import type { IsoDate } from '../core/dates.js';
import { DENIAL_ROUTES, RARC_TABLE } from './table.js';
import type { DenialAction, DenialRouteRow, GroupCode, RarcRow } from './types.js';

export type Fix =
  | { kind: 'add_modifiers'; modifiers: string[] }
  | { kind: 'set_prior_auth_number'; number: string }
  | { kind: 'correct_field'; field: string; rarc: string; newClaim: boolean }
  | { kind: 'check_claim_status' }
  | { kind: 'reverify_eligibility' };

export interface DenialContext {
  /** Modifiers our coding rules expect on the denied line vs what was submitted (for CO-4). */
  expectedModifiers?: readonly string[];
  submittedModifiers?: readonly string[];
  /** Authorization number on file for the DOS (for CO-15). */
  authNumberOnFile?: string;
  /** The KX rule says the beneficiary is over the threshold and necessity is documented (for CO-119). */
  kxSupported?: boolean;
  /** NCCI indicator of the pair and clinician-confirmed distinct service, with the modifier to use (CO-97/236). */
  ncci?: { indicator: string; distinctServiceModifier?: string };
  /** Proof of timely filing exists (an accepted 999/277CA before the deadline) (for CO-29). */
  proofOfTimelyFiling?: boolean;
  /** Automatic correction attempts already made on this claim; bounded by maxAttempts. */
  attempts?: number;
  maxAttempts?: number;
  /** Payer accepts frequency-7 replacements; otherwise corrections go to a person (e.g. MAC reopening). */
  acceptsReplacementClaims?: boolean;
}

export interface DenialInput {
  group: GroupCode;
  carc: string;
  rarcs?: readonly string[];
  /** Lookup date (the remittance date); the table is effective-dated. */
  date: IsoDate;
  context?: DenialContext;
}

export interface DenialDecision {
  action: DenialAction;
  /** The engine may apply `fix` and resubmit without a person. */
  automatic: boolean;
  humanReview: boolean;
  fix?: Fix;
  reason: string;
  /** The table row that decided (undefined = unknown code → human review). */
  rule?: Pick<DenialRouteRow, 'group' | 'carc' | 'rarc' | 'source' | 'verify' | 'meaning'>;
  notAppealable: boolean;
}

export const DEFAULT_MAX_ATTEMPTS = 2;

export function findDenialRoute(
  group: GroupCode,
  carc: string,
  rarcs: readonly string[],
  date: IsoDate,
  rows: readonly DenialRouteRow[] = DENIAL_ROUTES,
): DenialRouteRow | undefined {
  const c = carc.toUpperCase();
  return (
    findEffective(
      rows,
      date,
      (r) => r.group === group && r.carc === c && r.rarc !== undefined && rarcs.includes(r.rarc),
    ) ??
    findEffective(rows, date, (r) => r.group === group && r.carc === c && r.rarc === undefined) ??
    findEffective(rows, date, (r) => r.group === '*' && r.carc === c && r.rarc === undefined)
  );
}

export function routeDenial(
  input: DenialInput,
  tables: { routes?: readonly DenialRouteRow[]; rarcs?: readonly RarcRow[] } = {},
): DenialDecision {
  const rarcs = (input.rarcs ?? []).map((r) => r.toUpperCase());
  const rarcRows = rarcs
    .map((code) => findEffective(tables.rarcs ?? RARC_TABLE, input.date, (r) => r.rarc === code))
    .filter((r): r is RarcRow => r !== undefined);
  const notAppealable = rarcRows.some((r) => r.notAppealable === true);
  const ctx = input.context ?? {};
  const human = (
    reason: string,
    rule?: DenialRouteRow,
    action: DenialAction = 'human_review',
  ): DenialDecision => ({
    action,
    automatic: false,
    humanReview: true,
    reason,
    notAppealable,
    ...(rule ? { rule: decidingRule(rule) } : {}),
  });

  if (input.group === 'CR') {
    return human(
      `Group CR (correction/reversal) is not expected in 5010 input (VERIFY); ${input.carc} needs a person`,
    );
  }
  const rule = findDenialRoute(input.group, input.carc, rarcs, input.date, tables.routes);
  if (!rule) return human(`No routing rule for ${input.group}-${input.carc}`);
  const label = `${input.group}-${input.carc} (${rule.meaning})`;
  if (rule.humanReviewMandatory)
    return human(
      `${label}: clinical judgement or patient liability, human review is mandatory`,
      rule,
      rule.action,
    );

  const decide = (action: DenialAction, automatic: boolean, reason: string, fix?: Fix): DenialDecision => {
    // Correctable denials are fixed and resubmitted a bounded number of times, then a person takes over.
    if (action === 'resubmit_corrected' && automatic) {
      const attempts = ctx.attempts ?? 0;
      if (attempts >= (ctx.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
        return {
          ...human(`${label}: ${attempts} automatic correction(s) already made`, rule),
          ...(fix ? { fix } : {}),
        };
      }
      if (ctx.acceptsReplacementClaims === false && !(fix?.kind === 'correct_field' && fix.newClaim)) {
        return {
          ...human(`${label}: payer does not take replacement claims (reopening needed)`, rule),
          ...(fix ? { fix } : {}),
        };
      }
    }
    // A CO amount is the provider's: never bill it to the patient.
    if (action === 'bill_patient' && input.group === 'CO')
      return human(`${label}: CO amounts are never billed to the patient`, rule);
    return {
      action,
      automatic,
      humanReview: !automatic,
      reason,
      notAppealable,
      rule: decidingRule(rule),
      ...(fix ? { fix } : {}),
    };
  };

  switch (rule.fix) {
    case 'add_missing_modifiers': {
      const submitted = new Set(ctx.submittedModifiers ?? []);
      const missing = (ctx.expectedModifiers ?? []).filter((m) => !submitted.has(m));
      return missing.length > 0
        ? decide(
            'resubmit_corrected',
            true,
            `${label}: add ${missing.join(', ')} and resubmit as a corrected claim`,
            { kind: 'add_modifiers', modifiers: missing },
          )
        : decide(
            'human_review',
            false,
            `${label}: submitted modifiers already match our rules; check NCCI and payer policy`,
          );
    }
    case 'add_prior_auth_number':
      return ctx.authNumberOnFile
        ? decide('resubmit_corrected', true, `${label}: add the authorization number on file (REF*G1)`, {
            kind: 'set_prior_auth_number',
            number: ctx.authNumberOnFile,
          })
        : decide(
            'human_review',
            false,
            `${label}: no authorization on file for the DOS; obtain one or appeal`,
          );
    case 'correct_field_named_by_rarc': {
      const named = rarcRows.find((r) => r.field !== undefined);
      const newClaim = rarcRows.some((r) => r.newClaim === true);
      return named?.field
        ? decide(
            'resubmit_corrected',
            true,
            `${label}: correct ${named.field} (${named.rarc}: ${named.meaning})${newClaim ? ' and submit a new claim' : ''}`,
            {
              kind: 'correct_field',
              field: named.field,
              rarc: named.rarc,
              newClaim,
            },
          )
        : decide('human_review', false, `${label}: the remark codes do not name a field we can correct`);
    }
    case 'add_kx':
      return ctx.kxSupported
        ? decide(
            'resubmit_corrected',
            true,
            `${label}: over the therapy threshold with necessity documented → add KX`,
            { kind: 'add_modifiers', modifiers: ['KX'] },
          )
        : decide(
            'human_review',
            false,
            `${label}: KX not supported; patient liability or other coverage needs a person`,
          );
    case 'add_bypass_modifier': {
      const mod = ctx.ncci?.distinctServiceModifier;
      return ctx.ncci?.indicator === '1' && mod
        ? decide(
            'resubmit_corrected',
            false,
            `${label}: indicator-1 pair with a documented distinct service → corrected claim with ${mod} after clinician confirmation`,
            { kind: 'add_modifiers', modifiers: [mod] },
          )
        : decide('post_adjustment', true, `${label}: bundled service, no valid bypass → accept the bundling`);
    }
    case 'verify_original_claim_status':
      return decide(rule.action, true, `${label}: do not resubmit; confirm the original claim with a 276`, {
        kind: 'check_claim_status',
      });
    case 'reverify_eligibility':
      return decide(rule.action, true, `${label}: re-verify eligibility (270/271) and bill the right payer`, {
        kind: 'reverify_eligibility',
      });
    default:
      break;
  }
  if (input.carc === '29') {
    return ctx.proofOfTimelyFiling
      ? decide(
          'human_review',
          false,
          `${label}: proof of timely filing exists; send it with a reopening/appeal`,
        )
      : decide(
          'write_off',
          true,
          `${label}: no proof of timely filing; write off${input.group === 'CO' ? ' (never billed to the patient)' : ''}`,
        );
  }
  const automatic = rule.action === 'bill_patient' || rule.action === 'post_adjustment';
  return decide(rule.action, automatic, `${label}: ${rule.action.replace('_', ' ')}`);
}

/** The table row that decided, as a decision names it. */
function decidingRule(row: DenialRouteRow): NonNullable<DenialDecision['rule']> {
  const { group, carc, rarc, source, verify, meaning } = row;
  return {
    group,
    carc,
    source,
    meaning,
    ...(rarc !== undefined ? { rarc } : {}),
    ...(verify !== undefined ? { verify } : {}),
  };
}
