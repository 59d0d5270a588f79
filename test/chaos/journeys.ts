// The processes a chaos run keeps in flight, each driven the way a practice drives it: started and steered
// through the REST API (with an Idempotency-Key, retried with the same key while the stack is in trouble),
// and, where no API exists yet (the EMR's check-in event), signalled through the Temporal client as the event
// router would. Each journey returns the ids the final checks need.
import { randomUUID } from 'node:crypto';
import { localDate } from '../../domain/core/zoned.js';
import { appointmentBookedSignal, evaluationCheckedInSignal } from '../../workflows/onboarding/messages.js';
import type { SandboxEmr } from '../../connectors/emr/sandbox/sandbox-emr.js';
import type { TemporalClientHandle } from '../../temporal/client.js';
import type { TestDatabase } from '../helpers/db.js';

const TZ = 'America/Chicago';
const today = () => localDate(new Date(), TZ);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What the journeys and checks need from a running stack: the chaos harness (harness.ts), or ptflow scaled out on
 * the multi-service cluster (test/cluster/stack.ts).
 */
export interface JourneyStack {
  api: { url: string };
  db: TestDatabase;
  emr: SandboxEmr;
  keys: { desk: string; biller: string; therapist: string };
  temporal: TemporalClientHandle;
  /** Where the sandbox payer keeps its claims. */
  payerSql: TestDatabase['sql'];
  log(what: string, detail?: Record<string, unknown>): void;
}

export interface ApiAnswer {
  status: number;
  json: unknown;
}

/**
 * One logical request, retried while the stack is in trouble: with the same Idempotency-Key after a network
 * error, a 409 (still in progress) or a 503 with Retry-After (the database was unavailable: not an outcome, the
 * same key re-runs the request under the same process id), with a fresh one after any other 5xx (the API stores
 * a 5xx and replays it for the same key, Stripe-style). A fresh key after a start's 5xx could in principle start
 * a second process; the final checks would see it as a process nobody finished.
 */
