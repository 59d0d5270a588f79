import { findEffective } from '../core/effective.js';
import type { IsoDate } from '../core/dates.js';
import { applyBasisPoints, type Cents } from '../core/money.js';
import { ASSISTANT_PAYMENT } from '../rules/data/assistant-payment.js';
import { FEE_SCHEDULES } from '../rules/data/fee-schedules.js';
import type { AssistantPaymentRow, FeeRow } from '../rules/types.js';

/** A table's rows by practice, payer and code, built once per table (rule tables are read-only data). */
const FEE_ROWS = new WeakMap<readonly FeeRow[], Map<string, FeeRow[]>>();

const feeKey = (practiceId: string, payerId: string, code: string): string =>
  `${practiceId}\u0000${payerId}\u0000${code}`;

function feeRows(rows: readonly FeeRow[], practiceId: string, payerId: string, code: string): FeeRow[] {
  let byKey = FEE_ROWS.get(rows);
  if (byKey === undefined) {
    byKey = new Map();
    for (const row of rows) {
      const key = feeKey(row.practiceId, row.payerId, row.code);
      const list = byKey.get(key);
      if (list) list.push(row);
      else byKey.set(key, [row]);
    }
    FEE_ROWS.set(rows, byKey);
  }
  return byKey.get(feeKey(practiceId, payerId, code)) ?? [];
}

/** The payer-specific row when there is one, else the practice chargemaster ('*'), on the DOS. */
export function feeOn(
  practiceId: string,
  payerId: string,
  code: string,
  dos: IsoDate,
  rows: readonly FeeRow[] = FEE_SCHEDULES,
): FeeRow | undefined {
  return (
    findEffective(feeRows(rows, practiceId, payerId, code), dos) ??
    findEffective(feeRows(rows, practiceId, '*', code), dos)
  );
}

/** Expected allowed for an assistant-furnished (CQ) line: the fee × the year's share (85 % from 2022). */
export function assistantAllowedCents(
  allowed: Cents,
  dos: IsoDate,
  rows: readonly AssistantPaymentRow[] = ASSISTANT_PAYMENT,
): Cents {
  const row = findEffective(rows, dos);
  return row ? applyBasisPoints(allowed, row.basisPoints) : allowed;
}
