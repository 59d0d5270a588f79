// Demo practice for `ptflow dev` and demos: one practice, two locations, three therapists with weekly
// availability. Staff data only (no patients: those arrive through onboarding). Fixed ids make the seed
// idempotent: running it again changes nothing.
import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from './connection.js';
import type { Keyring } from './crypto/keyring.js';
import { createPracticeRepository } from './repositories/practices.js';
import { locations, practices, practitioners, staffMembers, therapists } from './schema.js';

export const DEMO_PRACTICE_ID = '00000000-0000-4000-8000-000000000001';
const DOWNTOWN = '00000000-0000-4000-8000-000000000101';
const NORTHSIDE = '00000000-0000-4000-8000-000000000102';

/**
 * The demo practice's staff, one per human role: the people `ptflow dev` offers on its local sign-in page
 * (GET /auth/sign-in). Fixed ids, so the principal of each (`user:<id>`) is the same in every run.
 */
export const DEMO_STAFF = [
  { id: '00000000-0000-4000-8000-000000000301', displayName: 'Morgan Reyes', role: 'admin' },
  { id: '00000000-0000-4000-8000-000000000302', displayName: 'Jordan Bell', role: 'front_desk' },
  { id: '00000000-0000-4000-8000-000000000303', displayName: 'Dana Whitfield', role: 'therapist' },
  { id: '00000000-0000-4000-8000-000000000304', displayName: 'Priya Shah', role: 'biller' },
] as const;

const weekdays = (locationId: string, start: string, end: string, days = [1, 2, 3, 4, 5]) =>
  days.map((weekday) => ({ weekday, start, end, locationId }));

/**
 * The demo practice's profile (what its claims name it by): demo identifiers only — the NPI passes the check
 * digit, the tax id and the addresses are made up. A second practice never sees any of them.
 */
export const DEMO_PROFILE = {
  legalName: 'RIVERSIDE PHYSICAL THERAPY',
  taxId: '123456789',
  taxonomy: '261QP2000X',
  phone: '2175550100',
  serviceAddress: { line1: '100 MAIN ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '627010001' },
} as const;

/**
 * Seeds the demo practice. With the data keyring its profile is filled in too (the tax id is stored only
 * encrypted); a profile an admin already completed or edited is left alone.
 */
export async function seedDemoPractice(db: Database, keyring?: Keyring): Promise<{ practiceId: string }> {
  await db.transaction(async (tx) => {
    await tx
      .insert(practices)
      .values({
        id: DEMO_PRACTICE_ID,
        name: 'Riverside Physical Therapy (demo)',
        npi: '1234567893',
        timezone: 'America/Chicago',
      })
      .onConflictDoNothing();
    await tx
      .insert(locations)
      .values([
        { id: DOWNTOWN, practiceId: DEMO_PRACTICE_ID, name: 'Downtown clinic', timezone: 'America/Chicago' },
        {
          id: NORTHSIDE,
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
          id: '00000000-0000-4000-8000-000000000201',
          practiceId: DEMO_PRACTICE_ID,
          name: 'Dana Whitfield, PT, DPT',
          npi: '1987654328',
          discipline: 'PT',
          specialties: ['orthopedic', 'post-surgical', 'sports'],
          weeklyAvailability: weekdays(DOWNTOWN, '07:00', '16:00'),
        },
        {
          id: '00000000-0000-4000-8000-000000000202',
          practiceId: DEMO_PRACTICE_ID,
          name: 'Luis Ortega, PT, OCS',
          npi: '1456789019',
          discipline: 'PT',
          specialties: ['spine', 'vestibular', 'orthopedic'],
          weeklyAvailability: [
            ...weekdays(NORTHSIDE, '09:00', '18:00', [1, 3, 5]),
            ...weekdays(DOWNTOWN, '09:00', '18:00', [2, 4]),
          ],
        },
        {
          id: '00000000-0000-4000-8000-000000000203',
          practiceId: DEMO_PRACTICE_ID,
          name: 'Kim Nguyen, PTA',
          npi: '1678901236',
          discipline: 'PTA',
          specialties: ['orthopedic'],
          weeklyAvailability: weekdays(DOWNTOWN, '10:00', '19:00'),
        },
      ])
      .onConflictDoNothing();
    // The practitioner directory the claims' rendering provider (2310B) comes from: the therapists above, as
    // the sandbox EMR's Practitioner resources would list them.
    await tx
      .insert(practitioners)
      .values(
        [
          { npi: '1987654328', lastName: 'WHITFIELD', firstName: 'DANA', taxonomy: '225100000X' },
          { npi: '1456789019', lastName: 'ORTEGA', firstName: 'LUIS', taxonomy: '225100000X' },
          { npi: '1678901236', lastName: 'NGUYEN', firstName: 'KIM', taxonomy: '225200000X' },
        ].map((p) => ({ ...p, practiceId: DEMO_PRACTICE_ID, source: 'emr' as const })),
      )
      .onConflictDoNothing();
    await tx
      .insert(staffMembers)
      .values(DEMO_STAFF.map((s) => ({ ...s, practiceId: DEMO_PRACTICE_ID })))
      .onConflictDoNothing();
  });
  if (keyring) {
    const [blank] = await db
      .select({ id: practices.id })
      .from(practices)
      .where(and(eq(practices.id, DEMO_PRACTICE_ID), isNull(practices.legalName)));
    if (blank) {
      await createPracticeRepository(db, keyring).update(DEMO_PRACTICE_ID, {
        ...DEMO_PROFILE,
        serviceAddress: { ...DEMO_PROFILE.serviceAddress },
      });
    }
  }
  return { practiceId: DEMO_PRACTICE_ID };
}
