-- Issue 18 §1/§2 (helper "visits"): missed visits (no-shows and late cancellations) and the waitlist. The
-- appointments mirror's status gains 'late_cancelled' (a text column: the value set lives in db/schema.ts).
CREATE TABLE "missed_visits" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"emr_appointment_id" text NOT NULL,
	"kind" text NOT NULL,
	"episode_workflow_id" text,
	"location_id" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"missed_on" date NOT NULL,
	"workflow_id" text NOT NULL,
	"outcome" text DEFAULT 'open' NOT NULL,
	"rebooked_emr_appointment_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "missed_visits_kind_check" CHECK ("kind" IN ('no_show', 'late_cancel')),
	CONSTRAINT "missed_visits_outcome_check" CHECK ("outcome" IN ('open', 'rebooked', 'front_desk'))
);
--> statement-breakpoint
CREATE TABLE "waitlist_entries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"location_id" text NOT NULL,
	"therapist_id" text,
	"acuity" integer NOT NULL,
	"minutes" integer NOT NULL,
	"authorization_ends_on" date,
	"status" text DEFAULT 'waiting' NOT NULL,
	"source" text NOT NULL,
	"filled_emr_appointment_id" text,
	"filled_slot_start" timestamp with time zone,
	"filled_at" timestamp with time zone,
	"filled_by_workflow_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "waitlist_entries_status_check" CHECK ("status" IN ('waiting', 'filled', 'removed')),
	CONSTRAINT "waitlist_entries_acuity_check" CHECK ("acuity" BETWEEN 1 AND 3)
);
--> statement-breakpoint
ALTER TABLE "missed_visits" ADD CONSTRAINT "missed_visits_practice_id_practices_id_fk" FOREIGN KEY ("practice_id") REFERENCES "public"."practices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "missed_visits" ADD CONSTRAINT "missed_visits_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_practice_id_practices_id_fk" FOREIGN KEY ("practice_id") REFERENCES "public"."practices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "missed_visits_appointment" ON "missed_visits" USING btree ("practice_id","emr_appointment_id");--> statement-breakpoint
CREATE INDEX "missed_visits_patient" ON "missed_visits" USING btree ("practice_id","patient_id","missed_on");--> statement-breakpoint
CREATE INDEX "waitlist_waiting" ON "waitlist_entries" USING btree ("practice_id","location_id","status");--> statement-breakpoint
CREATE INDEX "waitlist_filled" ON "waitlist_entries" USING btree ("practice_id","filled_at");
