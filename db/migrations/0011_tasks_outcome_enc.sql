-- SEC-ENC-1 (issue #12): a task's outcome is what staff answered when completing it, and they type free text
-- there (a patient's name was found in clear). It moves to `outcome_enc` (AES-256-GCM under the data keyring,
-- AAD `practice_id|tasks|outcome_enc|id`, key id beside it, re-encrypted by `ptflow keys rotate`). SQL cannot
-- encrypt with the application's keys, so the move takes three steps run by db/migrate.ts in one go: this
-- migration adds the columns, the data step (db/migrate.ts, encryptClearTaskOutcomes in db/repositories/tasks.ts) encrypts every clear outcome
-- into them (it needs the data keyring when there are any), and 0012 drops the clear column.
ALTER TABLE "tasks" ADD COLUMN "outcome_enc" "bytea";--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "key_id" text;
