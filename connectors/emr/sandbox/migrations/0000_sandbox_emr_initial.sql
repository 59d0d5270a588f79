CREATE SCHEMA "sandbox_emr";
--> statement-breakpoint
CREATE TABLE "sandbox_emr"."appointments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"our_appointment_id" uuid,
	"patient_id" uuid NOT NULL,
	"therapist_id" uuid NOT NULL,
	"location_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"end_at" timestamp with time zone NOT NULL,
	"cancel_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "appointments_our_appointment_id_unique" UNIQUE("our_appointment_id")
);
--> statement-breakpoint
CREATE TABLE "sandbox_emr"."locations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"name" text NOT NULL,
	"timezone" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox_emr"."patients" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"our_patient_id" uuid,
	"mrn" text NOT NULL,
	"demographics" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "patients_our_patient_id_unique" UNIQUE("our_patient_id"),
	CONSTRAINT "patients_mrn_unique" UNIQUE("mrn")
);
--> statement-breakpoint
CREATE TABLE "sandbox_emr"."records" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"our_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox_emr"."referrals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"referring_npi" text,
	"diagnosis_codes" text[] DEFAULT '{}'::text[] NOT NULL,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox_emr"."therapists" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"name" text NOT NULL,
	"npi" text NOT NULL,
	"discipline" text NOT NULL,
	"specialties" text[] DEFAULT '{}'::text[] NOT NULL,
	"weekly_availability" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox_emr"."visits" (
	"id" uuid PRIMARY KEY NOT NULL,
	"appointment_id" uuid,
	"patient_id" uuid NOT NULL,
	"therapist_id" uuid NOT NULL,
	"date_of_service" date NOT NULL,
	"signed_at" timestamp with time zone NOT NULL,
	"interventions" jsonb NOT NULL,
	"diagnoses" text[] DEFAULT '{}'::text[] NOT NULL,
	"total_minutes" integer NOT NULL,
	CONSTRAINT "visits_appointment_id_unique" UNIQUE("appointment_id")
);
--> statement-breakpoint
CREATE TABLE "sandbox_emr"."webhook_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"event_type" text NOT NULL,
	"body" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"last_status" integer,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "sandbox_emr"."appointments" ADD CONSTRAINT "appointments_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "sandbox_emr"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox_emr"."appointments" ADD CONSTRAINT "appointments_therapist_id_therapists_id_fk" FOREIGN KEY ("therapist_id") REFERENCES "sandbox_emr"."therapists"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox_emr"."appointments" ADD CONSTRAINT "appointments_location_id_locations_id_fk" FOREIGN KEY ("location_id") REFERENCES "sandbox_emr"."locations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox_emr"."records" ADD CONSTRAINT "records_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "sandbox_emr"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox_emr"."referrals" ADD CONSTRAINT "referrals_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "sandbox_emr"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox_emr"."visits" ADD CONSTRAINT "visits_appointment_id_appointments_id_fk" FOREIGN KEY ("appointment_id") REFERENCES "sandbox_emr"."appointments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox_emr"."visits" ADD CONSTRAINT "visits_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "sandbox_emr"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox_emr"."visits" ADD CONSTRAINT "visits_therapist_id_therapists_id_fk" FOREIGN KEY ("therapist_id") REFERENCES "sandbox_emr"."therapists"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "appointments_active_therapist_start" ON "sandbox_emr"."appointments" USING btree ("therapist_id","start_at") WHERE status in ('booked', 'arrived', 'fulfilled');--> statement-breakpoint
CREATE UNIQUE INDEX "records_kind_our_id" ON "sandbox_emr"."records" USING btree ("kind","our_id");--> statement-breakpoint
CREATE INDEX "records_patient" ON "sandbox_emr"."records" USING btree ("patient_id","kind");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due" ON "sandbox_emr"."webhook_deliveries" USING btree ("status","next_attempt_at");