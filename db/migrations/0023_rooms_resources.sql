CREATE TABLE "room_reservations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"room_id" uuid NOT NULL,
	"unit" integer NOT NULL,
	"appointment_id" uuid,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"released_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rooms" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"location_id" uuid NOT NULL,
	"name" text NOT NULL,
	"capacity" integer DEFAULT 1 NOT NULL,
	"private" boolean DEFAULT false NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "room_reservations" ADD CONSTRAINT "room_reservations_practice_id_practices_id_fk" FOREIGN KEY ("practice_id") REFERENCES "public"."practices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "room_reservations" ADD CONSTRAINT "room_reservations_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_practice_id_practices_id_fk" FOREIGN KEY ("practice_id") REFERENCES "public"."practices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_location_id_locations_id_fk" FOREIGN KEY ("location_id") REFERENCES "public"."locations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "room_reservations_room_time" ON "room_reservations" USING btree ("room_id","starts_at");--> statement-breakpoint
CREATE INDEX "rooms_practice_location" ON "rooms" USING btree ("practice_id","location_id");--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS btree_gist;--> statement-breakpoint
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_capacity" CHECK ("capacity" BETWEEN 1 AND 50);--> statement-breakpoint
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_private_single" CHECK (NOT "private" OR "capacity" = 1);--> statement-breakpoint
ALTER TABLE "room_reservations" ADD CONSTRAINT "room_reservations_ends_after_start" CHECK ("ends_at" > "starts_at");--> statement-breakpoint
ALTER TABLE "room_reservations" ADD CONSTRAINT "room_reservations_unit" CHECK ("unit" >= 0);--> statement-breakpoint
ALTER TABLE "room_reservations" ADD CONSTRAINT "room_reservations_no_overlap" EXCLUDE USING gist ("room_id" WITH =, "unit" WITH =, tstzrange("starts_at", "ends_at") WITH &&) WHERE ("released_at" IS NULL);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION room_reservations_unit_below_capacity() RETURNS trigger AS $$
BEGIN
  IF NEW.unit >= (SELECT capacity FROM rooms WHERE id = NEW.room_id) THEN
    RAISE EXCEPTION 'room % has no unit %', NEW.room_id, NEW.unit USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;--> statement-breakpoint
CREATE TRIGGER room_reservations_unit_below_capacity BEFORE INSERT ON room_reservations
  FOR EACH ROW EXECUTE FUNCTION room_reservations_unit_below_capacity();
