CREATE TABLE "time_saved_assumptions" (
	"practice_id" uuid NOT NULL,
	"step" text NOT NULL,
	"effective_from" date NOT NULL,
	"minutes" integer NOT NULL,
	"source" text NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "time_saved_assumptions_practice_id_step_effective_from_pk" PRIMARY KEY("practice_id","step","effective_from")
);
--> statement-breakpoint
ALTER TABLE "time_saved_assumptions" ADD CONSTRAINT "time_saved_assumptions_practice_id_practices_id_fk" FOREIGN KEY ("practice_id") REFERENCES "public"."practices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- The practice's numbers (issue 18): one index per lookup the report makes, found with EXPLAIN ANALYZE on a year of a
-- 20-therapist practice (bench/numbers.ts; causes in BENCHMARKS.md section 8).
CREATE INDEX IF NOT EXISTS "appointments_practice_starts" ON "appointments" USING btree ("practice_id","starts_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "appointments_practice_patient" ON "appointments" USING btree ("practice_id","patient_id","starts_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "claims_practice_service_date" ON "claims" USING btree ("practice_id","service_date");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "claim_remittances_posted" ON "claim_remittances" USING btree ("posted_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "tasks_practice_kind_created" ON "tasks" USING btree ("practice_id","kind","created_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "tasks_practice_patient_kind" ON "tasks" USING btree ("practice_id","patient_id","kind");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "messages_practice_patient_template" ON "messages" USING btree ("practice_id","patient_id","template");
