// Postgres state of the sandbox payer (schema sandbox_payer): claims by submitter + CLM01, authorization
// requests by trace, interchanges waiting to be filed after their 999, and the outbound mailbox whose row id
// is the polling cursor (acknowledged files leave its listing).
import { and, asc, eq, gt, inArray, isNotNull, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import { drizzle, type PostgresJsQueryResultHKT } from 'drizzle-orm/postgres-js';
import type postgres from 'postgres';
import { sandboxAuthorizations, sandboxClaims, sandboxInterchanges, sandboxResponses } from './schema.js';

export type ClaimRow = typeof sandboxClaims.$inferSelect;
export type NewClaimRow = typeof sandboxClaims.$inferInsert;
export type AuthRow = typeof sandboxAuthorizations.$inferSelect;
export type NewAuthRow = typeof sandboxAuthorizations.$inferInsert;

/** The claim a sender filed under a CLM01 (patient control number). */
function claimOfSender(senderId: string, pcn: string): SQL | undefined {
  return and(eq(sandboxClaims.senderId, senderId), eq(sandboxClaims.patientControlNumber, pcn));
}

/** A database or a transaction on it: the store's methods run on either. */
type StoreDb = PgDatabase<PostgresJsQueryResultHKT>;

export class SandboxPayerStore {
  readonly db: StoreDb;

  constructor(sql: postgres.Sql | { db: StoreDb }) {
    this.db = 'db' in sql ? sql.db : drizzle(sql);
  }

  async findClaim(senderId: string, pcn: string): Promise<ClaimRow | undefined> {
    const rows = await this.db.select().from(sandboxClaims).where(claimOfSender(senderId, pcn));
    return rows[0];
  }

  /** Inserts unless the CLM01 is already on file; returns undefined when it was (a resubmission). */
  async insertClaim(row: NewClaimRow): Promise<ClaimRow | undefined> {
    const rows = await this.db.insert(sandboxClaims).values(row).onConflictDoNothing().returning();
    return rows[0];
  }

  async updateClaim(id: number, patch: Partial<NewClaimRow>): Promise<void> {
    await this.db.update(sandboxClaims).set(patch).where(eq(sandboxClaims.id, id));
  }

  async memberClaims(memberId: string, exceptPcn: string): Promise<ClaimRow[]> {
    return this.db
      .select()
      .from(sandboxClaims)
      .where(and(eq(sandboxClaims.memberId, memberId), ne(sandboxClaims.patientControlNumber, exceptPcn)));
  }

  async countClaims(senderId: string, pcn: string): Promise<number> {
    const rows = await this.db
      .select({ id: sandboxClaims.id })
      .from(sandboxClaims)
      .where(claimOfSender(senderId, pcn));
    return rows.length;
  }

  async findAuth(senderId: string, trace: string): Promise<AuthRow | undefined> {
    const rows = await this.db
      .select()
      .from(sandboxAuthorizations)
      .where(and(eq(sandboxAuthorizations.senderId, senderId), eq(sandboxAuthorizations.traceNumber, trace)));
    return rows[0];
  }

  async findAuthByNumber(senderId: string, authorizationNumber: string): Promise<AuthRow | undefined> {
    const rows = await this.db
      .select()
      .from(sandboxAuthorizations)
      .where(
        and(
          eq(sandboxAuthorizations.senderId, senderId),
          eq(sandboxAuthorizations.authorizationNumber, authorizationNumber),
        ),
      );
    return rows[0];
  }

  async findAuthByCertification(cert: string): Promise<AuthRow | undefined> {
    const rows = await this.db
      .select()
      .from(sandboxAuthorizations)
      .where(eq(sandboxAuthorizations.certificationNumber, cert));
    return rows[0];
  }

  async insertAuth(row: NewAuthRow): Promise<AuthRow> {
    const rows = await this.db.insert(sandboxAuthorizations).values(row).onConflictDoNothing().returning();
    const inserted = rows[0] ?? (await this.findAuth(row.senderId, row.traceNumber));
    if (inserted === undefined) throw new Error('authorization insert lost');
    return inserted;
  }

  async updateAuth(id: number, patch: Partial<NewAuthRow>): Promise<void> {
    await this.db.update(sandboxAuthorizations).set(patch).where(eq(sandboxAuthorizations.id, id));
  }

  async memberAuths(memberId: string): Promise<AuthRow[]> {
    return this.db.select().from(sandboxAuthorizations).where(eq(sandboxAuthorizations.memberId, memberId));
  }

  /**
   * Records an interchange as received, with its 999 and its text to be filed after the answer (one statement).
   * Returns 'new' for the first copy; for a repeat, counts it and returns the 999 the first copy got (null for
   * a first copy recorded without one, by a sandbox of before the deferred filing that died mid-way).
   */
  async receiveInterchange(
    senderId: string,
    controlNumber: string,
    received: { ack999: string; x12: string },
  ): Promise<{ kind: 'new' } | { kind: 'duplicate'; ack999: string | null; receivedAt: Date }> {
    const inserted = await this.db
      .insert(sandboxInterchanges)
      .values({ senderId, controlNumber, ...received })
      .onConflictDoNothing()
      .returning({ senderId: sandboxInterchanges.senderId });
    if (inserted.length > 0) return { kind: 'new' };
    const rows = await this.db
      .update(sandboxInterchanges)
      .set({ duplicates: sql`${sandboxInterchanges.duplicates} + 1` })
      .where(
        and(eq(sandboxInterchanges.senderId, senderId), eq(sandboxInterchanges.controlNumber, controlNumber)),
      )
      .returning({ ack999: sandboxInterchanges.ack999, receivedAt: sandboxInterchanges.receivedAt });
    const row = rows[0];
    if (row === undefined) throw new Error('interchange row vanished');
    return { kind: 'duplicate', ...row };
  }

  /** Takes over a stale first copy that never got its 999: stores the 999 and the text to file. */
  async saveInterchangeAck(
    senderId: string,
    controlNumber: string,
    received: { ack999: string; x12: string },
  ): Promise<void> {
    await this.db
      .update(sandboxInterchanges)
      .set(received)
      .where(
        and(eq(sandboxInterchanges.senderId, senderId), eq(sandboxInterchanges.controlNumber, controlNumber)),
      );
  }

  /** Interchanges answered but not filed yet, oldest first (partial index: costs what waits). */
  async unfiledInterchanges(limit: number): Promise<{ senderId: string; controlNumber: string }[]> {
    return this.db
      .select({ senderId: sandboxInterchanges.senderId, controlNumber: sandboxInterchanges.controlNumber })
      .from(sandboxInterchanges)
      .where(isNotNull(sandboxInterchanges.x12))
      .orderBy(asc(sandboxInterchanges.receivedAt))
      .limit(limit);
  }

  /**
   * Files one interchange in one transaction: locks its row, hands its text to `file` with a store bound to
   * the transaction, and clears the text with the same commit. Whatever `file` writes (claims, 277CA, 835)
   * commits together with "filed", or not at all, so a crash mid-way leaves it to be filed again whole.
   * Returns false when there was nothing to file (already filed, by this or another instance).
   */
  async fileInterchange(
    senderId: string,
    controlNumber: string,
    file: (store: SandboxPayerStore, x12: string) => Promise<void>,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const of = and(
        eq(sandboxInterchanges.senderId, senderId),
        eq(sandboxInterchanges.controlNumber, controlNumber),
      );
      const rows = await tx
        .select({ x12: sandboxInterchanges.x12 })
        .from(sandboxInterchanges)
        .where(of)
        .for('update');
      const x12 = rows[0]?.x12;
      if (x12 === null || x12 === undefined) return false;
      await file(new SandboxPayerStore({ db: tx }), x12);
      await tx.update(sandboxInterchanges).set({ x12: null }).where(of);
      return true;
    });
  }

  async pushResponse(recipientId: string, type: '277CA' | '835', x12: string): Promise<void> {
    await this.db.insert(sandboxResponses).values({ recipientId, type, x12 });
  }

  async responsesAfter(
    recipientId: string,
    cursor: number,
    limit: number,
  ): Promise<{ cursor: number; type: string; x12: string }[]> {
    return this.db
      .select({ cursor: sandboxResponses.cursor, type: sandboxResponses.type, x12: sandboxResponses.x12 })
      .from(sandboxResponses)
      .where(
        and(
          eq(sandboxResponses.recipientId, recipientId),
          gt(sandboxResponses.cursor, cursor),
          isNull(sandboxResponses.acknowledgedAt),
        ),
      )
      .orderBy(asc(sandboxResponses.cursor))
      .limit(limit);
  }

  /** The recipient has stored these files: they leave its listing. Idempotent; other recipients' files untouched. */
  async acknowledgeResponses(recipientId: string, cursors: number[], at: Date): Promise<void> {
    if (cursors.length === 0) return;
    await this.db
      .update(sandboxResponses)
      .set({ acknowledgedAt: at })
      .where(
        and(
          eq(sandboxResponses.recipientId, recipientId),
          inArray(sandboxResponses.cursor, cursors),
          isNull(sandboxResponses.acknowledgedAt),
        ),
      );
  }
}
