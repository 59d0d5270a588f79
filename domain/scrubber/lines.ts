// Line-level checks: charges, units, modifiers (GP, CQ, KX, 59/X, slots), NCCI and MUE, and units supported by
// documented minutes. The coding step already produces clean lines; these checks guard manual corrections and
// replacement claims, which are scrubbed again before resubmission.
import { lookupCode, isRetiredFunctionalLimitationCode } from '../codes/cpt.js';
import { DEFAULT_RULES } from '../billing/code-visit.js';
import { MAX_MODIFIERS_PER_LINE } from '../billing/modifiers.js';
import { checkMue, mueOn } from '../billing/mue.js';
import { activePtpEdits, allowsBypass, isBypassModifier } from '../billing/ncci.js';
import { allocateTimedUnits } from '../billing/units.js';
import { resolveUnitMethod } from '../rules/payers.js';
import { finding, type Finding } from '../model/finding.js';
import { claimDos, type ScrubContext } from './context.js';

const DISCIPLINE_MODS = ['GP', 'GO', 'GN'];

export function checkLines(ctx: ScrubContext): Finding[] {
  const { claim, profile } = ctx;
  const rules = { ...DEFAULT_RULES, ...ctx.rules };
  const out: Finding[] = [];
  // The earliest line date; none without lines.
  const dos = claimDos(claim);
  if (dos === undefined) {
    out.push(
      finding(
        'NO_LINES',
        'error',
        'lines',
        'The claim has no service lines',
        'Code the visit before submitting',
      ),
    );
    return out;
  }
  if (claim.lines.some((l) => l.dos !== dos)) {
    out.push(
      finding(
        'MIXED_DATES_OF_SERVICE',
        'error',
        'lines[].dos',
        'Lines carry different dates of service',
        'One claim per visit: split the claim by DOS',
      ),
    );
  }
  if (!/^\d{2}$/.test(claim.placeOfService)) {
    out.push(
      finding(
        'PLACE_OF_SERVICE_INVALID',
        'error',
        'placeOfService',
        'Place of service must be a two-digit code',
        'Use 11 (office) or the correct POS',
      ),
    );
  }
  claim.lines.forEach((line, i) => {
    const f = (suffix: string) => `lines[${i}].${suffix}`;
    const info = lookupCode(line.code);
    if (isRetiredFunctionalLimitationCode(line.code)) {
      out.push(
        finding(
          'RETIRED_FLR_CODE',
          'error',
          f('code'),
          `${line.code} is a retired functional-limitation G-code`,
          'Remove the line [R9]',
        ),
      );
    } else if (!info) {
      out.push(
        finding(
          'UNKNOWN_CODE',
          'error',
          f('code'),
          `${line.code} is not in the PT code table`,
          'Correct the procedure code',
        ),
      );
    }
    if (line.chargeCents <= 0) {
      out.push(
        finding(
          'CHARGE_NOT_POSITIVE',
          'error',
          f('chargeCents'),
          `Line ${i + 1} has a zero or negative charge`,
          'Set the charge from the fee schedule',
        ),
      );
    }
    if (line.units <= 0) {
      out.push(
        finding(
          'UNITS_NOT_POSITIVE',
          'error',
          f('units'),
          `Line ${i + 1} bills no units`,
          'Remove the line or correct the units',
        ),
      );
    }
    const mods = line.modifiers;
    if (mods.length > MAX_MODIFIERS_PER_LINE) {
      out.push(
        finding(
          'MODIFIER_OVERFLOW',
          'error',
          f('modifiers'),
          `Line ${i + 1} has ${mods.length} modifiers; the 837P carries ${MAX_MODIFIERS_PER_LINE}`,
          'Drop informational modifiers beyond four',
        ),
      );
    }
    if (new Set(mods).size !== mods.length) {
      out.push(
        finding(
          'MODIFIER_DUPLICATE',
          'warning',
          f('modifiers'),
          `Line ${i + 1} repeats a modifier`,
          'Remove the repeated modifier',
        ),
      );
    }
    const disciplineMods = mods.filter((m) => DISCIPLINE_MODS.includes(m));
    if (info?.alwaysTherapy && profile.requiresDisciplineModifier && disciplineMods.length === 0) {
      out.push(
        finding(
          'DISCIPLINE_MODIFIER_MISSING',
          'error',
          f('modifiers'),
          `${line.code} is an always-therapy code without GP/GO/GN`,
          'Add GP (physical therapy) [R11]; Medicare returns it unprocessable otherwise',
        ),
      );
    }
    if (disciplineMods.length > 1) {
      out.push(
        finding(
          'DISCIPLINE_MODIFIER_MULTIPLE',
          'error',
          f('modifiers'),
          `Line ${i + 1} has more than one discipline modifier`,
          'Keep exactly one of GP/GO/GN matching the plan of care',
        ),
      );
    }
    if (mods.includes('CQ') && !mods.includes('GP')) {
      out.push(
        finding(
          'CQ_WITHOUT_GP',
          'error',
          f('modifiers'),
          `Line ${i + 1} has CQ without GP`,
          'CQ is always paired with GP [R21]',
        ),
      );
    }
    if (info?.medicareNonCovered && !profile.coversDryNeedling && !mods.includes('GX')) {
      out.push(
        finding(
          'NON_COVERED_WITHOUT_ABN',
          'error',
          f('modifiers'),
          `${line.code} is not covered by this payer`,
          'Bill only with a voluntary ABN and GX, otherwise remove the line [R20]',
        ),
      );
    }
    if (ctx.kxRequired === true && info?.alwaysTherapy && !mods.includes('KX')) {
      out.push(
        finding(
          'KX_MISSING',
          'error',
          f('modifiers'),
          `Line ${i + 1} needs KX: the year's therapy threshold is exceeded`,
          'Add KX if the services are medically necessary and documented; otherwise expect CO-119 [R15]',
        ),
      );
    }
    if (ctx.kxRequired === false && mods.includes('KX')) {
      out.push(
        finding(
          'KX_UNEXPECTED',
          'warning',
          f('modifiers'),
          `Line ${i + 1} has KX below the therapy threshold`,
          "Remove KX unless staff confirmed other providers' spend",
        ),
      );
    }
  });

  const codes = claim.lines.map((l) => l.code);
  const edits = profile.appliesNcci ? activePtpEdits(codes, dos, rules.ptp) : [];
  // 59/X only where an indicator-1 edit makes the line a column-2 code against a code on this claim.
  claim.lines.forEach((line, i) => {
    const bypass = line.modifiers.filter(isBypassModifier);
    if (bypass.length === 0) return;
    const justified = edits.some((e) => e.column2 === line.code && allowsBypass(e));
    if (!justified) {
      out.push(
        finding(
          'BYPASS_MODIFIER_NOT_ALLOWED',
          'error',
          `lines[${i}].modifiers`,
          `${bypass.join('/')} on ${line.code} does not bypass any active NCCI edit with indicator 1`,
          'Remove the modifier: 59/X is only for an indicator-1 NCCI pair with a documented distinct service',
        ),
      );
    }
  });
  for (const e of edits) {
    const col2 = claim.lines.filter((l) => l.code === e.column2);
    const bypassed = col2.every((l) => l.modifiers.some(isBypassModifier));
    if (bypassed && allowsBypass(e)) continue;
    out.push(
      allowsBypass(e)
        ? finding(
            'NCCI_PTP_UNRESOLVED',
            'error',
            `lines.${e.column2}`,
            `${e.column2} is column 2 to ${e.column1} (indicator 1) without a bypass modifier`,
            'Add XE/XS/XP/XU/59 only with clinician-confirmed distinct-service documentation, else remove the line',
          )
        : finding(
            'NCCI_PTP_NO_BYPASS',
            'error',
            `lines.${e.column2}`,
            `${e.column2} is bundled into ${e.column1} (indicator ${e.modifierIndicator})`,
            `Remove the ${e.column2} line`,
          ),
    );
  }

  if (profile.appliesMue) {
    for (const code of new Set(codes)) {
      const sameCode = claim.lines.filter((l) => l.code === code);
      // MAI 1 is a line edit (each line on its own); MAI 2/3 limit the whole date of service.
      const perLine = mueOn(code, dos, rules.mue)?.mai === 1;
      const amounts = perLine ? sameCode.map((l) => l.units) : [sameCode.reduce((s, l) => s + l.units, 0)];
      for (const units of amounts) {
        const cap = checkMue(code, units, dos, rules.mue);
        if (!cap) continue;
        out.push(
          finding(
            'MUE_EXCEEDED',
            'error',
            `lines.${code}.units`,
            `${code}: ${units} units exceed the MUE of ${cap.allowed} (MAI ${cap.row.mai})`,
            'Reduce the units to the MUE; expect CO-151 otherwise',
          ),
        );
      }
    }
  }

  if (ctx.visit) out.push(...checkUnitsSupported(ctx, ctx.visit));
  return out;
}

