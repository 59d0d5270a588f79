CREATE TABLE "payer"."submission_envelopes" (
	"sender_id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"interchange" bigint NOT NULL,
	"group_number" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "submission_envelopes_sender_id_idempotency_key_pk" PRIMARY KEY("sender_id","idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "sandbox_payer"."interchanges" (
	"sender_id" text NOT NULL,
	"control_number" text NOT NULL,
	"ack_999" text,
	"duplicates" integer DEFAULT 0 NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "sandbox_payer_interchanges_pk" ON "sandbox_payer"."interchanges" USING btree ("sender_id","control_number");