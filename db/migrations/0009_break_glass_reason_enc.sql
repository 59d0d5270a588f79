-- SEC-ENC-1: the break-glass reason is free text that may name a patient, so it is stored only encrypted
-- (AES-256-GCM under the data keyring, AAD `practice_id|break_glass_grants|reason_enc|id`, key id beside it,
-- re-encrypted by `ptflow keys rotate`). The clear-text column is dropped rather than migrated: SQL cannot
-- encrypt with the application's keys, and grants are short-lived (minutes), so losing the stated reason of
-- grants opened before this migration (development databases only; 0008 shipped just before) is accepted.
-- Those older rows keep their grant, audit event and privacy-officer notification, with null
-- reason_enc/key_id; the columns are nullable for them only — every grant opened since writes both.
ALTER TABLE "break_glass_grants" ADD COLUMN "reason_enc" "bytea";--> statement-breakpoint
ALTER TABLE "break_glass_grants" ADD COLUMN "key_id" text;--> statement-breakpoint
ALTER TABLE "break_glass_grants" DROP COLUMN "reason";
