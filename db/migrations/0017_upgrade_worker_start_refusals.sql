CREATE TABLE "worker_start_refusals" (
	"task_queue" text PRIMARY KEY NOT NULL,
	"variables" text NOT NULL,
	"reason" text NOT NULL,
	"refused_at" timestamp with time zone DEFAULT now() NOT NULL
);
