-- IF NOT EXISTS: sandbox simulators with their own migration sets share this schema.
CREATE SCHEMA IF NOT EXISTS "sandbox";
--> statement-breakpoint
CREATE TABLE "sandbox"."sandbox_outbox" (
	"id" uuid PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"practice_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"recipient_masked" text NOT NULL,
	"recipient_hash" text NOT NULL,
	"template" text NOT NULL,
	"language" text NOT NULL,
	"subject" text,
	"body" text NOT NULL,
	"status" text DEFAULT 'sent' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "message_consents" ADD COLUMN "recipient_hash" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "language" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "recipient_masked" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "recipient_hash" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "context" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "error_code" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "deferred_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "sent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "delivered_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "sandbox_outbox_idempotency" ON "sandbox"."sandbox_outbox" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "sandbox_outbox_list" ON "sandbox"."sandbox_outbox" USING btree ("practice_id","created_at");--> statement-breakpoint
CREATE INDEX "message_consents_address" ON "message_consents" USING btree ("practice_id","channel","recipient_hash","recorded_at");--> statement-breakpoint
CREATE INDEX "messages_provider_id" ON "messages" USING btree ("provider_message_id");--> statement-breakpoint
CREATE INDEX "messages_conversation" ON "messages" USING btree ("practice_id","channel","recipient_hash","created_at");