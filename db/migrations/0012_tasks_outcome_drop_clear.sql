-- SEC-ENC-1 (issue #12): every clear outcome has been encrypted into `outcome_enc` by the data step that
-- db/migrate.ts runs between 0011 and this migration; the clear column goes.
ALTER TABLE "tasks" DROP COLUMN "outcome";
