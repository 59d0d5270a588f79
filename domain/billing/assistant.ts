// CQ for services furnished in whole or in part by a PTA.
// A code's billed units are split into a PT part (GP) and a PTA part (GP + CQ); the claim then carries up to
// two lines for that code.

export interface AssistantSplitInput {
  code: string;
  timed: boolean;
  /** Minutes furnished by the PT alone, plus PT and PTA together (which counts as the PT's service). */
  ptMinutes: number;
  /** Minutes furnished by the PTA alone. */
  ptaMinutes: number;
  /** Units billed for the code (from the unit method). */
  units: number;
}

export interface AssistantSplit {
  ptUnits: number;
  ptaUnits: number;
  audit: string[];
  /** Set when the split used a rule that the doc marks VERIFY (tie or two-unit-remainder split). */
  verify?: string;
}

/** De minimis: CQ only when the assistant furnished more than 10 % of the service. */
export function exceedsDeMinimis(ptMinutes: number, ptaMinutes: number): boolean {
  const total = ptMinutes + ptaMinutes;
  return total > 0 && ptaMinutes * 10 > total;
}

export function splitAssistantUnits(input: AssistantSplitInput): AssistantSplit {
  const { ptMinutes: pt, ptaMinutes: pta, units } = input;
  if (units === 0) return { ptUnits: 0, ptaUnits: 0, audit: [] };
  if (pta === 0) return { ptUnits: units, ptaUnits: 0, audit: [] };
  if (!exceedsDeMinimis(pt, pta)) {
    return {
      ptUnits: units,
      ptaUnits: 0,
      audit: [`CQ de minimis: PTA ${pta} of ${pt + pta} min is not more than 10 % → no CQ [R22]`],
    };
  }
  if (!input.timed) {
    return {
      ptUnits: 0,
      ptaUnits: units,
      audit: [`CQ: PTA furnished ${pta} of ${pt + pta} min (> 10 %) of an untimed service [R22]`],
    };
  }

  // CY2022 timed-code rules: whole 15-minute blocks go to whoever furnished them; remaining unit(s) by who
  // furnished more of the remainder.
  const wholePt = Math.floor(pt / 15);
  const wholePta = Math.floor(pta / 15);
  const remPt = pt - wholePt * 15;
  const remPta = pta - wholePta * 15;
  const audit = [`CQ split: PT ${pt} min (${wholePt} whole), PTA ${pta} min (${wholePta} whole)`];
  let ptUnits = wholePt;
  let ptaUnits = wholePta;
  let remaining = units - wholePt - wholePta;
  let verify: string | undefined;

  if (remaining < 0) {
    // Fewer units than whole blocks (cannot happen from the unit methods; possible after a manual cap).
    ptaUnits = Math.min(wholePta, units);
    ptUnits = units - ptaUnits;
    audit.push('units below whole blocks: PTA blocks kept first (conservative CQ)');
    return { ptUnits, ptaUnits, audit };
  }
  if (remaining === 2 && remPt >= 9 && remPt <= 14 && remPta >= 9 && remPta <= 14) {
    ptUnits += 1;
    ptaUnits += 1;
    remaining = 0;
    verify =
      'CQ split rule: both furnished 9–14 minutes of a two-unit remainder → one unit each (VERIFY R21)';
    audit.push(verify);
  }
  if (remaining > 0) {
    if (remPta > remPt) {
      ptaUnits += remaining;
      audit.push(`remaining ${remaining} unit(s) to PTA (${remPta} > ${remPt} min)`);
    } else if (remPt > remPta) {
      ptUnits += remaining;
      audit.push(`remaining ${remaining} unit(s) to PT (${remPt} > ${remPta} min)`);
    } else {
      // Equal shares: bill with CQ, the choice that can never overstate payment.
      ptaUnits += remaining;
      verify = `CQ tie: PT and PTA each furnished ${remPt} min of the final unit → CQ (VERIFY R21)`;
      audit.push(verify);
    }
  }
  return verify === undefined ? { ptUnits, ptaUnits, audit } : { ptUnits, ptaUnits, audit, verify };
}
