ALTER TABLE "sandbox_emr"."referrals" ADD COLUMN "referring_last_name" text;--> statement-breakpoint
ALTER TABLE "sandbox_emr"."referrals" ADD COLUMN "referring_first_name" text;