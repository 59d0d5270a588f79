// Onboarding activities on the real PostgreSQL and the sandbox EMR: registration is idempotent on our patient
// id (one EMR patient, one mirror row), booking is idempotent on our appointment id, and a slot taken between
// the solver's choice and the booking falls through to the next alternative without asking again (and
// when every offered slot was taken, the search runs again).
import { randomBytes, randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnboardingActivities } from '../../activities/onboarding/index.js';
import { SandboxEmr } from '../../connectors/emr/sandbox/sandbox-emr.js';
import { seedSandboxEmr } from '../../connectors/emr/sandbox/seed.js';
import type { Emr } from '../../connectors/emr/types.js';
import { createAddressHasher, createSandboxMessaging } from '../../connectors/messaging/index.js';
import type { PayerConnector } from '../../connectors/payer/types.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import type { EvaluationRequestInput } from '../../domain/scheduling/index.js';
import { evaluationWindow } from '../../domain/onboarding/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
let emr: SandboxEmr;
const keys = { keyring: generateKeyring('t1'), blindIndexKey: randomBytes(32) };
const quiet = { info: () => undefined, warn: () => undefined };
const practiceContact = async () => ({ practiceName: 'Riverside PT', practicePhone: '+1 555 555 0100' });

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  await seedSandboxEmr(db.sql, new Date());
  emr = new SandboxEmr(db.sql, { practiceId: DEMO_PRACTICE_ID });
});
afterAll(async () => {
  await db?.drop();
});

function activities(withEmr: Emr = emr) {
  return createOnboardingActivities({
    db: db.db,
    emr: withEmr,
    payer: {} as PayerConnector,
    messaging: createSandboxMessaging({
      db: db.db,
      hashAddress: createAddressHasher(randomBytes(32)),
      logger: quiet,
      practiceContact,
    }),
    keys,
    practiceContact,
  });
}

/** Run an activity in a mock activity context (heartbeats, info) and keep its result type. */
function call<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  return new MockActivityEnvironment().run(fn, ...args) as Promise<R>;
}

const demographics = {
  given: ['Ana'],
  family: 'Rivera',
  birthDate: '1961-02-03',
  sex: 'female' as const,
  phone: '+13125550177',
  preferredLanguage: 'en' as const,
};

async function registered(acts = activities()) {
  const patientId = randomUUID();
  const reg = await call(acts.registerPatient, {
    practiceId: DEMO_PRACTICE_ID,
    patientId,
    demographics,
    preferredChannel: 'sms' as const,
    timezone: 'America/Chicago',
    messagingConsent: true,
  });
  return { patientId, ...reg };
}

function request(): EvaluationRequestInput {
  return {
    acuity: 'acute',
    bodyRegion: 'knee',
    timeZone: 'America/Chicago',
    otherLocationsAcceptable: true,
    ...evaluationWindow(new Date(), 'America/Chicago', 1, 7),
  };
}

describe('onboarding activities', () => {
  it('registerPatient is idempotent on our patient id: one EMR patient, one mirror row', async () => {
    const acts = activities();
    const first = await registered(acts);
    expect(first.created).toBe(true);
    const again = await call(acts.registerPatient, {
      practiceId: DEMO_PRACTICE_ID,
      patientId: first.patientId,
      demographics,
      preferredChannel: 'sms' as const,
      timezone: 'America/Chicago',
      messagingConsent: true,
    });
    expect(again).toEqual({ emrPatientId: first.emrPatientId, created: false });
    const [n] =
      await db.sql`select count(*)::int as n from sandbox_emr.patients where our_patient_id = ${first.patientId}`;
    expect(n).toMatchObject({ n: 1 });
    const [m] = await db.sql`select count(*)::int as n from patients where id = ${first.patientId}`;
    expect(m).toMatchObject({ n: 1 });
  });

  it('bookEvaluation is idempotent on our appointment id', async () => {
    const acts = activities();
    const p = await registered(acts);
    const input = {
      practiceId: DEMO_PRACTICE_ID,
      patientId: p.patientId,
      emrPatientId: p.emrPatientId,
      appointmentId: randomUUID(),
      request: request(),
    };
    const a = await call(acts.bookEvaluation, input);
    const b = await call(acts.bookEvaluation, input);
    if (a.outcome !== 'booked' || b.outcome !== 'booked') throw new Error('expected bookings');
    expect(b.appointment.emrAppointmentId).toBe(a.appointment.emrAppointmentId);
    const [n] =
      await db.sql`select count(*)::int as n from sandbox_emr.appointments where our_appointment_id = ${input.appointmentId}`;
    expect(n).toMatchObject({ n: 1 });
  });

  it('a slot taken between choice and booking falls through to the next alternative', async () => {
    let stolen: string | undefined;
    // An EMR where another patient books the chosen slot a moment before we do (the race a real clinic has).
    const racing: Emr = new Proxy(emr, {
      get(target, prop, receiver) {
        if (prop === 'bookAppointment') {
          return async (req: Parameters<Emr['bookAppointment']>[0]) => {
            if (!stolen) {
              stolen = req.slotId;
              const other = await target.upsertPatient({ patientId: randomUUID(), demographics });
              await target.bookAppointment({
                ...req,
                appointmentId: randomUUID(),
                emrPatientId: other.emrId,
              });
            }
            return target.bookAppointment(req);
          };
        }
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const acts = activities(racing);
    const p = await registered(acts);
    const r = await call(acts.bookEvaluation, {
      practiceId: DEMO_PRACTICE_ID,
      patientId: p.patientId,
      emrPatientId: p.emrPatientId,
      appointmentId: randomUUID(),
      request: request(),
    });
    if (r.outcome !== 'booked') throw new Error(r.explanation);
    expect(r.slotsTried).toBe(2);
    const mine = await emr.getAppointment(r.appointment.emrAppointmentId);
    expect(mine.slotId).not.toBe(stolen);
    expect(mine.emrPatientId).toBe(p.emrPatientId);
  });

  it('every offered slot taken by concurrent bookings: the search runs again instead of giving up', async () => {
    const stolen = new Set<string>();
    // Other patients book each of the first search's offers (choice + 3 alternatives) a moment before we do:
    // the clinic still has free slots, only the search was stale.
    const racing: Emr = new Proxy(emr, {
      get(target, prop, receiver) {
        if (prop === 'bookAppointment') {
          return async (req: Parameters<Emr['bookAppointment']>[0]) => {
            if (stolen.size < 4) {
              stolen.add(req.slotId);
              const other = await target.upsertPatient({ patientId: randomUUID(), demographics });
              await target.bookAppointment({
                ...req,
                appointmentId: randomUUID(),
                emrPatientId: other.emrId,
              });
            }
            return target.bookAppointment(req);
          };
        }
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const acts = activities(racing);
    const p = await registered(acts);
    const r = await call(acts.bookEvaluation, {
      practiceId: DEMO_PRACTICE_ID,
      patientId: p.patientId,
      emrPatientId: p.emrPatientId,
      appointmentId: randomUUID(),
      request: request(),
    });
    if (r.outcome !== 'booked') throw new Error(r.explanation);
    expect(stolen.size).toBe(4);
    expect(r.slotsTried).toBe(5);
    const mine = await emr.getAppointment(r.appointment.emrAppointmentId);
    expect([...stolen]).not.toContain(mine.slotId);
    expect(mine.emrPatientId).toBe(p.emrPatientId);
  });
});