export async function api(
  h: JourneyStack,
  method: 'GET' | 'POST',
  path: string,
  key: string,
  body?: unknown,
  opts: { deadlineMs?: number } = {},
): Promise<ApiAnswer> {
  let idempotencyKey = randomUUID();
  const deadline = Date.now() + (opts.deadlineMs ?? 600_000);
  for (;;) {
    try {
      const res = await fetch(`${h.api.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(method === 'POST' ? { 'idempotency-key': idempotencyKey } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const json: unknown = await res.json().catch(() => undefined);
      if (res.status < 500 && res.status !== 409) return { status: res.status, json };
      if (Date.now() > deadline) return { status: res.status, json };
      // 503 + Retry-After (the database was unavailable) is "not done": the same key re-runs the request.
      if (res.status >= 500 && !(res.status === 503 && res.headers.has('retry-after')))
        idempotencyKey = randomUUID();
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await sleep(1_000);
  }
}

async function expectStatus(p: Promise<ApiAnswer>, status: number, what: string): Promise<ApiAnswer> {
  const r = await p;
  if (r.status !== status) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
  return r;
}

/** Polls a GET until `done` holds (the stack may be down for a while in between). */
async function until<T>(
  h: JourneyStack,
  path: string,
  key: string,
  done: (body: T) => boolean,
  what: string,
  pollMs = 1_500,
  timeoutMs = 1_800_000,
  /** Work `done` set off (a person acting on what they saw): its failure fails the wait. */
  sideWork: () => Promise<void> | undefined = () => undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api(h, 'GET', path, key);
    if (r.status === 200 && done(r.json as T)) {
      await sideWork();
      return r.json as T;
    }
    const side = sideWork();
    // Surface a failure of the side work at once rather than after the timeout.
    if (side) await Promise.race([side, sleep(0)]);
    if (Date.now() > deadline)
      throw new Error(`${what}: not reached in time (last ${JSON.stringify(r.json)})`);
    await sleep(pollMs);
  }
}

/**
 * A referral that asks for the coming Sunday only: nobody works Sundays at the sandbox practice, so ptflow finds
 * no slot and hands the booking to the front desk (`schedule_evaluation`), which the journey then works.
 */
export function sundayOnly(): JourneyOptions {
  const weekday = new Date(`${today()}T12:00:00Z`).getUTCDay();
  return { leadDays: weekday === 0 ? 7 : 7 - weekday, searchDays: 1 };
}

/** A zone where it is daytime now, so quiet hours do not defer the patient messages during the run. */
function daytimeZone(): string {
  for (const z of ['America/Chicago', 'Europe/London', 'Asia/Tokyo', 'Pacific/Honolulu', 'Asia/Kolkata']) {
    const hour = Number(
      new Intl.DateTimeFormat('en-US', { timeZone: z, hour: 'numeric', hourCycle: 'h23' }).format(new Date()),
    );
    if (hour >= 9 && hour < 19) return z;
  }
  return 'Pacific/Kiritimati';
}

export interface JourneyResult {
  kind: 'onboarding' | 'claim' | 'planOfCare';
  /** Every workflow the journey started or caused (children included); all must end COMPLETED. */
  workflowIds: string[];
  patientId: string;
  /** Claims: CLM01 and the number of submissions the payer should have adjudicated (1 + replacements). */
  claim?: { claimId: string; pcn: string; expectedVersions: number };
  /** Onboardings: how many messages the process itself says it sent. */
  messagesSent?: number;
  /** Onboardings: ptflow found no slot and the front desk booked the evaluation in the EMR. */
  frontDeskBooked?: boolean;
  /** Milliseconds from the start request: its answer, intermediate milestones, completion. */
  timings: Record<string, number>;
}

export interface JourneyOptions {
  leadDays?: number;
  searchDays?: number;
  pollMs?: number;
}

interface OnboardingView {
  state: string;
  forms: { state: string };
  appointment?: { emrAppointmentId: string };
  authorizationWorkflowId?: string;
  messages: { template: string; status: string }[];
}

export async function onboardingJourney(
  h: JourneyStack,
  variant: 'commercial' | 'withAuthorization',
  n: number,
  opts: JourneyOptions = {},
): Promise<JourneyResult> {
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const patientId = randomUUID();
  const auth = variant === 'withAuthorization';
  let deskWork: Promise<void> | undefined;
  const start = await expectStatus(
    api(h, 'POST', '/v1/onboardings', h.keys.desk, {
      patientId,
      clinicTimeZone: TZ,
      patientTimeZone: daytimeZone(),
      demographics: {
        given: ['Chaos'],
        family: `Patient${n}`,
        birthDate: '1958-03-04',
        sex: 'female',
        phone: `(312) 555-${String(1000 + n).slice(-4)}`,
      },
      preferredChannel: 'sms',
      messagingConsent: true,
      coverages: [
        auth
          ? { coverageId: randomUUID(), payerId: 'ma-fastlane', memberId: `MBR-CHAOS-${n}`, priority: 1 }
          : {
              coverageId: randomUUID(),
              payerId: 'commercial-ama',
              memberId: `SBX-PR3-CHAOS${n}`,
              priority: 1,
            },
      ],
      evaluation: {
        acuity: 'acute',
        bodyRegion: 'knee',
        // The referral's diagnosis: what a 278 asks the payer to authorize.
        diagnosisCode: 'M25.561',
        leadDays: opts.leadDays ?? 3,
        searchDays: opts.searchDays ?? 14,
      },
      intakeFormLink: 'https://forms.riverside.example/i/chaos',
      insuranceUpdateLink: 'https://forms.riverside.example/ins/chaos',
      ...(auth
        ? {
            requestedAuthVisits: 6,
            referral: { referringPractitionerId: randomUUID(), signedAndDated: true },
          }
        : {}),
    }),
    202,
    'start onboarding',
  );
  timings.startAnswered = Date.now() - t0;
  const { id } = start.json as { id: string };
  const path = `/v1/onboardings/${id}`;
  // When ptflow finds no evaluation slot it hands the booking to the front desk (a `schedule_evaluation` task):
  // the driver then does what the front desk does, once.
  let frontDeskBooked = false;
  const booked = await until<OnboardingView>(
    h,
    path,
    h.keys.desk,
    (s) => {
      if (s.state === 'needs_scheduling' && !frontDeskBooked) {
        frontDeskBooked = true;
        deskWork = frontDeskBooksEvaluation(h, id, patientId);
      }
      return (
        s.appointment !== undefined && s.forms.state === 'sent' && (!auth || !!s.authorizationWorkflowId)
      );
    },
    'onboarding booked',
    opts.pollMs,
    1_800_000,
    () => deskWork,
  );
  timings.booked = Date.now() - t0;
  await expectStatus(
    api(h, 'POST', `${path}/intake-forms`, h.keys.desk, {
      responseId: randomUUID(),
      questionnaire: 'https://forms.riverside.example/q/intake-v1',
      authored: new Date().toISOString(),
      items: [{ linkId: 'pain-now', answers: [4] }],
    }),
    202,
    'intake forms',
  );
  await until<OnboardingView>(
    h,
    path,
    h.keys.desk,
    (s) => s.forms.state === 'completed',
    'forms completed',
    opts.pollMs,
  );
  const workflowIds = [`onboarding:${id}`];
  if (auth) {
    const authId = booked.authorizationWorkflowId!.split(':')[1]!;
    workflowIds.push(booked.authorizationWorkflowId!);
    await until<{ status: string }>(
      h,
      `/v1/authorizations/${authId}`,
      h.keys.desk,
      (s) => s.status === 'approved',
      'authorization approved',
      opts.pollMs,
    );
  }
  // The EMR's check-in event (the event router's job once it is wired): signalled directly.
  const handle = h.temporal.client.workflow.getHandle(`onboarding:${id}`);
  await retrying(() =>
    handle.signal(evaluationCheckedInSignal, { emrAppointmentId: booked.appointment!.emrAppointmentId }),
  );
  const done = (await retrying(() => handle.result())) as OnboardingView & { planOfCareWorkflowId?: string };
  if (done.state !== 'completed') throw new Error(`onboarding ended ${done.state}`);
  timings.completed = Date.now() - t0;
  if (auth) {
    // The episode the check-in started: discharging it closes the authorization too.
    const poc = done.planOfCareWorkflowId!;
    workflowIds.push(poc);
    // The API finds a process through Temporal visibility, which indexes a just-started child a moment later.
    await until(h, `/v1/plans-of-care/${poc.split(':')[1]}`, h.keys.therapist, () => true, 'episode visible');
    await expectStatus(
      api(h, 'POST', `/v1/plans-of-care/${poc.split(':')[1]}/discharge`, h.keys.therapist, {
        reason: 'goals_met',
      }),
      202,
      'discharge',
    );
    for (const wf of [poc, booked.authorizationWorkflowId!])
      await retrying(() => h.temporal.client.workflow.getHandle(wf).result());
  }
  return {
    kind: 'onboarding',
    workflowIds,
    patientId,
    frontDeskBooked,
    messagesSent: done.messages.filter((m) => m.status === 'sent' || m.status === 'delivered').length,
    timings,
  };
}

interface TaskRow {
  id: string;
  kind: string;
  processId: string;
}

/**
 * What the front desk does with a `schedule_evaluation` task: finds it on its worklist (GET /v1/tasks), books
 * the first free slot of a PT in the EMR's own calendar (any date: the patient is called), marks the task done
 * through the API, and the EMR's `appointment.booked` event reaches the onboarding. That event is signalled as
 * the EMR event router would after the webhook (the chaos stack pumps no sandbox webhooks, as for check-in).
 */
async function frontDeskBooksEvaluation(h: JourneyStack, onboardingId: string, patientId: string) {
  const processId = `onboarding:${onboardingId}`;
  let task: TaskRow | undefined;
  const deadline = Date.now() + 600_000;
  while (!task) {
    let cursor: string | undefined;
    do {
      const page = await api(
        h,
        'GET',
        `/v1/tasks?status=open&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        h.keys.desk,
      );
      if (page.status !== 200) throw new Error(`worklist: HTTP ${page.status} ${JSON.stringify(page.json)}`);
      const body = page.json as { data: TaskRow[]; next_cursor: string | null };
      task = body.data.find((t) => t.kind === 'schedule_evaluation' && t.processId === processId);
      cursor = body.next_cursor ?? undefined;
    } while (!task && cursor);
    if (!task && Date.now() > deadline)
      throw new Error(`schedule_evaluation task of ${processId} not listed`);
    if (!task) await sleep(1_000);
  }
  const patient = await h.emr.findPatient({ patientId });
  if (!patient) throw new Error(`front desk: ${processId}'s patient is not in the EMR`);
  // The front desk knows who may evaluate: PTs only (never a PTA).
  const evaluators = new Set(
    (
      await h.db.sql<{ id: string }[]>`
        select id from therapists where discipline = 'PT' and active`
    ).map((r) => r.id),
  );
  let appointment: Awaited<ReturnType<JourneyStack['emr']['bookAtFrontDesk']>> | undefined;
  for (let day = 1; !appointment && day < 720; day += 30) {
    const free = await h.emr.searchFreeSlots({
      from: new Date(Date.now() + day * 86_400_000).toISOString(),
      to: new Date(Date.now() + (day + 30) * 86_400_000).toISOString(),
      minMinutes: 60,
      limit: 2_000,
    });
    for (const slot of free.filter((f) => evaluators.has(f.therapistId))) {
      try {
        appointment = await h.emr.bookAtFrontDesk({
          slotId: slot.slotId,
          emrPatientId: patient.emrPatientId,
          kind: 'evaluation',
        });
        break;
      } catch (err) {
        if ((err as { type?: string }).type !== 'SlotUnavailable') throw err;
      }
    }
  }
  if (!appointment) throw new Error('front desk: no free PT slot in two years');
  await expectStatus(
    api(h, 'POST', `/v1/tasks/${task.id}/complete`, h.keys.desk, {
      outcome: { evaluationBooked: true, emrAppointmentId: appointment.emrAppointmentId },
    }),
    202,
    'complete schedule_evaluation task',
  );
  const booked = appointment;
  await retrying(() =>
    h.temporal.client.workflow.getHandle(processId).signal(appointmentBookedSignal, {
      emrAppointmentId: booked.emrAppointmentId,
      start: booked.start,
      ...(booked.therapistId ? { therapistId: booked.therapistId } : {}),
      ...(booked.locationId ? { locationId: booked.locationId } : {}),
    }),
  );
  h.log('front desk booked an evaluation', { onboarding: onboardingId, task: task.id });
}

