-- recon: the coded lines of each mirrored claim (charge export, reconciliation) and the discrepancies the nightly
-- billing reconciliation found (one row per practice, visit and kind; the key is unique so no task is raised twice).
CREATE TABLE "billing_discrepancies" (
	"id" uuid PRIMARY KEY NOT NULL,
	"discrepancy_key" text NOT NULL,
	"practice_id" uuid NOT NULL,
	"visit_id" text NOT NULL,
	"kind" text NOT NULL,
	"claim_id" uuid,
	"service_date" date,
	"status" text DEFAULT 'open' NOT NULL,
	"occurrence" integer DEFAULT 1 NOT NULL,
	"task_id" uuid NOT NULL,
	"details" jsonb NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "claim_codings" (
	"claim_id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"diagnoses" text[] NOT NULL,
	"place_of_service" text NOT NULL,
	"rendering" jsonb,
	"referring" jsonb,
	"prior_auth_number" text,
	"original_claim_number" text,
	"lines" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "billing_discrepancies" ADD CONSTRAINT "billing_discrepancies_practice_id_practices_id_fk" FOREIGN KEY ("practice_id") REFERENCES "public"."practices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "claim_codings" ADD CONSTRAINT "claim_codings_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "claim_codings" ADD CONSTRAINT "claim_codings_practice_id_practices_id_fk" FOREIGN KEY ("practice_id") REFERENCES "public"."practices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "billing_discrepancies_key" ON "billing_discrepancies" USING btree ("discrepancy_key");--> statement-breakpoint
CREATE INDEX "billing_discrepancies_practice" ON "billing_discrepancies" USING btree ("practice_id","status","service_date");