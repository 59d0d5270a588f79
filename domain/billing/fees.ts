import { findEffective } from '../core/effective.js';
import type { IsoDate } from '../core/dates.js';
import { applyBasisPoints, type Cents } from '../core/money.js';
import { ASSISTANT_PAYMENT } from '../rules/data/assistant-payment.js';
import { FEE_SCHEDULES } from '../rules/data/fee-schedules.js';
import type { AssistantPaymentRow, FeeRow } from '../rules/types.js';

/** The payer-specific row when there is one, else the practice chargemaster ('*'), on the DOS. */
export function feeOn(
  practiceId: string,
  payerId: string,
  code: string,
  dos: IsoDate,
  rows: readonly FeeRow[] = FEE_SCHEDULES,
): FeeRow | undefined {
  return (
    findEffective(
      rows,
      dos,
      (r) => r.practiceId === practiceId && r.payerId === payerId && r.code === code,
    ) ?? findEffective(rows, dos, (r) => r.practiceId === practiceId && r.payerId === '*' && r.code === code)
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
