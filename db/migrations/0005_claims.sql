CREATE TABLE "claim_remittances" (
	"id" uuid PRIMARY KEY NOT NULL,
	"claim_id" uuid NOT NULL,
	"payment_trace" text NOT NULL,
	"claim_status_code" text NOT NULL,
	"paid_cents" integer NOT NULL,
	"patient_responsibility_cents" integer NOT NULL,
	"adjustments" jsonb NOT NULL,
	"posted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "claims" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"visit_id" text NOT NULL,
	"payer_id" text NOT NULL,
	"patient_control_number" text NOT NULL,
	"status" text NOT NULL,
	"frequency" text DEFAULT '1' NOT NULL,
	"payer_claim_number" text,
	"charge_cents" integer NOT NULL,
	"paid_cents" integer DEFAULT 0 NOT NULL,
	"patient_responsibility_cents" integer DEFAULT 0 NOT NULL,
	"submissions" integer DEFAULT 0 NOT NULL,
	"workflow_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "claims_patient_control_number_unique" UNIQUE("patient_control_number")
);
--> statement-breakpoint
ALTER TABLE "claim_remittances" ADD CONSTRAINT "claim_remittances_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "claims" ADD CONSTRAINT "claims_practice_id_practices_id_fk" FOREIGN KEY ("practice_id") REFERENCES "public"."practices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "claim_remittances_once" ON "claim_remittances" USING btree ("claim_id","payment_trace");--> statement-breakpoint
CREATE INDEX "claims_practice_status" ON "claims" USING btree ("practice_id","status");