// Break-glass grants in Postgres. Opening one is a single transaction: the per-principal rate check,
// the grant row, the audit event (purpose ETREAT) and the privacy officer's notification row commit together or
// not at all, so there is never an unaudited or unreported grant. Expiry is not a job: every check compares
// `expires_at` with the caller's clock, so a grant lapses the moment its window ends (and tests use a fake clock).
// The stated reason may name a patient: it is stored only encrypted under the data keyring (like every PHI
// column), bound to its practice and grant id, and nothing in the API reads it back.
import { randomUUID } from 'node:crypto';
import { and, desc, eq, gt, gte, isNull, lte, sql } from 'drizzle-orm';
import { appendAudit } from '../../db/audit/append.js';
import type { Database } from '../../db/connection.js';
import { fieldContext } from '../../db/crypto/encrypted-tables.js';
import { encryptField } from '../../db/crypto/field-encryption.js';
import type { Keyring } from '../../db/crypto/keyring.js';
import { breakGlassGrants, messages } from '../../db/schema.js';
import { breakGlassPolicyAt } from '../../domain/break-glass.js';
import type { Principal } from '../auth/principal.js';

/** HL7 PurposeOfUse of emergency treatment: every break-glass event and disclosure carries it. */
export const BREAK_GLASS_PURPOSE = 'ETREAT';
/** The messages-ledger template of the privacy officer's notification. */
export const PRIVACY_OFFICER_TEMPLATE = 'privacy_officer_break_glass';

export interface ActiveGrant {
  id: string;
  grantedAt: Date;
  expiresAt: Date;
}

export type OpenResult =
  { ok: true; grant: ActiveGrant } | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

/** Serialises grant opening per principal, so parallel requests cannot both slip under the rate limit. */
const lockKey = (principalId: string) =>
  sql`pg_advisory_xact_lock(hashtext(${`break-glass:${principalId}`}))`;

/** The AAD place of a grant's reason: its practice, table, column and grant id. */
export const reasonContext = (grant: { practiceId: string; id: string }) =>
  fieldContext('break_glass_grants', 'reason_enc', { tenant: grant.practiceId, rowId: grant.id });

export async function openGrant(
  db: Database,
  /** The data keyring (the one of the other PHI columns): encrypts the reason. */
  keyring: Keyring,
  principal: Principal,
  request: { reason: string; requestId: string; sourceIp: string; now: Date },
): Promise<OpenResult> {
  const policy = breakGlassPolicyAt(request.now);
  const windowStart = new Date(request.now.getTime() - policy.rateWindowHours * 3_600_000);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select ${lockKey(principal.id)}`);
    const recent = await tx
      .select({ grantedAt: breakGlassGrants.grantedAt })
      .from(breakGlassGrants)
      .where(
        and(
          eq(breakGlassGrants.practiceId, principal.practiceId),
          eq(breakGlassGrants.principalId, principal.id),
          gte(breakGlassGrants.grantedAt, windowStart),
        ),
      )
      .orderBy(breakGlassGrants.grantedAt);
    const [oldest] = recent;
    if (oldest && recent.length >= policy.maxGrantsPerWindow) {
      // The oldest grant in the window leaves it first.
      const frees = oldest.grantedAt.getTime() + policy.rateWindowHours * 3_600_000;
      return {
        ok: false,
        reason: 'rate_limited',
        retryAfterSeconds: Math.max(1, Math.ceil((frees - request.now.getTime()) / 1000)),
      };
    }
    const grant: ActiveGrant = {
      id: randomUUID(),
      grantedAt: request.now,
      expiresAt: new Date(request.now.getTime() + policy.grantMinutes * 60_000),
    };
    const reason = encryptField(
      request.reason,
      reasonContext({ practiceId: principal.practiceId, id: grant.id }),
      keyring,
    );
    await tx.insert(breakGlassGrants).values({
      id: grant.id,
      practiceId: principal.practiceId,
      principalId: principal.id,
      // Only these two roles reach the route (config.roles); the cast records that.
      principalRole: principal.role as 'admin' | 'therapist',
      reasonEnc: reason.data,
      keyId: reason.keyId,
      grantedAt: grant.grantedAt,
      expiresAt: grant.expiresAt,
    });
    await appendAudit(tx as unknown as Database, {
      actorId: principal.id,
      actorType: principal.type,
      actorRole: principal.role,
      sourceIp: request.sourceIp,
      action: 'E',
      resourceType: 'break_glass_grant',
      resourceId: grant.id,
      purposeOfUse: BREAK_GLASS_PURPOSE,
      outcome: 'success',
      requestId: request.requestId,
    });
    // The notification joins the messages ledger as a queued staff message: opaque ids only (the reason stays
    // in the grant row, encrypted, for the privacy officer). No recipient is stored: the privacy officer's
    // address is the delivering side's configuration, not data of this row.
    await tx.insert(messages).values({
      id: randomUUID(),
      practiceId: principal.practiceId,
      dedupeKey: `break-glass:${grant.id}`,
      direction: 'outbound',
      channel: 'email',
      template: PRIVACY_OFFICER_TEMPLATE,
      language: 'en',
      status: 'queued',
      context: { breakGlassGrantId: grant.id, actorId: principal.id, actorRole: principal.role },
      createdAt: request.now,
      updatedAt: request.now,
    });
    return { ok: true, grant };
  });
}

/** The caller's grants that are open at `now` (not ended early, not expired), newest first. */
export async function activeGrants(db: Database, principal: Principal, now: Date): Promise<ActiveGrant[]> {
  return db
    .select({
      id: breakGlassGrants.id,
      grantedAt: breakGlassGrants.grantedAt,
      expiresAt: breakGlassGrants.expiresAt,
    })
    .from(breakGlassGrants)
    .where(
      and(
        eq(breakGlassGrants.practiceId, principal.practiceId),
        eq(breakGlassGrants.principalId, principal.id),
        isNull(breakGlassGrants.endedAt),
        gt(breakGlassGrants.expiresAt, now),
        // A grant dated after `now` (a clock set back) is not open yet.
        lte(breakGlassGrants.grantedAt, now),
      ),
    )
    .orderBy(desc(breakGlassGrants.grantedAt));
}

/** Ends one of the caller's open grants early; false when there is no such open grant (→ 404). */
export async function endGrant(
  db: Database,
  principal: Principal,
  grantId: string,
  request: { requestId: string; sourceIp: string; now: Date },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const ended = await tx
      .update(breakGlassGrants)
      .set({ endedAt: request.now })
      .where(
        and(
          eq(breakGlassGrants.id, grantId),
          eq(breakGlassGrants.practiceId, principal.practiceId),
          eq(breakGlassGrants.principalId, principal.id),
          isNull(breakGlassGrants.endedAt),
          gt(breakGlassGrants.expiresAt, request.now),
        ),
      )
      .returning({ id: breakGlassGrants.id });
    if (ended.length === 0) return false;
    await appendAudit(tx as unknown as Database, {
      actorId: principal.id,
      actorType: principal.type,
      actorRole: principal.role,
      sourceIp: request.sourceIp,
      action: 'U',
      resourceType: 'break_glass_grant',
      resourceId: grantId,
      purposeOfUse: BREAK_GLASS_PURPOSE,
      outcome: 'success',
      requestId: request.requestId,
    });
    return true;
  });
}
