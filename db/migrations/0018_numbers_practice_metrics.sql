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
ALTER TABLE "time_saved_assumptions" ADD CONSTRAINT "time_saved_assumptions_practice_id_practices_id_fk" FOREIGN KEY ("practice_id") REFERENCES "public"."practices"("id") ON DELETE no action ON UPDATE no action;
