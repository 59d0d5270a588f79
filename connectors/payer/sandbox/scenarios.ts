// Deterministic scenario triggers, keyed on the subscriber member id (synthetic data only). The CARC list is
// derived from the domain denial table, so every code the engine knows how to route can be provoked.
import { DENIAL_ROUTES } from '../../../domain/denials/table.js';
import type { GroupCode } from '../../../domain/denials/types.js';

export type Scenario =
  | {
      kind: 'carc';
      group: Exclude<GroupCode, 'CR'>;
      carc: string;
      rarcs: string[];
      /** `SBX-L<GROUP><CARC>-…`: only the last service line is denied, the others are paid (a partial payment). */
      lastLineOnly?: boolean;
    }
  | { kind: 'unbalanced' }
  | { kind: 'inactive' }
  | { kind: 'not_found' }
  | { kind: 'pend' }
  | { kind: 'deny_auth' }
  | { kind: 'front_end_reject' }
  | { kind: 'provider_npi_reject' }
  | { kind: 'over_kx_threshold' }
  | { kind: 'garbled_response' };

/** RARCs a real payer typically sends with a CARC. */
const RARCS: Record<string, string[]> = {
  'CO-4': ['N519'],
  'CO-16': ['N286'],
  'CO-29': ['N211'],
  'CO-50': ['N115'],
  'CO-151': ['N362'],
};

/** Every group+CARC of the denial table, '*' rows as CO (the usual group). */
export function scenarioCarcs(): { group: Exclude<GroupCode, 'CR'>; carc: string }[] {
  const seen = new Set<string>();
  const out: { group: Exclude<GroupCode, 'CR'>; carc: string }[] = [];
  for (const r of DENIAL_ROUTES) {
    const group = r.group === '*' || r.group === 'CR' ? 'CO' : r.group;
    const key = `${group}${r.carc}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ group, carc: r.carc });
  }
  return out;
}

const KEYWORDS: Record<string, Scenario> = {
  INACTIVE: { kind: 'inactive' },
  NOTFOUND: { kind: 'not_found' },
  PEND: { kind: 'pend' },
  DENYAUTH: { kind: 'deny_auth' },
  REJECT: { kind: 'front_end_reject' },
  NPIREJECT: { kind: 'provider_npi_reject' },
  KXOVER: { kind: 'over_kx_threshold' },
  GARBLE: { kind: 'garbled_response' },
  UNBALANCED: { kind: 'unbalanced' },
};

/** `SBX-<GROUP><CARC>-…` (e.g. SBX-CO50-0001, SBX-PR1-7) or `SBX-<KEYWORD>-…`; anything else: none. */
export function scenarioFor(memberId: string): Scenario | undefined {
  const m = /^SBX-([A-Z0-9]+)(?:-|$)/.exec(memberId.toUpperCase());
  if (m === null) return undefined;
  const token = m[1] ?? '';
  const keyword = KEYWORDS[token];
  if (keyword !== undefined) return keyword;
  const c = /^(L?)(CO|PR|OA|PI)([A-Z0-9]+)$/.exec(token);
  if (c === null) return undefined;
  const group = c[2] as Exclude<GroupCode, 'CR'>;
  const carc = c[3] ?? '';
  if (!scenarioCarcs().some((s) => s.group === group && s.carc === carc) && !knownWithStar(carc))
    return undefined;
  return {
    kind: 'carc',
    group,
    carc,
    rarcs: RARCS[`${group}-${carc}`] ?? [],
    ...(c[1] === 'L' ? { lastLineOnly: true } : {}),
  };
}

function knownWithStar(carc: string): boolean {
  return DENIAL_ROUTES.some((r) => r.carc === carc && r.group === '*');
}
