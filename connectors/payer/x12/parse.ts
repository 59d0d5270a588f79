// One entry point for "what is this file?": parses any supported inbound (or our own outbound 837)
// transaction set by ST01 and the implementation reference. Used by `ptflow x12 parse` and the payer
// connector's inbound mailbox.

import { parseInterchange, transactionsOf } from './envelope.js';
import { X12ParseError } from './errors.js';
import { parse271Transaction } from './parse-271.js';
import { parse277Transaction } from './parse-277.js';
import { parse278ResponseTransaction } from './parse-278.js';
import { parse835Transaction } from './parse-835.js';
import { parse837PTransaction } from './parse-837p.js';
import { parse999Transaction } from './parse-999.js';
import type {
  Ack999,
  AuthResponse278,
  Claim837Batch,
  ClaimStatus277,
  Eligibility271,
  InterchangeHeader,
  GroupHeader,
  Remittance835,
} from './types.js';

export type ParsedDocument =
  | { type: '271'; document: Eligibility271 }
  | { type: '277' | '277CA'; document: ClaimStatus277 }
  | { type: '278'; document: AuthResponse278 }
  | { type: '835'; document: Remittance835 }
  | { type: '837P'; document: Claim837Batch }
  | { type: '999'; document: Ack999 };

export interface ParsedX12 {
  interchange: InterchangeHeader;
  groups: GroupHeader[];
  documents: ParsedDocument[];
}

export function parseX12(text: string): ParsedX12 {
  const ix = parseInterchange(text);
  const d = ix.delimiters;
  const documents = transactionsOf(ix).map((tx): ParsedDocument => {
    switch (tx.transactionSetId) {
      case '271':
        return { type: '271', document: parse271Transaction(tx, d) };
      case '277': {
        const doc = parse277Transaction(tx, d);
        return { type: doc.kind, document: doc };
      }
      case '278':
        return { type: '278', document: parse278ResponseTransaction(tx, d) };
      case '835':
        return { type: '835', document: parse835Transaction(tx, d) };
      case '837':
        return { type: '837P', document: parse837PTransaction(tx, d) };
      case '999':
        return { type: '999', document: parse999Transaction(tx, d) };
      default:
        throw new X12ParseError('UNSUPPORTED_TRANSACTION', 'unsupported transaction set', {
          segmentIndex: tx.startIndex,
          segmentId: 'ST',
        });
    }
  });
  return { interchange: ix.header, groups: ix.groups.map((g) => g.header), documents };
}
