// The fixed allow-list of search attributes ptflow sets. Search attributes are stored unencrypted by
// Temporal (they bypass the payload codec), so only opaque ids, kinds, statuses, flags, dates and counts
// belong here — never a name, date of birth or member id.
// Defined beside the workflows (they set them) and imported by the launchers and the API (they register
// and filter on them).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PracticeId = defineSearchAttributeKey('PracticeId', SearchAttributeType.KEYWORD);
export const PatientId = defineSearchAttributeKey('PatientId', SearchAttributeType.KEYWORD);
export const ProcessKind = defineSearchAttributeKey('ProcessKind', SearchAttributeType.KEYWORD);
export const ProcessStatus = defineSearchAttributeKey('ProcessStatus', SearchAttributeType.KEYWORD);
export const NeedsAttention = defineSearchAttributeKey('NeedsAttention', SearchAttributeType.BOOL);
export const NextDeadline = defineSearchAttributeKey('NextDeadline', SearchAttributeType.DATETIME);
export const AuthVisitsRemaining = defineSearchAttributeKey('AuthVisitsRemaining', SearchAttributeType.INT);
export const ClaimStatus = defineSearchAttributeKey('ClaimStatus', SearchAttributeType.KEYWORD);
export const PayerId = defineSearchAttributeKey('PayerId', SearchAttributeType.KEYWORD);
/** humanTask: the staff role the task is assigned to (front_desk, therapist, biller, admin). */
export const TaskRole = defineSearchAttributeKey('TaskRole', SearchAttributeType.KEYWORD);
/** humanTask: its due date (kept after it closes, unlike NextDeadline). */
export const DueAt = defineSearchAttributeKey('DueAt', SearchAttributeType.DATETIME);

export const ptflowSearchAttributes = [
  PracticeId,
  PatientId,
  ProcessKind,
  ProcessStatus,
  NeedsAttention,
  NextDeadline,
  AuthVisitsRemaining,
  ClaimStatus,
  PayerId,
  TaskRole,
  DueAt,
] as const;

/** Names as the Temporal CLI spells the types in `--search-attribute Name=Type`. */
const cliTypeNames: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

export function searchAttributeCliFlags(): string[] {
  return ptflowSearchAttributes.flatMap((k) => ['--search-attribute', `${k.name}=${cliTypeNames[k.type]}`]);
}
