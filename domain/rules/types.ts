// Row models of the versioned rule data (NCCI edits, MUEs, fee schedules, thresholds). Every row is
// effective-dated and sourced.
import type { Effective } from '../core/effective.js';
import type { Cents } from '../core/money.js';

/**
 * NCCI procedure-to-procedure edit [R12, R25]. `effectiveTo` is the day before CMS's deletion date (CMS
 * deletes an edit *as of* that date); `deletedOn` keeps the file's value.
 */
export interface PtpRow extends Effective {
  column1: string;
  column2: string;
  /** '0' no bypass; '1' bypass with 59/X{EPSU} + documentation; anything else: no bypass, VERIFY legend. */
  modifierIndicator: string;
  deletedOn: string | null;
  edition: 'practitioner' | 'hospital';
  sourceQuarter: string;
  rationale?: string;
}

/** MUE adjudication indicator: 1 line edit; 2 absolute DOS policy limit; 3 DOS clinical limit [R29]. */
export type Mai = 1 | 2 | 3;

export interface MueRow extends Effective {
  code: string;
  maxUnitsPerDos: number;
  mai: Mai;
  rationale: string;
  sourceQuarter: string;
}

/** Medicare therapy threshold per calendar year (PT+SLP bucket; OT separate, same amount) [R15–R17]. */
export interface ThresholdRow extends Effective {
  kind: 'kx' | 'tmr';
  amountCents: Cents;
}

export interface FeeRow extends Effective {
  practiceId: string;
  /** '*' = the practice's chargemaster for every payer. */
  payerId: string;
  code: string;
  /** What we bill (SV102). */
  chargeCents: Cents;
  /** Expected allowed amount: drives the KX accrual estimate; null when unknown. */
  expectedAllowedCents: Cents | null;
}

/** Medicare pays assistant (CQ/CO) services at a share of the fee schedule: 85 % since 2022 [R21]. */
export interface AssistantPaymentRow extends Effective {
  basisPoints: number;
}