export async function claimJourney(h: JourneyStack, variant: 'paid' | 'replaced'): Promise<JourneyResult> {
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const visitId = randomUUID();
  const patientId = randomUUID();
  const replaced = variant === 'replaced';
  const started = await expectStatus(
    api(h, 'POST', '/v1/claims', h.keys.biller, {
      patientId,
      ...(replaced ? { priorAuthNumber: 'AUTH-ON-FILE-1' } : { kxAccruedAllowedCents: 300_000 }),
      visit: {
        id: visitId,
        // CO-15 on the original at a commercial plan (it accepts replacements); Medicare over the KX threshold.
        payerId: replaced ? 'commercial-ama' : 'medicare-part-b',
        dos: today(),
        renderingNpi: '1987654328',
        interventions: [{ code: '97110', minutes: 38, furnishedBy: 'PT' }],
        diagnoses: ['M54.50'],
      },
      parties: {
        billingProvider: {
          name: 'RIVERSIDE PHYSICAL THERAPY',
          npi: '1234567893',
          taxId: '123456789',
          address: { line1: '100 MAIN ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' },
        },
        subscriber: {
          memberId: `${replaced ? 'SBX-CO15' : 'SBX-KXOVER'}-${visitId.slice(0, 8)}`,
          lastName: 'DOE',
          firstName: 'JANE',
          dateOfBirth: '1950-04-15',
          gender: 'F',
          address: { line1: '12 ELM ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62704' },
        },
        referringProvider: { name: 'NGUYEN', npi: '1679576722' },
      },
    }),
    202,
    'start claim',
  );
  timings.startAnswered = Date.now() - t0;
  // The claim id derives from practice and visit id (activities/shared/derived-ids.ts claimIdFor): the 202 names it.
  const claimId = (started.json as { id: string }).id;
  const wf = `claim:${claimId}`;
  const result = (await retrying(() => h.temporal.client.workflow.getHandle(wf).result())) as {
    state: string;
  };
  if (result.state !== 'paid') throw new Error(`claim ended ${result.state}`);
  timings.completed = Date.now() - t0;
  return {
    kind: 'claim',
    workflowIds: [wf],
    patientId,
    claim: {
      claimId,
      pcn: `PT${claimId.replace(/-/g, '').slice(0, 18).toUpperCase()}`,
      expectedVersions: replaced ? 2 : 1,
    },
    timings,
  };
}

