// What staff read about a process in the Temporal UI: a one-line summary and a few lines of details (Temporal's
// user metadata, set as `staticSummary` / `staticDetails` when a process or task starts) and a line on where it
// stands now (`setCurrentDetails`). These travel as payloads, so the payload codec encrypts them like a
// workflow's input and only staff decode them (through the codec server): they may name the patient. They never
// go into search attributes, workflow ids or logs. Pure: no clock (times come in), no I/O.

/** Temporal caps a summary's stored payload; the encrypted payload adds about 90 bytes to the text. */
export const SUMMARY_MAX_CHARS = 100;
/** Details are shown in full on the workflow page; a generous cap keeps a bad input from bloating history. */
export const DETAILS_MAX_CHARS = 2_000;

export interface ProcessDescription {
  summary: string;
  details: string;
}

const SEP = ' · ';

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function describe(
  summaryParts: (string | undefined)[],
  detailLines: (string | undefined)[],
): ProcessDescription {
  return {
    summary: clip(summaryParts.filter((p): p is string => !!p).join(SEP), SUMMARY_MAX_CHARS),
    details: clip(detailLines.filter((l): l is string => !!l).join('\n'), DETAILS_MAX_CHARS),
  };
}

/** A person's name as staff say it: "Ana Moreno". Undefined when nothing usable is given. */
export function personName(p: {
  given?: readonly string[];
  family?: string;
  firstName?: string;
  lastName?: string;
}): string | undefined {
  const first = p.given?.join(' ') ?? p.firstName;
  const last = p.family ?? p.lastName;
  const name = [first, last].filter((s) => s && s.trim()).join(' ');
  return name || undefined;
}

const ROLE_LABEL: Record<string, string> = {
  front_desk: 'front desk',
  therapist: 'therapist',
  biller: 'biller',
  admin: 'admin',
};

