-- Issue 17 (practice setup): the practice profile (legal name, tax id encrypted under the data keyring with its
-- key id, taxonomy, phone, service and pay-to addresses), location details, the payers a practice bills with their
-- payer profiles, effective-dated fee schedules imported from CSV, therapist credentials and licenses on the
-- practitioner directory, and the referring-provider directory. Existing rows keep working: every new column is
-- nullable or defaulted, and a practice without a complete profile is named as such rather than refused.
CREATE TABLE "fee_schedule_rows" (
	"schedule_id" uuid NOT NULL,
	"code" text NOT NULL,
	"charge_cents" integer NOT NULL,
	"expected_allowed_cents" integer,
	CONSTRAINT "fee_schedule_rows_schedule_id_code_pk" PRIMARY KEY("schedule_id","code")
);
--> statement-breakpoint
CREATE TABLE "fee_schedules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"payer_id" text NOT NULL,
	"effective_from" date NOT NULL,
	"effective_to" date,
	"source" text NOT NULL,
	"row_count" integer NOT NULL,
	"imported_by" text NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "practice_payers" (
	"practice_id" uuid NOT NULL,
	"payer_id" text NOT NULL,
	"name" text NOT NULL,
	"profile_id" text NOT NULL,
	"clearinghouse_payer_id" text,
	"active" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "practice_payers_practice_id_payer_id_pk" PRIMARY KEY("practice_id","payer_id")
);
--> statement-breakpoint
CREATE TABLE "referring_providers" (
	"practice_id" uuid NOT NULL,
	"npi" text NOT NULL,
	"last_name" text NOT NULL,
	"first_name" text,
	"organization" text,
	"phone" text,
	"fax" text,
	"address" jsonb,
	"source" text NOT NULL,
	"emr_practitioner_id" text,
	"active" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "referring_providers_practice_id_npi_pk" PRIMARY KEY("practice_id","npi")
);
--> statement-breakpoint
ALTER TABLE "locations" ADD COLUMN "address" jsonb;--> statement-breakpoint
ALTER TABLE "locations" ADD COLUMN "phone" text;--> statement-breakpoint
ALTER TABLE "locations" ADD COLUMN "npi" text;--> statement-breakpoint
ALTER TABLE "locations" ADD COLUMN "place_of_service" text DEFAULT '11' NOT NULL;--> statement-breakpoint
ALTER TABLE "locations" ADD COLUMN "active" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "practices" ADD COLUMN "legal_name" text;--> statement-breakpoint
ALTER TABLE "practices" ADD COLUMN "tax_id_enc" "bytea";--> statement-breakpoint
ALTER TABLE "practices" ADD COLUMN "key_id" text;--> statement-breakpoint
ALTER TABLE "practices" ADD COLUMN "taxonomy" text;--> statement-breakpoint
ALTER TABLE "practices" ADD COLUMN "phone" text;--> statement-breakpoint
ALTER TABLE "practices" ADD COLUMN "service_address" jsonb;--> statement-breakpoint
ALTER TABLE "practices" ADD COLUMN "pay_to_address" jsonb;--> statement-breakpoint
ALTER TABLE "practices" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "practitioners" ADD COLUMN "discipline" text;--> statement-breakpoint
ALTER TABLE "practitioners" ADD COLUMN "credentials" text;--> statement-breakpoint
ALTER TABLE "practitioners" ADD COLUMN "license_state" text;--> statement-breakpoint
ALTER TABLE "practitioners" ADD COLUMN "license_number" text;--> statement-breakpoint
ALTER TABLE "practitioners" ADD COLUMN "license_expires" date;--> statement-breakpoint
ALTER TABLE "fee_schedule_rows" ADD CONSTRAINT "fee_schedule_rows_schedule_id_fee_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."fee_schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fee_schedules" ADD CONSTRAINT "fee_schedules_practice_id_practices_id_fk" FOREIGN KEY ("practice_id") REFERENCES "public"."practices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "practice_payers" ADD CONSTRAINT "practice_payers_practice_id_practices_id_fk" FOREIGN KEY ("practice_id") REFERENCES "public"."practices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referring_providers" ADD CONSTRAINT "referring_providers_practice_id_practices_id_fk" FOREIGN KEY ("practice_id") REFERENCES "public"."practices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "fee_schedules_start" ON "fee_schedules" USING btree ("practice_id","payer_id","effective_from");