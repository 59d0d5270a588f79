// Demo practice of the sandbox EMR. Location and therapist ids are the ones db/seed.ts gives ptflow (the test
// suite checks they agree), so a slot offered by the EMR names a therapist ptflow knows. Patients and
// referrals are synthetic. Fixed ids make seeding idempotent; seeding emits no webhooks (pre-existing state).
import type postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { DEMO_PRACTICE_ID } from '../../../db/seed.js';
import { locations, patients, referrals, therapists, type AvailabilityBlock } from './schema.js';

export const SANDBOX_LOCATIONS = {
  downtown: '00000000-0000-4000-8000-000000000101',
  northside: '00000000-0000-4000-8000-000000000102',
} as const;

export const SANDBOX_THERAPISTS = {
  whitfield: '00000000-0000-4000-8000-000000000201',
  ortega: '00000000-0000-4000-8000-000000000202',
  nguyen: '00000000-0000-4000-8000-000000000203',
} as const;

export const SANDBOX_PATIENTS = {
  rivera: '00000000-0000-4000-8000-000000000501',
  okafor: '00000000-0000-4000-8000-000000000502',
  lindqvist: '00000000-0000-4000-8000-000000000503',
} as const;

const weekdays = (
  locationId: string,
  start: string,
  end: string,
  days = [1, 2, 3, 4, 5],
): AvailabilityBlock[] => days.map((weekday) => ({ weekday, start, end, locationId }));

export async function seedSandboxEmr(sql: postgres.Sql, receivedAt: Date): Promise<{ practiceId: string }> {
  const db = drizzle(sql);
  const { downtown, northside } = SANDBOX_LOCATIONS;
  await db.transaction(async (tx) => {
    await tx
      .insert(locations)
      .values([
        { id: downtown, practiceId: DEMO_PRACTICE_ID, name: 'Downtown clinic', timezone: 'America/Chicago' },
        {
          id: northside,
          practiceId: DEMO_PRACTICE_ID,
          name: 'Northside clinic',
          timezone: 'America/Chicago',
        },
      ])
      .onConflictDoNothing();
    await tx
      .insert(therapists)
      .values([
        {
          id: SANDBOX_THERAPISTS.whitfield,
          practiceId: DEMO_PRACTICE_ID,
          name: 'Dana Whitfield, PT, DPT',
          npi: '1987654328',
          discipline: 'PT',
          specialties: ['orthopedic', 'post-surgical', 'sports'],
          weeklyAvailability: weekdays(downtown, '07:00', '16:00'),
        },
        {
          id: SANDBOX_THERAPISTS.ortega,
          practiceId: DEMO_PRACTICE_ID,
          name: 'Luis Ortega, PT, OCS',
          npi: '1456789019',
          discipline: 'PT',
          specialties: ['spine', 'vestibular', 'orthopedic'],
          weeklyAvailability: [
            ...weekdays(northside, '09:00', '18:00', [1, 3, 5]),
            ...weekdays(downtown, '09:00', '18:00', [2, 4]),
          ],
        },
        {
          id: SANDBOX_THERAPISTS.nguyen,
          practiceId: DEMO_PRACTICE_ID,
          name: 'Kim Nguyen, PTA',
          npi: '1678901236',
          discipline: 'PTA',
          specialties: ['orthopedic'],
          weeklyAvailability: weekdays(downtown, '10:00', '19:00'),
        },
      ])
      .onConflictDoNothing();
    const demo = (
      id: string,
      mrn: string,
      given: string,
      family: string,
      birthDate: string,
      sex: string,
    ) => ({
      id,
      practiceId: DEMO_PRACTICE_ID,
      mrn,
      demographics: { given: [given], family, birthDate, sex, preferredLanguage: 'en' },
    });
    await tx
      .insert(patients)
      .values([
        demo(SANDBOX_PATIENTS.rivera, 'SBX-1001', 'Maria', 'Rivera (demo)', '1968-03-14', 'female'),
        demo(SANDBOX_PATIENTS.okafor, 'SBX-1002', 'James', 'Okafor (demo)', '1985-11-02', 'male'),
        demo(SANDBOX_PATIENTS.lindqvist, 'SBX-1003', 'Eva', 'Lindqvist (demo)', '1952-07-29', 'female'),
      ])
      .onConflictDoNothing();
    await tx
      .insert(referrals)
      .values([
        {
          id: '00000000-0000-4000-8000-000000000601',
          practiceId: DEMO_PRACTICE_ID,
          patientId: SANDBOX_PATIENTS.rivera,
          referringNpi: '1234567893',
          referringLastName: 'NGUYEN',
          referringFirstName: 'LINDA',
          diagnosisCodes: ['M54.50'],
          receivedAt,
        },
        {
          id: '00000000-0000-4000-8000-000000000602',
          practiceId: DEMO_PRACTICE_ID,
          patientId: SANDBOX_PATIENTS.okafor,
          referringNpi: '1234567893',
          referringLastName: 'PATEL',
          referringFirstName: 'ARJUN',
          diagnosisCodes: ['S83.511A'],
          receivedAt,
        },
      ])
      .onConflictDoNothing();
  });
  return { practiceId: DEMO_PRACTICE_ID };
}
