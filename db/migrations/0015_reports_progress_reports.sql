-- Issue 17 point 3 (helper "reports"): the PDFs of progress reports, recertifications and discharge summaries sent
-- to the referring physician. The PDF is stored only as AES-GCM ciphertext (`pdf_enc`, SEC-ENC-1); every other
-- column is an opaque id, a date, a count or a delivery state.
CREATE TABLE "progress_reports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"report_date" date NOT NULL,
	"workflow_id" text NOT NULL,
	"pdf_enc" "bytea" NOT NULL,
	"key_id" text NOT NULL,
	"page_count" integer NOT NULL,
	"status" text DEFAULT 'ready' NOT NULL,
	"channel" text,
	"delivery_rounds" integer DEFAULT 0 NOT NULL,
	"transmission_id" text,
	"last_failure" text,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "progress_reports" ADD CONSTRAINT "progress_reports_practice_id_practices_id_fk" FOREIGN KEY ("practice_id") REFERENCES "public"."practices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "progress_reports_patient" ON "progress_reports" USING btree ("practice_id","patient_id","report_date");