export async function planOfCareJourney(h: JourneyStack): Promise<JourneyResult> {
  const t0 = Date.now();
  const patientId = randomUUID();
  const start = await expectStatus(
    api(h, 'POST', '/v1/plans-of-care', h.keys.therapist, {
      patientId,
      referringPractitionerId: randomUUID(),
      firstTreatmentDate: today(),
    }),
    202,
    'start plan of care',
  );
  const { id } = start.json as { id: string };
  const base = `/v1/plans-of-care/${id}`;
  await expectStatus(
    api(h, 'POST', `${base}/visits`, h.keys.therapist, { visitId: 'eval-1', dos: today() }),
    202,
    'visit',
  );
  await expectStatus(
    api(h, 'POST', `${base}/outcomes`, h.keys.therapist, { instrument: 'NPRS', score: 7, date: today() }),
    200,
    'outcome',
  );
  await expectStatus(
    api(h, 'POST', `${base}/certification`, h.keys.therapist, { kind: 'signature', signedDate: today() }),
    200,
    'certification',
  );
  await expectStatus(
    api(h, 'POST', `${base}/discharge`, h.keys.therapist, { reason: 'goals_met' }),
    202,
    'discharge',
  );
  const wf = `poc:${id}`;
  await retrying(() => h.temporal.client.workflow.getHandle(wf).result());
  return { kind: 'planOfCare', workflowIds: [wf], patientId, timings: { completed: Date.now() - t0 } };
}

/** Client calls while the Temporal server may be restarting: retried for a while. */
export async function retrying<T>(fn: () => Promise<T>, timeoutMs = 900_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      const name = (err as Error).name;
      // A workflow that failed or was terminated is an answer, not an outage.
      if (name === 'WorkflowFailedError' || Date.now() > deadline) throw err;
      await sleep(2_000);
    }
  }
}
