// Money is integer cents; percentages are basis points. Never floats.

export type Cents = number;
/** 1 % = 100 bp; 100 % = 10_000 bp. */
export type BasisPoints = number;

export function assertCents(value: number): Cents {
  if (!Number.isSafeInteger(value)) throw new RangeError(`cents must be a safe integer, got ${value}`);
  return value;
}

export function dollarsToCents(dollars: number, cents = 0): Cents {
  return assertCents(dollars * 100 + cents);
}

/** amount × bp / 10 000, rounded half away from zero in integer arithmetic. */
export function applyBasisPoints(amount: Cents, bp: BasisPoints): Cents {
  assertCents(amount);
  if (!Number.isInteger(bp)) throw new RangeError(`basis points must be an integer, got ${bp}`);
  const product = amount * bp;
  const sign = product < 0 ? -1 : 1;
  const abs = Math.abs(product);
  return assertCents(sign * Math.floor((abs + 5_000) / 10_000));
}

export function sumCents(values: readonly Cents[]): Cents {
  return assertCents(values.reduce((a, b) => a + b, 0));
}

export function formatCents(amount: Cents): string {
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  return `${sign}$${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
