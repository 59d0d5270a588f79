// The POC signature's PhysicianDirectory over the practice's referring-provider directory (table
// `referring_providers`, db/repositories/referring-providers.ts): the office's fax number from the active entry
// whose EMR practitioner id (or NPI) is the plan of care's referring practitioner. The directory keeps a fax
// number only (ten digits, US): no Direct address or e-mail yet, so those channels are never chosen from it.
import { and, eq, or } from 'drizzle-orm';
import type { PhysicianRecipient } from '../../connectors/physician-delivery/types.js';
import type { Database } from '../../db/connection.js';
import { referringProviders } from '../../db/schema.js';
import type { PhysicianDirectory } from './index.js';

/** A directory row's ten-digit US fax number in E.164 (`+1…`), or undefined when it is not one. */
function e164(fax: string | null): string | undefined {
  if (!fax) return undefined;
  const digits = fax.replace(/\D/g, '');
  if (/^\d{10}$/.test(digits)) return `+1${digits}`;
  if (/^1\d{10}$/.test(digits)) return `+${digits}`;
  return undefined;
}

/** Looks the referring practitioner up by EMR practitioner id, else by NPI; inactive entries are not used. */
export function referringProviderDirectory(db: Database): PhysicianDirectory {
  return {
    async recipient(practiceId, practitionerId): Promise<PhysicianRecipient | undefined> {
      const rows = await db
        .select()
        .from(referringProviders)
        .where(
          and(
            eq(referringProviders.practiceId, practiceId),
            eq(referringProviders.active, true),
            or(
              eq(referringProviders.emrPractitionerId, practitionerId),
              eq(referringProviders.npi, practitionerId),
            ),
          ),
        )
        .limit(2);
      // Two active entries claiming the same EMR practitioner: ambiguous, so no route rather than a guess.
      if (rows.length !== 1) return undefined;
      const row = rows[0]!;
      const fax = e164(row.fax);
      const name = [row.firstName, row.lastName].filter(Boolean).join(' ');
      return {
        practitionerId,
        npi: row.npi,
        displayName: row.organization ? `${name}, ${row.organization}` : name,
        ...(fax ? { fax } : {}),
      };
    },
  };
}
