// Calendar dates as ISO strings ('YYYY-MM-DD'). A date of service is a calendar date in the clinic's time
// zone, never derived from a UTC timestamp, so nothing here ever touches one or the clock: arithmetic is done
// on proleptic-Gregorian day numbers (Howard Hinnant's days-from-civil algorithm).

export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface CivilDate {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Parses 'YYYY-MM-DD'; returns null for anything that is not a real calendar date. */
export function parseIsoDate(value: string): CivilDate | null {
  const m = ISO_DATE.exec(value);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

export function isIsoDate(value: string): boolean {
  return parseIsoDate(value) !== null;
}

function mustParse(value: IsoDate): CivilDate {
  const d = parseIsoDate(value);
  if (!d) throw new RangeError(`not an ISO calendar date: ${JSON.stringify(value)}`);
  return d;
}

export function formatIsoDate({ year, month, day }: CivilDate): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Days since 1970-01-01 for a civil date. */
export function toDayNumber(date: IsoDate): number {
  const { year, month, day } = mustParse(date);
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function fromDayNumber(n: number): IsoDate {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return formatIsoDate({ year, month, day });
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toDayNumber(to) - toDayNumber(from);
}

/**
 * Same month and day `years` later; a day that does not exist in the target year (Feb 29) clamps to the
 * last day of that month (Feb 28) — the Medicare timely-filing convention [R40].
 */
export function addYears(date: IsoDate, years: number): IsoDate {
  const { year, month, day } = mustParse(date);
  const y = year + years;
  return formatIsoDate({ year: y, month, day: Math.min(day, daysInMonth(y, month)) });
}

export function compareDates(a: IsoDate, b: IsoDate): number {
  // ISO dates with four-digit years compare correctly as strings; validate to keep that promise.
  mustParse(a);
  mustParse(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

export function yearOf(date: IsoDate): number {
  return mustParse(date).year;
}
