import type { AssistantPaymentRow } from '../types.js';

/** CQ/CO services: modifier required since 2020 with full payment; 85 % (not 88 %) since 2022 [R21, R22]. */
export const ASSISTANT_PAYMENT: readonly AssistantPaymentRow[] = [
  { basisPoints: 10_000, effectiveFrom: '2020-01-01', effectiveTo: '2021-12-31', source: 'R21' },
  { basisPoints: 8_500, effectiveFrom: '2022-01-01', effectiveTo: null, source: 'R21, R22' },
];
