// Writing the sandbox's outbound X12 segments: implementation references, element helpers (echoed values are
// cleaned of our delimiters) and the NM1 and HL shapes every answer uses.
import { formatMoney, type Member, type Segment } from '../x12/index.js';

export const IMPL = {
  '271': '005010X279A1',
  '278': '005010X217',
  '999': '005010X231A1',
  '277CA': '005010X214',
  '277': '005010X212',
  '835': '005010X221A1',
  '837P': '005010X222A1',
} as const;

/** Echoed values come from parsed X12 (maybe with other delimiters): keep ours out of them. */
export const clean = (v: string): string => v.replace(/[*:^~\r\n]/g, ' ');
export const seg = (id: string, ...elements: (string | undefined)[]): Segment => ({
  id,
  elements: elements.map((e) => (e === undefined ? '' : e)),
});
export const comp = (...parts: (string | undefined)[]): string => {
  const p = parts.map((x) => x ?? '');
  while (p.length > 0 && p[p.length - 1] === '') p.pop();
  return p.join(':');
};
export const d8 = (iso: string): string => iso.replace(/-/g, '');
export const hhmm = (t: string): string => t.replace(':', '');
export const money = (cents: number): string => formatMoney(cents, 'amount');
export const percent = (bp: number): string => String(bp / 10_000);

export function personNm1(
  entity: string,
  m: Pick<Member, 'lastName' | 'firstName'>,
  q?: string,
  id?: string,
): Segment {
  return seg(
    'NM1',
    entity,
    '1',
    clean(m.lastName),
    m.firstName && clean(m.firstName),
    '',
    '',
    '',
    q,
    id && clean(id),
  );
}
export function orgNm1(entity: string, name: string, q: string, id: string): Segment {
  return seg('NM1', entity, '2', clean(name), '', '', '', '', q, clean(id));
}

export interface Stamp {
  date: string;
  time: string;
}

/** The payer (HL 20) and provider (HL 21) levels every answer opens with. */
export function payerAndProviderLevels(payer: Segment, provider: Segment): Segment[] {
  return [seg('HL', '1', '', '20', '1'), payer, seg('HL', '2', '1', '21', '1'), provider];
}
