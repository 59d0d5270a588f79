// Public surface of the X12 5010 codec. Everything else in this folder is an implementation detail.

export * from './types.js';
export { X12ParseError, X12BuildError, type X12ParseErrorCode, type X12BuildErrorCode } from './errors.js';
export {
  DEFAULT_DELIMITERS,
  readDelimiters,
  tokenize,
  serializeSegments,
  components,
  repetitions,
  type Delimiters,
  type Segment,
  type PositionedSegment,
  type TokenizedInterchange,
} from './tokenizer.js';
export {
  parseInterchange,
  buildInterchange,
  transactionsOf,
  type ParsedInterchange,
  type ParsedGroup,
  type ParsedTransaction,
  type TransactionBody,
  type GroupInput,
} from './envelope.js';
export { parseMoney, formatMoney, parseDate, formatDate, parsePercentBasisPoints } from './values.js';
export { generate837P, build837P, IMPL_837P } from './generate-837p.js';
export { generate270, build270, IMPL_270, DEFAULT_SERVICE_TYPES } from './generate-270.js';
export { generate276, build276, IMPL_276 } from './generate-276.js';
export { generate278, build278, IMPL_278 } from './generate-278.js';
export { parse837P } from './parse-837p.js';
export { parse271, benefitKind } from './parse-271.js';
export { parse277, isAcceptedCategory } from './parse-277.js';
export { parse278Response, reviewAction } from './parse-278.js';
export {
  parse835,
  reconcile835,
  serviceBalances,
  claimBalances,
  type Reconciliation835,
} from './parse-835.js';
export { parse999 } from './parse-999.js';
export { parseX12, type ParsedDocument, type ParsedX12 } from './parse.js';
