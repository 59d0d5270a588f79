// Timed-code units. Pure arithmetic on minutes; which codes are timed comes from the code
// table, the method from the payer profile.

/** CMS total-time table ("8-minute rule") in closed form; matches the table at every minute. */
export function cmsTotalUnits(totalTimedMinutes: number): number {
  assertMinutes(totalTimedMinutes);
  return totalTimedMinutes < 8 ? 0 : Math.floor((totalTimedMinutes + 7) / 15);
}

/** AMA substantial-portion method: each code stands alone, 8 of 15 minutes earns a unit. */
export function amaUnitsForCode(minutes: number): number {
  assertMinutes(minutes);
  return minutes < 8 ? 0 : Math.floor((minutes + 7) / 15);
}

function assertMinutes(m: number): void {
  if (!Number.isInteger(m) || m < 0) throw new RangeError(`minutes must be a non-negative integer, got ${m}`);
}

export interface TimedMinutes {
  code: string;
  minutes: number;
  /** Order the code was first performed in the session (lower = earlier). */
  sequence?: number;
}

export type TieBreak = 'code_priority' | 'sequence' | 'code_value';

export interface UnitAllocation {
  code: string;
  minutes: number;
  /** floor(minutes / 15) */
  wholeUnits: number;
  /** minutes mod 15 */
  leftover: number;
  units: number;
  /** Received one of the `extra` units. */
  extra: boolean;
  /** Set when a tie on leftovers decided this code's extra unit (won or lost): the audit trail of step 6. */
  tieBreak?: TieBreak;
  audit: string[];
}

export interface AllocationOptions {
  /** Payer-configured code priority: earlier in the list wins a tie (the total-time allocation's first tie-break). */
  codePriority?: readonly string[];
}

/** Sums minutes per code (a code furnished partly by a PT and partly by a PTA is one code for units). */
export function mergeByCode(items: readonly TimedMinutes[]): TimedMinutes[] {
  const merged = new Map<string, TimedMinutes>();
  items.forEach((item, index) => {
    assertMinutes(item.minutes);
    const seq = item.sequence ?? index;
    const prev = merged.get(item.code);
    merged.set(
      item.code,
      prev
        ? {
            code: item.code,
            minutes: prev.minutes + item.minutes,
            sequence: Math.min(prev.sequence ?? seq, seq),
          }
        : { code: item.code, minutes: item.minutes, sequence: seq },
    );
  });
  return [...merged.values()];
}

/**
 * Total-time allocation of U = units(T) to codes by largest remainder. Every code gets its whole 15-minute units,
 * then the `extra` = U − Σ whole units go one each to the codes with the largest leftovers — a leftover under 8
 * can win (7 beats 3), and when every code is under 8 minutes the unit(s) go to the codes with the most minutes
 * (the "several codes ≤ 7 minutes" rule is this same step with all whole units 0).
 *
 * Ties on the leftover are broken deterministically (step 6): payer code priority, then the code performed
 * first, then the lowest code value. CMS accepts either code; we record the decision on each tied code.
 */
export function allocateCmsUnits(
  items: readonly TimedMinutes[],
  options: AllocationOptions = {},
): UnitAllocation[] {
  const codes = mergeByCode(items);
  const total = codes.reduce((s, c) => s + c.minutes, 0);
  const totalUnits = cmsTotalUnits(total);
  const base = codes.map((c) => ({
    code: c.code,
    minutes: c.minutes,
    sequence: c.sequence ?? 0,
    wholeUnits: Math.floor(c.minutes / 15),
    leftover: c.minutes % 15,
  }));
  const extra = totalUnits - base.reduce((s, c) => s + c.wholeUnits, 0);
  // 0 ≤ extra ≤ number of codes with a non-zero leftover (see the property tests); guard the invariant.
  if (extra < 0 || extra > base.length) throw new Error(`allocation invariant broken: extra=${extra}`);

  const priority = options.codePriority ?? [];
  const rank = (code: string): number => {
    const i = priority.indexOf(code);
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  const order = [...base].sort(
    (a, b) =>
      b.leftover - a.leftover ||
      rank(a.code) - rank(b.code) ||
      a.sequence - b.sequence ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
  const winners = new Set(order.slice(0, extra).map((c) => c.code));

  // A tie matters only when codes with the same leftover fall on both sides of the cut.
  const lastWinner = extra > 0 ? order[extra - 1] : undefined;
  const firstLoser = order[extra];
  const cutLeftover = lastWinner && firstLoser ? lastWinner.leftover : null;
  const tiedAcrossCut =
    cutLeftover !== null && cutLeftover > 0 && firstLoser?.leftover === cutLeftover ? cutLeftover : null;
  const decidingRule = (): TieBreak => {
    const tied = order.filter((c) => c.leftover === tiedAcrossCut);
    const ranks = new Set(tied.map((c) => rank(c.code)));
    if (ranks.size > 1) return 'code_priority';
    const seqs = new Set(tied.map((c) => c.sequence));
    if (seqs.size > 1) return 'sequence';
    return 'code_value';
  };
  const tieRule = tiedAcrossCut !== null ? decidingRule() : undefined;

  return base.map((c) => {
    const gotExtra = winners.has(c.code);
    const audit = [
      `CMS total time: T=${total} min → ${totalUnits} unit(s); ${c.code} ${c.minutes} min = ${c.wholeUnits} whole + ${c.leftover} left over`,
    ];
    const alloc: UnitAllocation = {
      code: c.code,
      minutes: c.minutes,
      wholeUnits: c.wholeUnits,
      leftover: c.leftover,
      units: c.wholeUnits + (gotExtra ? 1 : 0),
      extra: gotExtra,
      audit,
    };
    if (gotExtra) audit.push(`extra unit by largest remainder (${c.leftover} min left over) [R1]`);
    if (tieRule !== undefined && c.leftover === tiedAcrossCut) {
      alloc.tieBreak = tieRule;
      audit.push(
        `tie on ${c.leftover} leftover minutes ${gotExtra ? 'won' : 'lost'} by ${tieRule} (CMS accepts either code)`,
      );
    }
    return alloc;
  });
}

/** AMA method: per-code units, no pooling. */
export function allocateAmaUnits(items: readonly TimedMinutes[]): UnitAllocation[] {
  return mergeByCode(items).map((c) => {
    const units = amaUnitsForCode(c.minutes);
    return {
      code: c.code,
      minutes: c.minutes,
      wholeUnits: Math.floor(c.minutes / 15),
      leftover: c.minutes % 15,
      units,
      extra: units > Math.floor(c.minutes / 15),
      audit: [`AMA substantial portion: ${c.code} ${c.minutes} min → ${units} unit(s) [R4]`],
    };
  });
}

export type ResolvedUnitMethod = 'CMS_TOTAL_TIME' | 'AMA_SPM';

export function allocateTimedUnits(
  method: ResolvedUnitMethod,
  items: readonly TimedMinutes[],
  options: AllocationOptions = {},
): UnitAllocation[] {
  return method === 'CMS_TOTAL_TIME' ? allocateCmsUnits(items, options) : allocateAmaUnits(items);
}
