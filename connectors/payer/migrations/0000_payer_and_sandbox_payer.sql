CREATE SCHEMA "payer";
--> statement-breakpoint
CREATE SCHEMA "sandbox_payer";
--> statement-breakpoint
CREATE TABLE "payer"."control_numbers" (
	"sender_id" text PRIMARY KEY NOT NULL,
	"last_interchange" bigint NOT NULL,
	"last_group" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox_payer"."authorizations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"sender_id" text NOT NULL,
	"trace_number" text NOT NULL,
	"x12_payer_id" text NOT NULL,
	"member_id" text NOT NULL,
	"status" text NOT NULL,
	"certification_number" text NOT NULL,
	"authorization_number" text,
	"procedure_code" text NOT NULL,
	"visits_requested" integer NOT NULL,
	"visits_approved" integer DEFAULT 0 NOT NULL,
	"start_date" text NOT NULL,
	"end_date" text NOT NULL,
	"polls" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox_payer"."claims" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"sender_id" text NOT NULL,
	"patient_control_number" text NOT NULL,
	"payer_claim_number" text NOT NULL,
	"x12_payer_id" text NOT NULL,
	"member_id" text NOT NULL,
	"dos" text NOT NULL,
	"status" text NOT NULL,
	"frequency" text NOT NULL,
	"charge_cents" bigint NOT NULL,
	"allowed_cents" bigint DEFAULT 0 NOT NULL,
	"paid_cents" bigint DEFAULT 0 NOT NULL,
	"patient_responsibility_cents" bigint DEFAULT 0 NOT NULL,
	"deductible_cents" bigint DEFAULT 0 NOT NULL,
	"authorization_number" text,
	"receipts" integer DEFAULT 1 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"claim" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox_payer"."responses" (
	"cursor" bigserial PRIMARY KEY NOT NULL,
	"recipient_id" text NOT NULL,
	"type" text NOT NULL,
	"x12" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "sandbox_payer_auth_trace" ON "sandbox_payer"."authorizations" USING btree ("sender_id","trace_number");--> statement-breakpoint
CREATE INDEX "sandbox_payer_auth_number" ON "sandbox_payer"."authorizations" USING btree ("authorization_number");--> statement-breakpoint
CREATE UNIQUE INDEX "sandbox_payer_claims_pcn" ON "sandbox_payer"."claims" USING btree ("sender_id","patient_control_number");--> statement-breakpoint
CREATE UNIQUE INDEX "sandbox_payer_claims_payer_number" ON "sandbox_payer"."claims" USING btree ("payer_claim_number");--> statement-breakpoint
CREATE INDEX "sandbox_payer_claims_member" ON "sandbox_payer"."claims" USING btree ("member_id","dos");--> statement-breakpoint
CREATE INDEX "sandbox_payer_responses_recipient" ON "sandbox_payer"."responses" USING btree ("recipient_id","cursor");