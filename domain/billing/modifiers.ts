// Modifier order and the four-slot limit of 837P SV1. Order: payment-affecting modifiers first (CQ,
// then the NCCI bypass), then the discipline modifier and informational ones. Position rarely matters to
// Medicare, but a fixed order keeps claims stable and comparable. (VERIFY per MAC companion guide.)

export const MODIFIER_ORDER: readonly string[] = [
  'CQ',
  'CO',
  '59',
  'XE',
  'XS',
  'XP',
  'XU',
  'GP',
  'GO',
  'GN',
  'KX',
  'GA',
  'GX',
  'GY',
];

export const MAX_MODIFIERS_PER_LINE = 4;

const rank = (m: string): number => {
  const i = MODIFIER_ORDER.indexOf(m);
  return i === -1 ? MODIFIER_ORDER.length : i;
};

/** Deduplicated, in house order (unknown modifiers keep their relative order after the known ones). */
export function orderModifiers(modifiers: readonly string[]): string[] {
  const unique = [...new Set(modifiers)];
  return unique
    .map((m, i) => ({ m, i }))
    .sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i)
    .map((x) => x.m);
}

export interface ModifierSlots {
  modifiers: string[];
  /** Modifiers that did not fit in the four slots (the scrubber reports them). */
  overflow: string[];
}

export function fitModifiers(modifiers: readonly string[]): ModifierSlots {
  const ordered = orderModifiers(modifiers);
  return {
    modifiers: ordered.slice(0, MAX_MODIFIERS_PER_LINE),
    overflow: ordered.slice(MAX_MODIFIERS_PER_LINE),
  };
}

export const DISCIPLINE_MODIFIER = { PT: 'GP', OT: 'GO', SLP: 'GN' } as const;
export const ASSISTANT_MODIFIER = { PT: 'CQ', OT: 'CO' } as const;