/** "2026-03-11 14:00 (America/Chicago)" — the wall clock of the practice, or UTC when no zone is known. */
export function wallClock(iso: string, timeZone?: string): string {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) return iso;
  const zone = timeZone ?? 'UTC';
  try {
    const parts: Record<string, string> = {};
    for (const part of new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(instant))
      parts[part.type] = part.value;
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} (${zone})`;
  } catch {
    return `${instant.toISOString().slice(0, 16).replace('T', ' ')} (UTC)`;
  }
}

/** A patient onboarding: whom it is for and with which coverages. */
export function describeOnboarding(input: {
  onboardingId: string;
  patientId?: string;
  demographics?: { given?: readonly string[]; family?: string };
  coverages?: readonly { payerId: string; priority: number }[];
}): ProcessDescription {
  const name = input.demographics ? personName(input.demographics) : undefined;
  const payers = [...(input.coverages ?? [])].sort((a, b) => a.priority - b.priority).map((c) => c.payerId);
  return describe(
    ['Onboarding', name, payers.length ? payers.join(' + ') : 'self-pay'],
    [
      `**Onboarding of** ${name ?? 'a patient'}`,
      payers.length ? `**Coverages:** ${payers.join(', ')} (by priority)` : '**Coverages:** none (self-pay)',
      input.patientId ? `**Patient id:** ${input.patientId}` : undefined,
      `**Onboarding id:** ${input.onboardingId}`,
    ],
  );
}

/** A claim for one visit: "Claim · DOS 2026-03-10 · Medicare Part B · Ana Moreno". */
export function describeClaim(
  input: {
    case: {
      claimId: string;
      patientId?: string;
      visit: { id: string; dos: string; payerId: string; interventions?: readonly { code: string }[] };
      parties?: { subscriber?: { firstName?: string; lastName?: string } };
    };
  },
  payerName?: string,
): ProcessDescription {
  const c = input.case;
  const name = c.parties?.subscriber ? personName(c.parties.subscriber) : undefined;
  const codes = [...new Set((c.visit.interventions ?? []).map((i) => i.code))];
  return describe(
    ['Claim', `DOS ${c.visit.dos}`, payerName ?? c.visit.payerId, name],
    [
      `**Claim for** ${name ?? 'a patient'}, visit of ${c.visit.dos}`,
      `**Payer:** ${payerName ? `${payerName} (${c.visit.payerId})` : c.visit.payerId}`,
      codes.length ? `**Codes:** ${codes.join(', ')}` : undefined,
      `**Claim id:** ${c.claimId} · **visit id:** ${c.visit.id}`,
    ],
  );
}

/** Where a claim stands, for the Temporal UI's current details: "held: referring provider missing". */
export function claimCurrentDetails(s: {
  state: string;
  attempt?: number;
  blockingFindings?: readonly string[];
}): string {
  const findings = (s.blockingFindings ?? []).map((f) => f.replace(/_/g, ' ').toLowerCase());
  if (s.state === 'needs_correction')
    return clip(`held: ${findings.length ? findings.join(', ') : 'needs a correction'}`, DETAILS_MAX_CHARS);
  const attempt = s.attempt && s.attempt > 1 ? ` (attempt ${s.attempt})` : '';
  return `${s.state.replace(/_/g, ' ')}${attempt}`;
}

/** A prior authorization request: payer, visits asked for and from when. */
export function describeAuthorization(
  input: {
    authorizationId: string;
    patientId?: string;
    payerId: string;
    requestedVisits: number;
    startDate: string;
    endDate?: string;
    urgency?: string;
  },
  about: { patientName?: string } = {},
): ProcessDescription {
  return describe(
    [
      'Authorization',
      input.payerId,
      `${input.requestedVisits} visits from ${input.startDate}`,
      about.patientName,
    ],
    [
      `**Prior authorization** for ${about.patientName ?? 'a patient'} with ${input.payerId}, ${input.requestedVisits} visits`,
      `**Window asked:** ${input.startDate}${input.endDate ? ` to ${input.endDate}` : ' (open end)'}`,
      input.urgency ? `**Urgency:** ${input.urgency}` : undefined,
      input.patientId ? `**Patient id:** ${input.patientId}` : undefined,
      `**Authorization id:** ${input.authorizationId}`,
    ],
  );
}

/** A plan-of-care episode, from the evaluation to discharge. */
export function describePlanOfCare(
  input: {
    episodeId: string;
    patientId?: string;
    firstTreatmentDate: string;
    pocEndDate?: string;
  },
  about: { patientName?: string } = {},
): ProcessDescription {
  return describe(
    [
      'Plan of care',
      about.patientName,
      `from ${input.firstTreatmentDate}`,
      input.pocEndDate ? `to ${input.pocEndDate}` : undefined,
    ],
    [
      `**Plan of care** for ${about.patientName ?? 'a patient'} from the evaluation of ${input.firstTreatmentDate}${input.pocEndDate ? ` to ${input.pocEndDate}` : ''}`,
      input.patientId ? `**Patient id:** ${input.patientId}` : undefined,
      `**Episode id:** ${input.episodeId}`,
    ],
  );
}

/** An EMR event being routed to the processes it concerns. */
export function describeEmrEvent(input: { event: { type?: string; kind?: string } }): ProcessDescription {
  const what = input.event.type ?? input.event.kind ?? 'event';
  return describe(
    ['EMR event', what.replace(/[._]/g, ' ')],
    [`**EMR event** ${what}: started or signalled the processes it concerns`],
  );
}

/** A scheduled run (staff digest, timely-filing sweep, eligibility re-verification). */
export function describeScheduledRun(kind: string, what: string): ProcessDescription {
  return describe(['Scheduled', what], [`**Scheduled run** (${kind}): ${what}`]);
}

/** Room for the patient's name in a task's one-line summary. */
const PATIENT_IN_TASK_SUMMARY = 32;

/**
 * A worklist task: what to do, for whom, by when (the practice's wall clock) and who does it —
 * "Task · Verify coverage by phone · Ana Moreno · due 2026-03-11 14:00 · front desk".
 */
export function describeTask(
  task: {
    taskId: string;
    title: string;
    assigneeRole: string;
    dueAt: string;
    processKind?: string;
    parentWorkflowId?: string;
    patientId?: string;
  },
  about: { patientName?: string; timeZone?: string } = {},
): ProcessDescription {
  const role = ROLE_LABEL[task.assigneeRole] ?? task.assigneeRole;
  const due = wallClock(task.dueAt, about.timeZone);
  // When, who and for whom always fit (a long name is clipped): the title gives way (in full in the details).
  const patient = about.patientName ? clip(about.patientName, PATIENT_IN_TASK_SUMMARY) : undefined;
  const tail = [patient, `due ${due.replace(/ \(.*\)$/, '')}`, role].filter(Boolean).join(SEP);
  const room = SUMMARY_MAX_CHARS - [...`Task${SEP}${SEP}${tail}`].length;
  const title = room >= 12 ? clip(task.title, room) : clip(task.title, 12);
  const lines = describe(
    [],
    [
      `**To do:** ${task.title}`,
      `**For:** ${about.patientName ?? (task.patientId ? `patient ${task.patientId}` : 'the practice')}`,
      `**By:** ${due}`,
      `**Who:** ${role}`,
      task.parentWorkflowId
        ? `**Raised by:** ${task.processKind ?? 'process'} ${task.parentWorkflowId}`
        : undefined,
      `**Task id:** ${task.taskId}`,
    ],
  );
  return { summary: clip(['Task', title, tail].join(SEP), SUMMARY_MAX_CHARS), details: lines.details };
}

/** Where a task stands: "open", "overdue: escalated", "completed by …", "cancelled". */
export function taskCurrentDetails(state: string, completedBy?: string): string {
  if (state === 'escalated') return 'overdue: escalated (NeedsAttention)';
  if (state === 'completed') return completedBy ? `completed by ${completedBy}` : 'completed';
  return state;
}

/**
 * Current details of a run that continued as new: Temporal keeps no static summary across continue-as-new (SDK
 * 1.24 cannot set one on it), so such a run says what it is about (from its input) before where it stands.
 */
export function continuedRunDetails(state: string, description?: ProcessDescription): string {
  return description ? `${description.summary} — ${state}\n\n${description.details}` : state;
}

/**
 * The description of a process from its start input, by its ProcessKind: what the starters that know only a
 * kind and an input (the API's start routes, the EMR event router's activities) set as user metadata.
 * Undefined for a kind it does not know (the process starts without a summary).
 */
export function describeProcessStart(
  processKind: string,
  input: unknown,
  extra: { payerName?: string } = {},
): ProcessDescription | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  try {
    switch (processKind) {
      case 'onboarding':
        return describeOnboarding(input as Parameters<typeof describeOnboarding>[0]);
      case 'claimSubmission':
        return describeClaim(input as Parameters<typeof describeClaim>[0], extra.payerName);
      case 'priorAuthorization':
        return describeAuthorization(input as Parameters<typeof describeAuthorization>[0]);
      case 'planOfCare':
        return describePlanOfCare(input as Parameters<typeof describePlanOfCare>[0]);
      case 'emrEvent':
        return describeEmrEvent(input as Parameters<typeof describeEmrEvent>[0]);
      default:
        return undefined;
    }
  } catch {
    // An input of an unexpected shape is the workflow's to reject; the start goes on without a summary.
    return undefined;
  }
}