/** Billed timed units must be supported by the documented minutes (Medicare Benefit Policy Manual ch. 15, 220.3). */
function checkUnitsSupported(ctx: ScrubContext, visit: NonNullable<ScrubContext['visit']>): Finding[] {
  const method = resolveUnitMethod(ctx.profile);
  const timed = visit.interventions.filter((i) => i.timed === true);
  const supported = new Map(
    allocateTimedUnits(
      method,
      timed.map((i) => ({ code: i.code, minutes: i.minutes, sequence: i.sequence })),
      {
        codePriority: ctx.profile.codePriority,
      },
    ).map((a) => [a.code, a]),
  );
  const out: Finding[] = [];
  const billed = new Map<string, number>();
  for (const l of ctx.claim.lines) {
    if (lookupCode(l.code)?.timed) billed.set(l.code, (billed.get(l.code) ?? 0) + l.units);
  }
  const totalSupported = [...supported.values()].reduce((s, a) => s + a.units, 0);
  const totalBilled = [...billed.values()].reduce((s, u) => s + u, 0);
  for (const [code, units] of billed) {
    const a = supported.get(code);
    // Per code, CMS allows whole units or one more (the tie-break may legitimately differ).
    const max = a === undefined ? 0 : method === 'CMS_TOTAL_TIME' ? a.wholeUnits + 1 : a.units;
    if (units > max) {
      out.push(
        finding(
          'UNITS_NOT_SUPPORTED',
          'error',
          `lines.${code}.units`,
          `${code}: ${units} unit(s) billed, documented minutes support at most ${max}`,
          'Bill the units the documented minutes support',
        ),
      );
    }
  }
  if (totalBilled > totalSupported) {
    out.push(
      finding(
        'TIMED_UNITS_EXCEED_TOTAL',
        'error',
        'lines[].units',
        `${totalBilled} timed units billed, total timed minutes support ${totalSupported}`,
        `Bill at most ${totalSupported} timed units (${method})`,
      ),
    );
  }
  return out;
}
