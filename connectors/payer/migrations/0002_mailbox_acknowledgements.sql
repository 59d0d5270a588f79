CREATE TABLE "payer"."inbound_claim_items" (
	"mailbox" text NOT NULL,
	"file_cursor" bigint NOT NULL,
	"patient_control_number" text NOT NULL,
	"kind" text NOT NULL,
	"summary" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbound_claim_items_mailbox_file_cursor_patient_control_number_kind_pk" PRIMARY KEY("mailbox","file_cursor","patient_control_number","kind")
);
--> statement-breakpoint
ALTER TABLE "sandbox_payer"."responses" ADD COLUMN "acknowledged_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "payer_inbound_claim_items_claim" ON "payer"."inbound_claim_items" USING btree ("mailbox","patient_control_number","file_cursor");--> statement-breakpoint
CREATE INDEX "sandbox_payer_responses_waiting" ON "sandbox_payer"."responses" USING btree ("recipient_id","cursor") WHERE "sandbox_payer"."responses"."acknowledged_at" is null;