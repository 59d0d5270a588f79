// Patch markers of the claim process (README "Replay"): the command sequences added after claims were already
// running sit behind these `patched()` ids, so histories recorded before them replay with the old behaviour.
export const CLAIM_PATCHES = {
  /** A fix_claim task's completion carries the correction; an API correction closes the open task. */
  correctionData: 'claim-correction-data',
  /** Only balanced 835s are posted; an imbalance raises a biller task and waits for a corrected 835. */
  balancedRemittances: 'claim-balanced-remittances',
  /** Denied lines of a remittance are routed line by line (partial payments included). */
  lineDenials: 'claim-line-denials',
} as const;
