CREATE TABLE "practitioners" (
	"practice_id" uuid NOT NULL,
	"npi" text NOT NULL,
	"last_name" text NOT NULL,
	"first_name" text,
	"taxonomy" text,
	"source" text NOT NULL,
	"emr_practitioner_id" text,
	"active" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "practitioners_practice_id_npi_pk" PRIMARY KEY("practice_id","npi")
);
--> statement-breakpoint
ALTER TABLE "practitioners" ADD CONSTRAINT "practitioners_practice_id_practices_id_fk" FOREIGN KEY ("practice_id") REFERENCES "public"."practices"("id") ON DELETE no action ON UPDATE no action;